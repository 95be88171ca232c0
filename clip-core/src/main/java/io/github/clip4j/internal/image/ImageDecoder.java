package io.github.clip4j.internal.image;

import io.github.clip4j.InvalidImageException;
import io.github.clip4j.internal.FileKinds;
import io.github.clip4j.internal.image.RasterSamples.Scale;
import java.awt.image.BufferedImage;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.Semaphore;
import org.w3c.dom.NamedNodeMap;
import org.w3c.dom.Node;

/**
 * Decodes PNG, JPEG (including CMYK and YCCK), GIF (first frame), BMP and WebP files into a {@link DecodedImage}
 * with the samples and the {@link PillowMode} the reference's {@code PIL.Image.open} would produce.
 *
 * <p>Every failure is an {@link InvalidImageException} naming the input: a missing or empty file, a truncated
 * file (Pillow refuses those too), bytes that are not an image, or an image above Pillow's decompression-bomb limit
 * of {@value #MAX_PIXELS} pixels, which is refused from the header before any pixel is decoded.
 *
 * <pre>{@code
 * DecodedImage image = ImageDecoder.decode(Path.of("photo.jpg"));
 * DecodedImage fromUpload = ImageDecoder.decode(uploadStream, "upload #42");
 * }</pre>
 *
 * <p>PNG, GIF and BMP samples are exact; JPEG samples come from Java's libjpeg-based decoder with libjpeg's own
 * colour conversion and may differ from Pillow's libjpeg-turbo by a level here and there. EXIF orientation is not
 * applied (the reference does not apply it either) and embedded ICC profiles are ignored, as Pillow ignores them.
 */
public final class ImageDecoder {
    /** Pillow's {@code DecompressionBombError} threshold: twice {@code MAX_IMAGE_PIXELS} (1024 * 1024 * 1024 / 4 / 3). */
    public static final long MAX_PIXELS = 178_956_970L;

    private static final String DEFAULT_NAME = "in-memory image";
    /** Rasters from this size on (a ~5-megapixel colour photo) are decoded one at a time (see {@link #decodeJpeg}). */
    private static final long LARGE_RASTER_BYTES = 16L << 20;
    private static final Semaphore LARGE_JPEGS = new Semaphore(1, true);
    /**
     * The largest encoded file read: 128 MiB (a 100-megapixel JPEG is a tenth of that), or half the decoding
     * budget on a small heap. Pillow has no such limit; an endless input (a device, a stream) needs one.
     */
    static final int MAX_FILE_BYTES = (int) Math.min(128L << 20, DecodeBudget.BYTES / 2);

    private ImageDecoder() {}

    /**
     * Decodes an image file, sniffing the format from its first bytes (the extension does not matter).
     *
     * @param path the file, not null
     * @return the image as Pillow would open it
     * @throws InvalidImageException if the file is missing, a directory, unreadable, empty, not a supported image,
     *     corrupt, or larger than {@link #MAX_PIXELS}; the message names the path
     */
    public static DecodedImage decode(Path path) {
        return decode(path, 0);
    }

    /**
     * Decodes an image file; with {@code draftSize > 0} a large JPEG may be decoded at a reduced size
     * ({@link FastJpegDecoder}, {@code ImageDecoding.FAST}). Errors are those of {@link #decode(Path)}.
     *
     * @param path the file, not null
     * @param draftSize the model's input resolution for FAST decoding, 0 for exact decoding
     * @return the image as Pillow would open it, or a JPEG reduced by 2, 4 or 8 (shorter side still at least
     *     {@code 2 * draftSize})
     */
    public static DecodedImage decode(Path path, int draftSize) {
        Objects.requireNonNull(path, "path");
        String name = path.toString();
        if (Files.isDirectory(path)) {
            throw new InvalidImageException(name + " is a directory, not an image file");
        }
        String notRegular = FileKinds.notRegular(path);
        if (notRegular != null) { // /dev/zero never ends, a FIFO blocks until someone writes
            throw new InvalidImageException("Image file " + name + " " + notRegular);
        }
        byte[] bytes;
        try (InputStream in = Files.newInputStream(path)) {
            if (Files.size(path) > MAX_FILE_BYTES) {
                throw tooLarge(name);
            }
            bytes = readBounded(in, name);
        } catch (NoSuchFileException e) {
            throw new InvalidImageException("Image file not found: " + name + "; check the path", e);
        } catch (IOException e) {
            throw new InvalidImageException("Cannot read image file " + name + ": " + e, e);
        }
        return decode(bytes, name, draftSize);
    }

