package io.github.clip4j.internal.image;

import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.ComponentSampleModel;
import java.awt.image.DataBufferByte;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;

/** Turns Java2D rasters into {@link DecodedImage} samples the way Pillow unpacks the same file. */
final class RasterSamples {
    private RasterSamples() {}

    /** How a raster sample becomes Pillow's 8-bit sample (Pillow scales low bit depths and keeps high bytes). */
    enum Scale {
        NONE, NONZERO_TO_255, TIMES_255, TIMES_85, TIMES_17, HIGH_BYTE;

        /** The scale for samples of {@code bits} bits. */
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

    /**
     * An 8-bit image in {@code mode} whose band {@code b} is raster band {@code bands[b]}.
     *
     * @param raster a raster a decoder has just made for this call and drops afterwards: when its bytes are
     *     already laid out as the samples (the JPEG reader's colour and gray rasters), its array becomes the
     *     image's, so a 12-megapixel photo does not need a second 36 MB array
     */
    static DecodedImage fromBands(Raster raster, PillowMode mode, int[] bands, Scale scale) {
        int width = raster.getWidth();
        int height = raster.getHeight();
        byte[] own = scale == Scale.NONE ? samplesAsLaidOut(raster, bands) : null;
        if (own != null) {
            return new DecodedImage(width, height, mode, own, null, null);
        }
        byte[] samples = new byte[width * height * bands.length];
        if (scale == Scale.NONE && copyInterleavedBytes(raster, bands, samples)) {
            return new DecodedImage(width, height, mode, samples, null, null);
        }
        for (int b = 0; b < bands.length; b++) {
            copyBand(raster, bands[b], samples, bands.length, b, scale);
        }
        return new DecodedImage(width, height, mode, samples, null, null);
    }

    /**
     * The raster's own array when it holds exactly the samples {@link #fromBands} would copy out (one byte bank,
     * bands interleaved in the wanted order, rows packed, nothing before or after), else null.
     */
    private static byte[] samplesAsLaidOut(Raster raster, int[] bands) {
        if (!(raster.getSampleModel() instanceof ComponentSampleModel model)
                || !(raster.getDataBuffer() instanceof DataBufferByte buffer) || buffer.getNumBanks() != 1
                || buffer.getOffset() != 0 || raster.getMinX() != raster.getSampleModelTranslateX()
                || raster.getMinY() != raster.getSampleModelTranslateY()) {
            return null;
        }
        int count = bands.length;
        int[] offsets = model.getBandOffsets();
        if (model.getPixelStride() != count || model.getScanlineStride() != (long) raster.getWidth() * count) {
            return null;
        }
        for (int b = 0; b < count; b++) {
            if (offsets[bands[b]] != b) {
                return null;
            }
        }
        byte[] data = buffer.getData();
        return data.length == (long) raster.getWidth() * raster.getHeight() * count ? data : null;
    }

    /** The fast path for the common byte rasters (what the JPEG and PNG readers produce); false if not one. */
    private static boolean copyInterleavedBytes(Raster raster, int[] bands, byte[] out) {
        if (!(raster.getSampleModel() instanceof ComponentSampleModel)
                || !(raster.getDataBuffer() instanceof DataBufferByte)
                || raster.getDataBuffer().getNumBanks() != 1) {
            return false;
        }
        ComponentSampleModel model = (ComponentSampleModel) raster.getSampleModel();
        byte[] data = ((DataBufferByte) raster.getDataBuffer()).getData();
        int pixelStride = model.getPixelStride();
        int scanlineStride = model.getScanlineStride();
        int[] offsets = model.getBandOffsets();
        int base = raster.getDataBuffer().getOffset()
                + (raster.getMinY() - raster.getSampleModelTranslateY()) * scanlineStride
                + (raster.getMinX() - raster.getSampleModelTranslateX()) * pixelStride;
        int width = raster.getWidth();
        int count = bands.length;
        for (int y = 0, o = 0; y < raster.getHeight(); y++) {
            int rowStart = base + y * scanlineStride;
            for (int x = 0; x < width; x++) {
                int pixel = rowStart + x * pixelStride;
                for (int b = 0; b < count; b++, o++) {
                    out[o] = data[pixel + offsets[bands[b]]];
                }
            }
        }
        return true;
    }

