package io.github.clip4j.image;

import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.metadata.IIOMetadata;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
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

    private static final Logger LOG = LoggerFactory.getLogger(ImageDecoder.class);
    private static final String DEFAULT_NAME = "in-memory image";
    private static final String TWELVEMONKEYS = "com.twelvemonkeys.";
    private static final String JDK = "com.sun.imageio.";

    private ImageDecoder() {}

    /** Decodes an image file. */
    public static DecodedImage decode(Path path) {
        Objects.requireNonNull(path, "path");
        String name = path.toString();
        if (Files.isDirectory(path)) {
            throw new InvalidImageException(name + " is a directory, not an image file");
        }
        byte[] bytes;
        try {
            if (Files.size(path) > Integer.MAX_VALUE - 8) {
                throw new InvalidImageException("Image file " + name + " is larger than 2 GB; no supported image is");
            }
            bytes = Files.readAllBytes(path);
        } catch (NoSuchFileException e) {
            throw new InvalidImageException("Image file not found: " + name + "; check the path", e);
        } catch (IOException e) {
            throw new InvalidImageException("Cannot read image file " + name + ": " + e, e);
        }
        return decode(bytes, name);
    }

    /** Decodes an image held in memory. */
    public static DecodedImage decode(byte[] bytes) {
        return decode(bytes, DEFAULT_NAME);
    }

    /** Decodes an image held in memory; {@code name} (e.g. a URL or upload id) is used in error messages. */
    public static DecodedImage decode(byte[] bytes, String name) {
        Objects.requireNonNull(bytes, "bytes");
        Objects.requireNonNull(name, "name");
        if (bytes.length == 0) {
            throw new InvalidImageException("Image " + name + " is empty (0 bytes); expected a PNG, JPEG, GIF, BMP or WebP file");
        }
        ImageFormat format = ImageFormat.sniff(bytes);
        if (format == null) {
            throw new InvalidImageException("Image " + name + " is not a supported image: expected a PNG, JPEG, GIF, BMP or "
                    + "WebP file, the first bytes are " + hexPrefix(bytes));
        }
        try {
            switch (format) {
                case PNG:
                    return decodePng(bytes, name);
                case JPEG:
                    return decodeJpeg(bytes, name);
                case GIF:
                    return decodeGif(bytes, name);
                default:
                    return decodeGeneric(bytes, name, format);
            }
        } catch (InvalidImageException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw new InvalidImageException("Cannot decode " + name + " as " + format + ": the file is truncated or corrupt ("
                    + e + ")", e);
        }
    }

    /** Reads the stream to its end (the caller closes it) and decodes it; {@code name} is used in error messages. */
    public static DecodedImage decode(InputStream in, String name) {
        Objects.requireNonNull(in, "in");
        Objects.requireNonNull(name, "name");
        byte[] bytes;
        try {
            bytes = in.readAllBytes();
        } catch (IOException e) {
            throw new InvalidImageException("Cannot read image " + name + ": " + e, e);
        }
        return decode(bytes, name);
    }

    /** Reads the stream to its end (the caller closes it) and decodes it. */
    public static DecodedImage decode(InputStream in) {
        return decode(in, DEFAULT_NAME);
    }

    // ---------------------------------------------------------------------------------------------- PNG

    private static DecodedImage decodePng(byte[] bytes, String name) throws IOException {
        PngHeader header = PngHeader.parse(bytes);
        if (header == null) {
            throw new InvalidImageException("Image " + name + " is not a valid PNG: its IHDR header is missing or cut off");
        }
        checkSize(name, header.width(), header.height());
        PillowMode mode = pngMode(header.bitDepth(), header.colorType());
        if (mode == null) {
            throw new InvalidImageException("Image " + name + " is not a valid PNG: bit depth " + header.bitDepth()
                    + " with colour type " + header.colorType() + " does not exist");
        }
        Raster raster = read(bytes, name, "png", JDK, false).getRaster();
        checkDecodedSize(name, raster, header.width(), header.height());
        int width = header.width();
        int height = header.height();
        int bits = raster.getSampleModel().getSampleSize(0);
        switch (mode) {
            case I:
                return new DecodedImage(width, height, mode, null, readBand(raster, 0), null);
            case P: {
                byte[] palette = grayRampPalette();
                if (header.palette() != null) {
                    System.arraycopy(header.palette(), 0, palette, 0, header.palette().length);
                }
                byte[] samples = new byte[width * height];
                copyBand(raster, 0, samples, 1, 0, Scale.NONE);
                return new DecodedImage(width, height, mode, samples, null, palette);
            }
            case ONE: {
                byte[] samples = new byte[width * height];
                copyBand(raster, 0, samples, 1, 0, Scale.NONZERO_TO_255);
                return new DecodedImage(width, height, mode, samples, null, null);
            }
            case RGBA:
                if (raster.getNumBands() == 2) {
                    // 16-bit gray + alpha: Pillow's LA;16B unpacker makes RGBA from the high bytes.
                    byte[] samples = new byte[width * height * 4];
                    Scale scale = Scale.forBits(bits);
                    copyBand(raster, 0, samples, 4, 0, scale);
                    copyBand(raster, 0, samples, 4, 1, scale);
                    copyBand(raster, 0, samples, 4, 2, scale);
                    copyBand(raster, 1, samples, 4, 3, scale);
                    return new DecodedImage(width, height, mode, samples, null, null);
                }
                return fromBands(raster, mode, new int[] {0, 1, 2, 3}, Scale.forBits(bits));
            case LA:
                return fromBands(raster, mode, new int[] {0, raster.getNumBands() - 1}, Scale.forBits(bits));
            case RGB:
                return fromBands(raster, mode, new int[] {0, 1, 2}, Scale.forBits(bits));
            default: // L
                return fromBands(raster, mode, new int[] {0}, Scale.forBits(bits));
        }
    }

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

    private static DecodedImage decodeJpeg(byte[] bytes, String name) throws IOException {
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
        // The raw raster: libjpeg's decoding and upsampling without any colour conversion or ICC handling,
        // which is then converted the way Pillow's libjpeg does.
        Raster raster = readRaster(bytes, name);
        checkDecodedSize(name, raster, header.width(), header.height());
        int[] bands = new int[header.components()];
        for (int b = 0; b < bands.length; b++) {
            bands[b] = b;
        }
        switch (header.colorSpace()) {
            case GRAY:
                return fromBands(raster, PillowMode.L, bands, Scale.NONE);
            case RGB:
                return fromBands(raster, PillowMode.RGB, bands, Scale.NONE);
            case YCBCR: {
                DecodedImage ycc = fromBands(raster, PillowMode.RGB, bands, Scale.NONE);
                JpegColor.yccToRgbInPlace(ycc.samples(), 3);
                return ycc;
            }
            case CMYK: {
                // Pillow assumes Adobe's inverted CMYK ("CMYK;I") for every 4-component JPEG.
                DecodedImage cmyk = fromBands(raster, PillowMode.CMYK, bands, Scale.NONE);
                invert(cmyk.samples(), 4, 4);
                return cmyk;
            }
            default: { // YCCK: libjpeg makes inverted CMY from the YCC part and passes K; Pillow inverts all four.
                DecodedImage ycck = fromBands(raster, PillowMode.CMYK, bands, Scale.NONE);
                byte[] samples = ycck.samples();
                JpegColor.yccToRgbInPlace(samples, 4);
                for (int p = 3; p < samples.length; p += 4) {
                    samples[p] = (byte) (255 - (samples[p] & 0xFF));
                }
                return ycck;
            }
        }
    }

    private static void invert(byte[] samples, int bands, int count) {
        for (int p = 0; p < samples.length; p += bands) {
            for (int b = 0; b < count; b++) {
                samples[p + b] = (byte) (255 - (samples[p + b] & 0xFF));
            }
        }
    }

    private static Raster readRaster(byte[] bytes, String name) throws IOException {
        ImageReader reader = reader("jpeg", TWELVEMONKEYS, name);
        List<String> warnings = new ArrayList<>();
        try (ImageInputStream input = new MemoryCacheImageInputStream(new ByteArrayInputStream(bytes))) {
            reader.setInput(input, true, true);
            reader.addIIOReadWarningListener((source, warning) -> warnings.add(warning));
            Raster raster = reader.readRaster(0, null);
            checkWarnings(name, warnings, "JPEG");
            return raster;
        } finally {
            reader.dispose();
        }
    }

    // ---------------------------------------------------------------------------------------------- GIF

    private static DecodedImage decodeGif(byte[] bytes, String name) throws IOException {
        if (bytes.length < 13) {
            throw new InvalidImageException("Image " + name + " is not a valid GIF: its header is cut off");
        }
        // Pillow's size is the logical screen; the first frame is placed on it at its own offset.
        int width = (bytes[6] & 0xFF) | ((bytes[7] & 0xFF) << 8);
        int height = (bytes[8] & 0xFF) | ((bytes[9] & 0xFF) << 8);
        checkSize(name, width, height);
        ImageReader reader = reader("gif", JDK, name);
        List<String> warnings = new ArrayList<>();
        try (ImageInputStream input = new MemoryCacheImageInputStream(new ByteArrayInputStream(bytes))) {
            reader.setInput(input, false, false);
            reader.addIIOReadWarningListener((source, warning) -> warnings.add(warning));
            BufferedImage frame = reader.read(0);
            checkWarnings(name, warnings, "GIF");
            if (!(frame.getColorModel() instanceof IndexColorModel)) {
                throw new InvalidImageException("Image " + name + " is a GIF without a palette; it cannot be decoded");
            }
            IIOMetadata metadata = reader.getImageMetadata(0);
            Node root = metadata.getAsTree("javax_imageio_gif_image_1.0");
            int left = intAttribute(root, "ImageDescriptor", "imageLeftPosition", 0);
            int top = intAttribute(root, "ImageDescriptor", "imageTopPosition", 0);
            boolean transparent = "TRUE".equalsIgnoreCase(attribute(root, "GraphicControlExtension", "transparentColorFlag"));
            int background = transparent ? intAttribute(root, "GraphicControlExtension", "transparentColorIndex", 0) : 0;

            byte[] samples = new byte[width * height];
            Arrays.fill(samples, (byte) background);
            Raster raster = frame.getRaster();
            int[] row = new int[raster.getWidth()];
            for (int y = 0; y < raster.getHeight() && top + y < height; y++) {
                raster.getSamples(0, y, row.length, 1, 0, row);
                for (int x = 0; x < row.length && left + x < width; x++) {
                    samples[(top + y) * width + left + x] = (byte) row[x];
                }
            }
            IndexColorModel colours = (IndexColorModel) frame.getColorModel();
            if (isIdentityGrayRamp(colours)) {
                // Pillow drops a palette whose entry i is (i, i, i): the image is then L, resized with bicubic.
                return new DecodedImage(width, height, PillowMode.L, samples, null, null);
            }
            return new DecodedImage(width, height, PillowMode.P, samples, null, paletteOf(colours));
        } finally {
            reader.dispose();
        }
    }

    private static boolean isIdentityGrayRamp(IndexColorModel colours) {
        for (int i = 0; i < colours.getMapSize(); i++) {
            if (colours.getRed(i) != i || colours.getGreen(i) != i || colours.getBlue(i) != i) {
                return false;
            }
        }
        return true;
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

    // ------------------------------------------------------------------------------------- BMP and WebP

    private static DecodedImage decodeGeneric(byte[] bytes, String name, ImageFormat format) throws IOException {
        String formatName = format == ImageFormat.BMP ? "bmp" : "webp";
        WebpHeader webp = null;
        if (format == ImageFormat.WEBP) {
            webp = WebpHeader.parse(bytes);
            if (webp == null) {
                throw new InvalidImageException("Image " + name + " is not a valid WebP: its first chunk is cut off or unknown");
            }
            checkSize(name, webp.width(), webp.height());
        }
        ImageReader reader = reader(formatName, TWELVEMONKEYS, name);
        List<String> warnings = new ArrayList<>();
        try (ImageInputStream input = new MemoryCacheImageInputStream(new ByteArrayInputStream(bytes))) {
            reader.setInput(input, true, true);
            reader.addIIOReadWarningListener((source, warning) -> warnings.add(warning));
            checkSize(name, reader.getWidth(0), reader.getHeight(0));
            BufferedImage image = reader.read(0);
            checkWarnings(name, warnings, format.name());
            if (webp != null) {
                return fromBufferedImage(image, webp.alpha() ? PillowMode.RGBA : PillowMode.RGB);
            }
            return fromBufferedImage(image, null);
        } finally {
            reader.dispose();
        }
    }

    /**
     * Pillow's view of an indexed or true-colour Java image (BMP rules), or of any image as {@code trueColour}
     * (RGB or RGBA) when the format decides the mode.
     */
    private static DecodedImage fromBufferedImage(BufferedImage image, PillowMode trueColour) {
        int width = image.getWidth();
        int height = image.getHeight();
        Raster raster = image.getRaster();
        ColorModel model = image.getColorModel();
        if (trueColour == null && model instanceof IndexColorModel) {
            IndexColorModel icm = (IndexColorModel) model;
            byte[] palette = paletteOf(icm);
            byte[] indices = new byte[width * height];
            copyBand(raster, 0, indices, 1, 0, Scale.NONE);
            int colors = icm.getMapSize();
            if (colors == 2 && isGray(palette, 0, 0) && isGray(palette, 1, 255)) {
                for (int i = 0; i < indices.length; i++) {
                    indices[i] = (byte) (indices[i] != 0 ? 255 : 0);
                }
                return new DecodedImage(width, height, PillowMode.ONE, indices, null, null);
            }
            boolean identityGray = colors != 2;
            for (int i = 0; i < colors && identityGray; i++) {
                identityGray = isGray(palette, i, i);
            }
            return identityGray
                    ? new DecodedImage(width, height, PillowMode.L, indices, null, null)
                    : new DecodedImage(width, height, PillowMode.P, indices, null, palette);
        }
        if (trueColour == null && model.getNumComponents() == 1 && raster.getNumBands() == 1) {
            return fromBands(raster, PillowMode.L, new int[] {0}, Scale.forBits(raster.getSampleModel().getSampleSize(0)));
        }
        PillowMode mode = trueColour != null ? trueColour : model.hasAlpha() ? PillowMode.RGBA : PillowMode.RGB;
        boolean alpha = mode == PillowMode.RGBA;
        byte[] samples = new byte[width * height * mode.bands()];
        int[] argb = new int[width];
        for (int y = 0; y < height; y++) {
            image.getRGB(0, y, width, 1, argb, 0, width);
            for (int x = 0; x < width; x++) {
                int o = (y * width + x) * mode.bands();
                int v = argb[x];
                samples[o] = (byte) (v >> 16);
                samples[o + 1] = (byte) (v >> 8);
                samples[o + 2] = (byte) v;
                if (alpha) {
                    samples[o + 3] = (byte) (v >>> 24);
                }
            }
        }
        return new DecodedImage(width, height, mode, samples, null, null);
    }

    private static boolean isGray(byte[] palette, int index, int value) {
        int p = index * 3;
        return (palette[p] & 0xFF) == value && (palette[p + 1] & 0xFF) == value && (palette[p + 2] & 0xFF) == value;
    }

    // ------------------------------------------------------------------------------------------ helpers

    /** How a raster sample becomes Pillow's 8-bit sample. */
    private enum Scale {
        NONE, NONZERO_TO_255, TIMES_255, TIMES_85, TIMES_17, HIGH_BYTE;

        static Scale forBits(int bits) {
            switch (bits) {
                case 1: return TIMES_255;
                case 2: return TIMES_85;
                case 4: return TIMES_17;
                case 16: return HIGH_BYTE;
                default: return NONE;
            }
        }

        int apply(int v) {
            switch (this) {
                case NONZERO_TO_255: return v != 0 ? 255 : 0;
                case TIMES_255: return v * 255;
                case TIMES_85: return v * 85;
                case TIMES_17: return v * 17;
                case HIGH_BYTE: return v >>> 8;
                default: return v;
            }
        }
    }

    private static DecodedImage fromBands(Raster raster, PillowMode mode, int[] bands, Scale scale) {
        int width = raster.getWidth();
        int height = raster.getHeight();
        byte[] samples = new byte[width * height * bands.length];
        for (int b = 0; b < bands.length; b++) {
            copyBand(raster, bands[b], samples, bands.length, b, scale);
        }
        return new DecodedImage(width, height, mode, samples, null, null);
    }

    private static void copyBand(Raster raster, int band, byte[] out, int stride, int offset, Scale scale) {
        int width = raster.getWidth();
        int[] row = new int[width];
        for (int y = 0; y < raster.getHeight(); y++) {
            raster.getSamples(raster.getMinX(), raster.getMinY() + y, width, 1, band, row);
            int o = y * width * stride + offset;
            for (int x = 0; x < width; x++, o += stride) {
                out[o] = (byte) scale.apply(row[x]);
            }
        }
    }

    private static int[] readBand(Raster raster, int band) {
        int width = raster.getWidth();
        int[] out = new int[width * raster.getHeight()];
        int[] row = new int[width];
        for (int y = 0; y < raster.getHeight(); y++) {
            raster.getSamples(raster.getMinX(), raster.getMinY() + y, width, 1, band, row);
            System.arraycopy(row, 0, out, y * width, width);
        }
        return out;
    }

    /** Pillow starts every palette as a gray ramp and overwrites the entries the file defines. */
    private static byte[] grayRampPalette() {
        byte[] palette = new byte[768];
        for (int i = 0; i < 256; i++) {
            palette[i * 3] = (byte) i;
            palette[i * 3 + 1] = (byte) i;
            palette[i * 3 + 2] = (byte) i;
        }
        return palette;
    }

    private static byte[] paletteOf(IndexColorModel icm) {
        byte[] palette = grayRampPalette();
        for (int i = 0; i < Math.min(256, icm.getMapSize()); i++) {
            palette[i * 3] = (byte) icm.getRed(i);
            palette[i * 3 + 1] = (byte) icm.getGreen(i);
            palette[i * 3 + 2] = (byte) icm.getBlue(i);
        }
        return palette;
    }

    private static BufferedImage read(byte[] bytes, String name, String formatName, String preferred, boolean metadataNeeded)
            throws IOException {
        ImageReader reader = reader(formatName, preferred, name);
        List<String> warnings = new ArrayList<>();
        try (ImageInputStream input = new MemoryCacheImageInputStream(new ByteArrayInputStream(bytes))) {
            reader.setInput(input, true, !metadataNeeded);
            reader.addIIOReadWarningListener((source, warning) -> warnings.add(warning));
            BufferedImage image = reader.read(0);
            checkWarnings(name, warnings, formatName.toUpperCase(Locale.ROOT));
            return image;
        } finally {
            reader.dispose();
        }
    }

    private static ImageReader reader(String formatName, String preferredPackage, String name) {
        Iterator<ImageReader> readers = ImageIO.getImageReadersByFormatName(formatName);
        ImageReader chosen = null;
        while (readers.hasNext()) {
            ImageReader candidate = readers.next();
            if (chosen == null || candidate.getClass().getName().startsWith(preferredPackage)
                    && !chosen.getClass().getName().startsWith(preferredPackage)) {
                chosen = candidate;
            }
        }
        if (chosen == null) {
            throw new InvalidImageException("No ImageIO reader for " + formatName + " is available to decode " + name
                    + "; add com.twelvemonkeys.imageio:imageio-" + formatName + " to the class path");
        }
        return chosen;
    }

    /** Pillow refuses truncated files; Java's decoders only warn and fill the rest with gray. */
    private static void checkWarnings(String name, List<String> warnings, String format) {
        for (String warning : warnings) {
            String lower = warning.toLowerCase(Locale.ROOT);
            if (lower.contains("truncated") || lower.contains("premature end") || lower.contains("missing eoi")) {
                throw new InvalidImageException("Image " + name + " is a truncated " + format + " file (" + warning
                        + "); the reference refuses it too: re-download or re-export the image");
            }
            LOG.debug("{}: decoder warning: {}", name, warning);
        }
    }

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

    private static String hexPrefix(byte[] bytes) {
        StringBuilder hex = new StringBuilder();
        for (int i = 0; i < Math.min(8, bytes.length); i++) {
            hex.append(String.format(Locale.ROOT, "%02x", bytes[i] & 0xFF));
        }
        return hex.toString();
    }
}