    /**
     * Decodes an image held in memory; error messages call it "in-memory image".
     *
     * @param bytes the encoded file (PNG, JPEG, GIF, BMP or WebP), not null; not modified
     * @return the image as Pillow would open it
     * @throws InvalidImageException if the bytes are empty, not a supported image, corrupt, or too large
     */
    public static DecodedImage decode(byte[] bytes) {
        return decode(bytes, DEFAULT_NAME);
    }

    /**
     * Decodes an image held in memory, naming it in error messages.
     *
     * <pre>{@code
     * DecodedImage image = ImageDecoder.decode(upload.bytes(), "upload " + upload.id());
     * }</pre>
     *
     * @param bytes the encoded file (PNG, JPEG, GIF, BMP or WebP), not null; not modified
     * @param name what to call the image in error messages (e.g. a URL or upload id), not null
     * @return the image as Pillow would open it
     * @throws InvalidImageException if the bytes are empty, not a supported image, corrupt, or too large; the
     *     message names {@code name}
     */
    public static DecodedImage decode(byte[] bytes, String name) {
        return decode(bytes, name, 0);
    }

    /**
     * {@link #decode(byte[], String)}, with FAST decoding of large JPEGs when {@code draftSize > 0} (see
     * {@link #decode(Path, int)}).
     *
     * @param bytes the encoded file, not null; not modified
     * @param name what to call the image in error messages, not null
     * @param draftSize the model's input resolution for FAST decoding, 0 for exact decoding
     * @return the decoded image
     */
    public static DecodedImage decode(byte[] bytes, String name, int draftSize) {
        Objects.requireNonNull(bytes, "bytes");
        Objects.requireNonNull(name, "name");
        if (bytes.length == 0) {
            throw new InvalidImageException("Image " + name + " is empty (0 bytes); expected a PNG, JPEG, GIF, BMP or WebP file");
        }
        ImageFormat format = ImageFormat.sniff(bytes);
        if (format == null) {
            // Name what it looks like; never quote its bytes (the "image" may be a secret file).
            throw new InvalidImageException("Image " + name + " is not a supported image: expected a PNG, JPEG, GIF, BMP or "
                    + "WebP file, but the content looks like " + FileKinds.describe(bytes, Math.min(bytes.length, 64)));
        }
        try {
            switch (format) {
                case PNG:
                    return decodePng(bytes, name);
                case JPEG:
                    return decodeJpeg(bytes, name, draftSize);
                case GIF:
                    return decodeGif(bytes, name);
                case BMP:
                    return decodeBmp(bytes, name);
                default:
                    return decodeWebp(bytes, name);
            }
        } catch (InvalidImageException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw new InvalidImageException("Cannot decode " + name + " as " + format + ": the file is truncated or corrupt ("
                    + e + ")", e);
        }
    }

    /**
     * Reads the stream to its end and decodes it, naming it in error messages. The caller closes the stream.
     *
     * @param in the encoded file, not null
     * @param name what to call the image in error messages, not null
     * @return the image as Pillow would open it
     * @throws InvalidImageException if the stream cannot be read, or holds no supported, intact image
     */
    public static DecodedImage decode(InputStream in, String name) {
        return decode(in, name, 0);
    }

    /**
     * {@link #decode(InputStream, String)}, with FAST decoding of large JPEGs when {@code draftSize > 0}.
     *
     * @param in the encoded file, not null
     * @param name what to call the image in error messages, not null
     * @param draftSize the model's input resolution for FAST decoding, 0 for exact decoding
     * @return the decoded image
     */
    public static DecodedImage decode(InputStream in, String name, int draftSize) {
        Objects.requireNonNull(in, "in");
        Objects.requireNonNull(name, "name");
        byte[] bytes;
        try {
            bytes = readBounded(in, name);
        } catch (IOException e) {
            throw new InvalidImageException("Cannot read image " + name + ": " + e, e);
        }
        return decode(bytes, name, draftSize);
    }