    /** Copies one raster band into every {@code stride}-th byte of {@code out}, from {@code offset}. */
    static void copyBand(Raster raster, int band, byte[] out, int stride, int offset, Scale scale) {
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

    /** One band's samples as ints, row-major. */
    static int[] readBand(Raster raster, int band) {
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
    static byte[] grayRampPalette() {
        byte[] palette = new byte[768];
        for (int i = 0; i < 256; i++) {
            palette[i * 3] = (byte) i;
            palette[i * 3 + 1] = (byte) i;
            palette[i * 3 + 2] = (byte) i;
        }
        return palette;
    }

    /** The 768-byte palette Pillow would hold for these colours. */
    static byte[] paletteOf(IndexColorModel colours) {
        byte[] palette = grayRampPalette();
        for (int i = 0; i < Math.min(256, colours.getMapSize()); i++) {
            palette[i * 3] = (byte) colours.getRed(i);
            palette[i * 3 + 1] = (byte) colours.getGreen(i);
            palette[i * 3 + 2] = (byte) colours.getBlue(i);
        }
        return palette;
    }

    /** Whether entry {@code i} is {@code (i, i, i)} for every entry: Pillow then drops the palette (GIF). */
    static boolean isIdentityGrayRamp(IndexColorModel colours) {
        for (int i = 0; i < colours.getMapSize(); i++) {
            if (colours.getRed(i) != i || colours.getGreen(i) != i || colours.getBlue(i) != i) {
                return false;
            }
        }
        return true;
    }

    /**
     * Pillow's view of a decoded BMP: a palette of exactly black and white is mode 1, a palette whose entry i is
     * (i, i, i) is L, any other palette is P; true colour is RGB, or RGBA when the image has alpha.
     */
    static DecodedImage fromBmp(BufferedImage image) {
        ColorModel model = image.getColorModel();
        Raster raster = image.getRaster();
        int width = image.getWidth();
        int height = image.getHeight();
        if (model instanceof IndexColorModel) {
            IndexColorModel colours = (IndexColorModel) model;
            byte[] indices = new byte[width * height];
            int colors = colours.getMapSize();
            if (colors == 2 && isGray(colours, 0, 0) && isGray(colours, 1, 255)) {
                copyBand(raster, 0, indices, 1, 0, Scale.NONZERO_TO_255);
                return new DecodedImage(width, height, PillowMode.ONE, indices, null, null);
            }
            copyBand(raster, 0, indices, 1, 0, Scale.NONE);
            if (colors != 2 && isIdentityGrayRamp(colours)) {
                return new DecodedImage(width, height, PillowMode.L, indices, null, null);
            }
            return new DecodedImage(width, height, PillowMode.P, indices, null, paletteOf(colours));
        }
        if (model.getNumComponents() == 1 && raster.getNumBands() == 1) {
            return fromBands(raster, PillowMode.L, new int[] {0}, Scale.forBits(raster.getSampleModel().getSampleSize(0)));
        }
        return fromArgb(image, model.hasAlpha() ? PillowMode.RGBA : PillowMode.RGB);
    }

    /** The image's non-premultiplied sRGB values as {@code mode} (RGB or RGBA). */
    static DecodedImage fromArgb(BufferedImage image, PillowMode mode) {
        int width = image.getWidth();
        int height = image.getHeight();
        int bands = mode.bands();
        byte[] samples = new byte[width * height * bands];
        int[] argb = new int[width];
        for (int y = 0; y < height; y++) {
            image.getRGB(0, y, width, 1, argb, 0, width);
            for (int x = 0, o = y * width * bands; x < width; x++, o += bands) {
                int v = argb[x];
                samples[o] = (byte) (v >> 16);
                samples[o + 1] = (byte) (v >> 8);
                samples[o + 2] = (byte) v;
                if (bands == 4) {
                    samples[o + 3] = (byte) (v >>> 24);
                }
            }
        }
        return new DecodedImage(width, height, mode, samples, null, null);
    }

    private static boolean isGray(IndexColorModel colours, int index, int value) {
        return colours.getRed(index) == value && colours.getGreen(index) == value && colours.getBlue(index) == value;
    }
}
