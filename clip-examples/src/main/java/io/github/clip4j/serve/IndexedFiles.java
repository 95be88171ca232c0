package io.github.clip4j.serve;

import io.github.clip4j.internal.image.ImageDecoder;

import io.github.clip4j.retrieval.ImageIndex;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageReadParam;
import javax.imageio.ImageReader;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.ImageOutputStream;

/**
 * The image files the server may hand out: exactly the index's entries. A request names a file by the path the
 * search results give; that string is looked up among the index's paths (never opened as given), and the file is
 * then opened only if it is still a regular file (not a symbolic link) whose real path lies inside the real path of
 * an indexed folder. So {@code ../}, absolute paths, files beside the index and links pointing out are all "not
 * found".
 */
final class IndexedFiles {
    /** Files larger than this are not served (an index of photos has none). */
    static final long MAX_FILE_BYTES = 256L << 20;
    /** Thumbnails are not made of images with more pixels than this after subsampling; the original is sent. */
    private static final long MAX_THUMBNAIL_SOURCE_PIXELS = 50_000_000L;
    private static final int THUMBNAIL_CACHE_ENTRIES = 512;

    /** A file's bytes and their media type. */
    record Content(byte[] bytes, String contentType) {}

    private final Map<String, Path> byPath;
    private final List<Path> folders;
    private final Map<Path, Path> realFolders = new HashMap<>();
    private final Map<String, Content> thumbnails = new LinkedHashMap<>(64, 0.75f, true) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Content> eldest) {
            return size() > THUMBNAIL_CACHE_ENTRIES;
        }
    };

    IndexedFiles(ImageIndex index) {
        List<Path> paths = index.paths();
        this.byPath = new HashMap<>(paths.size() * 2);
        for (Path p : paths) {
            byPath.put(p.toString(), p);
        }
        this.folders = new ArrayList<>(index.folders());
    }

    /**
     * The bytes of the indexed file {@code requested} (a path as search results print it).
     *
     * @throws HttpError 404 if it is not in the index, or no longer a regular file inside an indexed folder
     */
    Content read(String requested) {
        Path real = check(requested);
        try {
            long size = Files.size(real);
            if (size > MAX_FILE_BYTES) {
                throw HttpError.notFound("the file is too large to serve: " + requested);
            }
            byte[] bytes;
            try (InputStream in = Files.newInputStream(real, LinkOption.NOFOLLOW_LINKS)) {
                bytes = in.readNBytes((int) Math.min(size + 1, MAX_FILE_BYTES));
            }
            // An index file is untrusted: a crafted one may list any file under a folder it declares (even "/").
            // Only content that is an image leaves the server, typed by its signature, never by its name.
            String type = ImageDecoder.mediaType(bytes);
            if (type == null) {
                throw HttpError.notFound("the indexed file is not an image: " + requested);
            }
            return new Content(bytes, type);
        } catch (IOException e) {
            throw HttpError.notFound("cannot read the indexed file " + requested);
        }
    }

    /**
     * A JPEG of the indexed file {@code requested} whose longer side is at most {@code size} pixels (the original if
     * it is small already or cannot be decoded for display).
     */
    Content thumbnail(String requested, int size) {
        String key = size + "\u0000" + requested;
        synchronized (thumbnails) {
            Content cached = thumbnails.get(key);
            if (cached != null) {
                return cached;
            }
        }
        Content original = read(requested);
        Content thumbnail = scaled(original, size);
        synchronized (thumbnails) {
            thumbnails.put(key, thumbnail);
        }
        return thumbnail;
    }

    /** The real path of {@code requested} if it may be served. */
    private Path check(String requested) {
        Path path = byPath.get(requested);
        if (path == null) {
            throw HttpError.notFound("not an image of the index: " + requested);
        }
        if (!Files.isRegularFile(path, LinkOption.NOFOLLOW_LINKS)) {
            throw HttpError.notFound("the indexed file is gone or is no longer a regular file: " + requested);
        }
        Path real;
        try {
            real = path.toRealPath();
        } catch (IOException e) {
            throw HttpError.notFound("the indexed file is gone: " + requested);
        }
        for (Path folder : folders) {
            Path realFolder = realFolder(folder);
            if (realFolder != null && real.startsWith(realFolder)) {
                return real;
            }
        }
        throw HttpError.notFound("the indexed file is no longer inside an indexed folder: " + requested);
    }

    private Path realFolder(Path folder) {
        synchronized (realFolders) {
            Path real = realFolders.get(folder);
            if (real == null) {
                try {
                    real = folder.toRealPath();
                } catch (IOException e) {
                    return null; // gone: nothing in it is served
                }
                realFolders.put(folder, real);
            }
            return real;
        }
    }


    /** For display only (the model never sees it): ImageIO, subsampled while reading, scaled, JPEG. */
    private static Content scaled(Content original, int size) {
        try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(original.bytes()))) {
            Iterator<ImageReader> readers = in == null ? null : ImageIO.getImageReaders(in);
            if (readers == null || !readers.hasNext()) {
                return original;
            }
            ImageReader reader = readers.next();
            try {
                reader.setInput(in, true, true);
                int width = reader.getWidth(0);
                int height = reader.getHeight(0);
                int longer = Math.max(width, height);
                if (longer <= size) {
                    return original;
                }
                int step = Math.max(1, longer / (2 * size)); // keep twice the pixels for a smooth scale
                if ((long) (width / step) * (height / step) > MAX_THUMBNAIL_SOURCE_PIXELS) {
                    return original;
                }
                ImageReadParam param = reader.getDefaultReadParam();
                param.setSourceSubsampling(step, step, 0, 0);
                BufferedImage source = reader.read(0, param);
                double scale = (double) size / Math.max(source.getWidth(), source.getHeight());
                int w = Math.max(1, (int) Math.round(source.getWidth() * scale));
                int h = Math.max(1, (int) Math.round(source.getHeight() * scale));
                BufferedImage target = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
                Graphics2D g = target.createGraphics();
                try {
                    g.setColor(Color.WHITE); // transparent pixels on white, as a browser shows them
                    g.fillRect(0, 0, w, h);
                    g.setRenderingHint(RenderingHints.KEY_INTERPOLATION,
                            RenderingHints.VALUE_INTERPOLATION_BILINEAR);
                    g.setRenderingHint(RenderingHints.KEY_RENDERING, RenderingHints.VALUE_RENDER_QUALITY);
                    g.drawImage(source, 0, 0, w, h, null);
                } finally {
                    g.dispose();
                }
                return new Content(jpeg(target), "image/jpeg");
            } finally {
                reader.dispose();
            }
        } catch (IOException | RuntimeException e) {
            return original; // the browser may still show it
        }
    }

    private static byte[] jpeg(BufferedImage image) throws IOException {
        ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ImageOutputStream out = ImageIO.createImageOutputStream(bytes)) {
            writer.setOutput(out);
            ImageWriteParam param = writer.getDefaultWriteParam();
            param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
            param.setCompressionQuality(0.85f);
            writer.write(null, new IIOImage(image, null, null), param);
        } finally {
            writer.dispose();
        }
        return bytes.toByteArray();
    }
}