    /**
     * The media type of the image format whose signature starts {@code head} ({@code image/png}, {@code image/jpeg},
     * {@code image/gif}, {@code image/bmp}, {@code image/webp}), or {@code null} if it is none of the formats the
     * decoder reads. Judged by content, never by file name: whoever hands a file on as an image (the search server)
     * asks this first.
     */
    public static String mediaType(byte[] head) {
        ImageFormat format = ImageFormat.sniff(head);
        return format == null ? null : "image/" + format.name().toLowerCase(java.util.Locale.ROOT);
    }

    /**
     * Reads the stream to its end and decodes it; error messages call it "in-memory image". The caller closes
     * the stream.
     *
     * @param in the encoded file, not null
     * @return the image as Pillow would open it
     * @throws InvalidImageException if the stream cannot be read, or holds no supported, intact image
     */
    public static DecodedImage decode(InputStream in) {
        return decode(in, DEFAULT_NAME);
    }

    /** Reads at most {@link #MAX_FILE_BYTES}; a longer input (a growing file, an endless stream) is refused. */
    private static byte[] readBounded(InputStream in, String name) throws IOException {
        try {
            return FileKinds.bounded(in, MAX_FILE_BYTES).readAllBytes();
        } catch (FileKinds.TooLargeException e) {
            throw tooLarge(name);
        }
    }

    private static InvalidImageException tooLarge(String name) {
        return new InvalidImageException(String.format(Locale.ROOT, "Image file %s is larger than %,d MB; no image"
                + " clip4j can decode within its memory budget is", name, MAX_FILE_BYTES >> 20));
    }

    // ---------------------------------------------------------------------------------------------- PNG

    private static DecodedImage decodePng(byte[] bytes, String name) throws IOException {
        PngHeader header = PngHeader.parse(bytes);
        if (header == null) {
            throw new InvalidImageException("Image " + name + " is not a valid PNG: its IHDR header is missing or cut off");
        }
        String badChunk = PngHeader.firstBadCrc(bytes);
        if (badChunk != null) { // Pillow's "broken PNG file (bad header checksum in ...)"
            throw new InvalidImageException("Image " + name + " is a broken PNG: the checksum of its " + badChunk
                    + " chunk is wrong (Pillow refuses it too); the file is corrupt");
        }
        checkSize(name, header.width(), header.height());
        PillowMode mode = pngMode(header.bitDepth(), header.colorType());
        if (mode == null) {
            throw new InvalidImageException("Image " + name + " is not a valid PNG: bit depth " + header.bitDepth()
                    + " with colour type " + header.colorType() + " does not exist");
        }
        int channels = switch (header.colorType()) {
            case 2 -> 3;
            case 4 -> 2;
            case 6 -> 4;
            default -> 1;
        };
        // ImageIO's raster (up to 16 bits, plus an alpha band for tRNS), then the samples (at most 4 bytes a pixel).
        long pixels = (long) header.width() * header.height();
        long estimate = pixels * (channels + 1) * (header.bitDepth() == 16 ? 2 : 1) + pixels * 4;
        try (DecodeBudget.Permit permit = DecodeBudget.acquire(name, bytes.length + estimate)) {
            return decodePng(bytes, name, header, mode);
        }
    }

    private static DecodedImage decodePng(byte[] bytes, String name, PngHeader header, PillowMode mode)
            throws IOException {
        Raster raster = ImageIoReading.read(bytes, name, "png", ImageIoReading.JDK, false,
                reader -> reader.read(0).getRaster());
        checkDecodedSize(name, raster, header.width(), header.height());
        int width = header.width();
        int height = header.height();
        // Java may add an alpha band for tRNS; Pillow keeps the mode and ignores it, so bands are picked by mode.
        Scale scale = Scale.forBits(raster.getSampleModel().getSampleSize(0));
        switch (mode) {
            case I:
                return new DecodedImage(width, height, mode, null, RasterSamples.readBand(raster, 0), null);
            case P: {
                byte[] palette = RasterSamples.grayRampPalette();
                if (header.palette() != null) {
                    System.arraycopy(header.palette(), 0, palette, 0, header.palette().length);
                }
                byte[] samples = new byte[width * height];
                RasterSamples.copyBand(raster, 0, samples, 1, 0, Scale.NONE);
                return new DecodedImage(width, height, mode, samples, null, palette);
            }
            case ONE:
                return RasterSamples.fromBands(raster, mode, new int[] {0}, Scale.NONZERO_TO_255);
            case RGBA:
                // 16-bit gray + alpha has two bands: Pillow's LA;16B unpacker makes RGBA from the high bytes.
                return RasterSamples.fromBands(raster, mode,
                        raster.getNumBands() == 2 ? new int[] {0, 0, 0, 1} : new int[] {0, 1, 2, 3}, scale);
            case LA:
                return RasterSamples.fromBands(raster, mode, new int[] {0, raster.getNumBands() - 1}, scale);
            case RGB:
                return RasterSamples.fromBands(raster, mode, new int[] {0, 1, 2}, scale);
            default: // L
                return RasterSamples.fromBands(raster, mode, new int[] {0}, scale);
        }
    }

    /** Pillow's {@code PngImagePlugin._MODES}: the mode for each (bit depth, colour type). */
    private static PillowMode pngMode(int bitDepth, int colorType) {
        switch (colorType) {
            case 0:
                switch (bitDepth) {
                    case 1: return PillowMode.ONE;
                    case 2: case 4: case 8: return PillowMode.L;
                    case 16: return PillowMode.I;
                    default: return null;
                }
            case 2:
                return bitDepth == 8 || bitDepth == 16 ? PillowMode.RGB : null;
            case 3:
                return bitDepth == 1 || bitDepth == 2 || bitDepth == 4 || bitDepth == 8 ? PillowMode.P : null;
            case 4:
                return bitDepth == 8 ? PillowMode.LA : bitDepth == 16 ? PillowMode.RGBA : null;
            case 6:
                return bitDepth == 8 || bitDepth == 16 ? PillowMode.RGBA : null;
            default:
                return null;
        }
    }

    // --------------------------------------------------------------------------------------------- JPEG

    private static DecodedImage decodeJpeg(byte[] bytes, String name, int draftSize) throws IOException {
        JpegHeader header = JpegHeader.parse(bytes);
        if (header == null) {
            throw new InvalidImageException("Image " + name + " is not a valid JPEG: no frame header before the image data "
                    + "(truncated or corrupt)");
        }
        checkSize(name, header.width(), header.height());
        if (header.colorSpace() == null) {
            throw new InvalidImageException("Image " + name + " is a JPEG with " + header.components()
                    + " components; only 1 (gray), 3 (colour) and 4 (CMYK) are supported");
        }
        int n = draftSize > 0 ? FastJpegDecoder.reduction(header.width(), header.height(), draftSize) : 1;
        if (n > 1) {
            // ImageDecoding.FAST: a large, intact JPEG decoded at 1/2, 1/4 or 1/8 within a budget for the reduced
            // size; null sends it down the exact path, which then gives the image or the exact path's error.
            long reduced = 2L * ((header.width() + n - 1) / n) * ((header.height() + n - 1) / n) * header.components();
            try (DecodeBudget.Permit permit = DecodeBudget.acquire(name, bytes.length + reduced)) {
                DecodedImage image = FastJpegDecoder.decode(bytes, header, n);
                if (image != null) {
                    return image;
                }
            }
        }
        long estimate = 2L * header.width() * header.height() * header.components(); // raster + samples
        try (DecodeBudget.Permit permit = DecodeBudget.acquire(name, bytes.length + estimate)) {
            if (estimate / 2 < LARGE_RASTER_BYTES) {
                return decodeJpeg(bytes, name, header);
            }
            // The JDK's libjpeg decodes inside JNI critical regions (scanline by scanline); a Java thread that
            // needs a collection meanwhile makes the JVM grow the heap instead (GCLocker), and two threads decoding
            // 12-megapixel photos at once made that happen often: the heap of `clip index --decode exact` reached
            // 1.5 GB on 200 photos. One large full-size JPEG at a time keeps the other decode threads out of it.
            try {
                LARGE_JPEGS.acquire();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InvalidImageException("Decoding " + name + " was interrupted", e);
            }
            try {
                return decodeJpeg(bytes, name, header);
            } finally {
                LARGE_JPEGS.release();
            }
        }
    }

    private static DecodedImage decodeJpeg(byte[] bytes, String name, JpegHeader header) throws IOException {
        // The raw raster is libjpeg's decoding and upsampling without colour conversion or ICC handling; it is
        // converted here the way Pillow's libjpeg converts it.
        Raster raster = ImageIoReading.read(bytes, name, "jpeg", ImageIoReading.TWELVEMONKEYS, false,
                reader -> reader.readRaster(0, null));
        checkDecodedSize(name, raster, header.width(), header.height());
        int[] bands = new int[header.components()];
        for (int b = 0; b < bands.length; b++) {
            bands[b] = b;
        }
        switch (header.colorSpace()) {
            case GRAY:
                return RasterSamples.fromBands(raster, PillowMode.L, bands, Scale.NONE);
            case RGB:
                return RasterSamples.fromBands(raster, PillowMode.RGB, bands, Scale.NONE);
            case YCBCR: {
                DecodedImage image = RasterSamples.fromBands(raster, PillowMode.RGB, bands, Scale.NONE);
                JpegColor.yccToRgbInPlace(image.samples(), 3);
                return image;
            }
            case CMYK: {
                // Pillow reads every 4-component JPEG as Adobe's inverted CMYK ("CMYK;I").
                DecodedImage image = RasterSamples.fromBands(raster, PillowMode.CMYK, bands, Scale.NONE);
                invertFrom(image.samples(), 0, 4);
                return image;
            }
            default: { // YCCK: libjpeg makes inverted CMY from the YCC part and passes K; Pillow inverts all four.
                DecodedImage image = RasterSamples.fromBands(raster, PillowMode.CMYK, bands, Scale.NONE);
                JpegColor.yccToRgbInPlace(image.samples(), 4);
                invertFrom(image.samples(), 3, 4);
                return image;
            }
        }
    }

    /** Inverts bands {@code firstBand .. bands - 1} of every pixel. */
    private static void invertFrom(byte[] samples, int firstBand, int bands) {
        for (int p = 0; p < samples.length; p += bands) {
            for (int b = firstBand; b < bands; b++) {
                samples[p + b] = (byte) (255 - (samples[p + b] & 0xFF));
            }
        }
    }

    // ---------------------------------------------------------------------------------------------- GIF

    private static DecodedImage decodeGif(byte[] bytes, String name) throws IOException {
        if (bytes.length < 13) {
            throw new InvalidImageException("Image " + name + " is not a valid GIF: its header is cut off");
        }
        // Pillow's size is the logical screen; the first frame is placed on it at its own offset.
        int screenWidth = (bytes[6] & 0xFF) | ((bytes[7] & 0xFF) << 8);
        int screenHeight = (bytes[8] & 0xFF) | ((bytes[9] & 0xFF) << 8);
        checkSize(name, screenWidth, screenHeight);
        return ImageIoReading.read(bytes, name, "gif", ImageIoReading.JDK, true, reader -> {
            // The frame's descriptor, read before any pixel: like Pillow, a frame that reaches beyond the logical
            // screen enlarges the image, and the decompression-bomb check applies to the enlarged size.
            Node descriptor = reader.getImageMetadata(0).getAsTree("javax_imageio_gif_image_1.0");
            long frameRight = intAttribute(descriptor, "ImageDescriptor", "imageLeftPosition", 0)
                    + (long) intAttribute(descriptor, "ImageDescriptor", "imageWidth", 0);
            long frameBottom = intAttribute(descriptor, "ImageDescriptor", "imageTopPosition", 0)
                    + (long) intAttribute(descriptor, "ImageDescriptor", "imageHeight", 0);
            int width = (int) Math.max(screenWidth, frameRight);
            int height = (int) Math.max(screenHeight, frameBottom);
            checkSize(name, width, height);
            long framePixels = (long) intAttribute(descriptor, "ImageDescriptor", "imageWidth", 0)
                    * intAttribute(descriptor, "ImageDescriptor", "imageHeight", 0);
            try (DecodeBudget.Permit permit = DecodeBudget.acquire(name,
                    bytes.length + framePixels + 2L * width * height)) {
                return gifFrame(reader, name, width, height);
            }
        });
    }

    private static DecodedImage gifFrame(javax.imageio.ImageReader reader, String name, int width, int height)
            throws IOException {
        {
            BufferedImage frame = reader.read(0);
            if (!(frame.getColorModel() instanceof IndexColorModel)) {
                throw new InvalidImageException("Image " + name + " is a GIF without a palette; it cannot be decoded");
            }
            Node root = reader.getImageMetadata(0).getAsTree("javax_imageio_gif_image_1.0");
            int left = intAttribute(root, "ImageDescriptor", "imageLeftPosition", 0);
            int top = intAttribute(root, "ImageDescriptor", "imageTopPosition", 0);
            boolean transparent = "TRUE".equalsIgnoreCase(attribute(root, "GraphicControlExtension", "transparentColorFlag"));
            // Outside the frame: the transparent index if there is one, else index 0 (a new zeroed image).
            int background = transparent ? intAttribute(root, "GraphicControlExtension", "transparentColorIndex", 0) : 0;

            byte[] samples = new byte[width * height];
            Arrays.fill(samples, (byte) background);
            Raster raster = frame.getRaster();
            int[] row = new int[raster.getWidth()];
            for (int y = 0; y < raster.getHeight() && top + y < height; y++) {
                raster.getSamples(raster.getMinX(), raster.getMinY() + y, row.length, 1, 0, row);
                for (int x = 0; x < row.length && left + x < width; x++) {
                    samples[(top + y) * width + left + x] = (byte) row[x];
                }
            }
            IndexColorModel colours = (IndexColorModel) frame.getColorModel();
            if (RasterSamples.isIdentityGrayRamp(colours)) {
                // Pillow drops a palette whose entry i is (i, i, i): the image is then L, resized with bicubic.
                return new DecodedImage(width, height, PillowMode.L, samples, null, null);
            }
            return new DecodedImage(width, height, PillowMode.P, samples, null, RasterSamples.paletteOf(colours));
        }
    }

    private static String attribute(Node root, String element, String attribute) {
        for (Node child = root.getFirstChild(); child != null; child = child.getNextSibling()) {
            if (element.equals(child.getNodeName())) {
                NamedNodeMap attributes = child.getAttributes();
                Node value = attributes == null ? null : attributes.getNamedItem(attribute);
                return value == null ? null : value.getNodeValue();
            }
        }
        return null;
    }

    private static int intAttribute(Node root, String element, String attribute, int fallback) {
        String value = attribute(root, element, attribute);
        return value == null ? fallback : Integer.parseInt(value);
    }

    // --------------------------------------------------------------------------------------------- BMP

    private static DecodedImage decodeBmp(byte[] bytes, String name) throws IOException {
        return ImageIoReading.read(bytes, name, "bmp", ImageIoReading.TWELVEMONKEYS, false, reader -> {
            checkSize(name, reader.getWidth(0), reader.getHeight(0));
            long pixels = (long) reader.getWidth(0) * reader.getHeight(0);
            try (DecodeBudget.Permit permit = DecodeBudget.acquire(name, bytes.length + 8 * pixels)) {
                return RasterSamples.fromBmp(reader.read(0));
            }
        });
    }

    // -------------------------------------------------------------------------------------------- WebP

    private static DecodedImage decodeWebp(byte[] bytes, String name) throws IOException {
        WebpHeader header = WebpHeader.parse(bytes);
        if (header == null) {
            throw new InvalidImageException("Image " + name + " is not a valid WebP: its first chunk is cut off or unknown");
        }
        checkSize(name, header.width(), header.height());
        PillowMode mode = header.alpha() ? PillowMode.RGBA : PillowMode.RGB;
        long pixels = (long) header.width() * header.height();
        try (DecodeBudget.Permit permit = DecodeBudget.acquire(name, bytes.length + 8 * pixels)) {
            return ImageIoReading.read(bytes, name, "webp", ImageIoReading.TWELVEMONKEYS, false,
                    reader -> RasterSamples.fromArgb(reader.read(0), mode));
        }
    }

    // ------------------------------------------------------------------------------------------ checks

    private static void checkSize(String name, int width, int height) {
        if (width < 1 || height < 1) {
            throw new InvalidImageException("Image " + name + " declares an empty size " + width + "x" + height);
        }
        long pixels = (long) width * height;
        if (pixels > MAX_PIXELS) {
            throw new InvalidImageException(String.format(Locale.ROOT,
                    "Image %s is %dx%d = %,d pixels, above the limit of %,d pixels (Pillow's decompression-bomb "
                            + "limit); downscale it first", name, width, height, pixels, MAX_PIXELS));
        }
    }

    private static void checkDecodedSize(String name, Raster raster, int width, int height) {
        if (raster.getWidth() != width || raster.getHeight() != height) {
            throw new InvalidImageException("Image " + name + " decoded to " + raster.getWidth() + "x" + raster.getHeight()
                    + " but its header says " + width + "x" + height + "; the file is corrupt");
        }
    }
}
