package io.github.clip4j.internal.image;

import io.github.clip4j.common.ClipException;

/**
 * {@link io.github.clip4j.ImageDecoding#FAST}'s JPEG path: libjpeg-turbo (through the JavaCPP OpenCV presets)
 * decodes a large JPEG straight at 1/2, 1/4 or 1/8 of its size with DCT-domain scaling, the way Pillow's
 * {@code Image.draft} does, so a 12-megapixel photo costs a fraction of a full decode and 1/16 of the memory.
 *
 * <p>It is a shortcut, never a second opinion: whenever it does not apply (a shorter side under four times the
 * model's resolution, CMYK or YCCK, no end-of-image marker, anything the native decoder refuses or decodes to an
 * unexpected size) {@link #decode} answers {@code null} and {@link ImageDecoder} takes its exact path, which then
 * gives the image, or the same {@code InvalidImageException} as in exact mode. Header checks (the pixel limit, an
 * empty size) run before it. EXIF orientation is ignored, as on the exact path and in the reference.
 *
 * <p>{@code org.bytedeco:opencv} is an optional dependency of clip-core: {@link #requireAvailable()} says which
 * artifacts to add when it is missing.
 */
public final class FastJpegDecoder {
    private static final String ARTIFACTS = "org.bytedeco:opencv:4.13.0-1.5.13 and its platform jar "
            + "(classifier linux-x86_64, macosx-arm64, ..., or org.bytedeco:opencv-platform)";
    private static volatile Boolean available;

    private FastJpegDecoder() {}

    /**
     * The DCT scale denominator for a {@code width x height} JPEG when the model's input is {@code size}: the
     * largest of 8, 4 and 2 whose reduced shorter side ({@code ceil(short / n)}, libjpeg's rounding) is still at
     * least {@code 2 * size}; 1 when not even halving keeps that.
     *
     * @param width the JPEG's width
     * @param height the JPEG's height
     * @param size the model's input resolution
     * @return 1, 2, 4 or 8
     */
    public static int reduction(int width, int height, int size) {
        int shorter = Math.min(width, height);
        for (int n = 8; n >= 2; n /= 2) {
            if ((shorter + n - 1) / n >= 2L * size) {
                return n;
            }
        }
        return 1;
    }

    /** {@return whether the native decoder can be loaded} Loads it on first call. */
    public static boolean isAvailable() {
        Boolean known = available;
        if (known == null) {
            synchronized (FastJpegDecoder.class) {
                known = available;
                if (known == null) {
                    known = OpenCvJpeg.tryLoad();
                    available = known;
                }
            }
        }
        return known;
    }

    /**
     * Fails unless {@link #isAvailable()}.
     *
     * @throws ClipException naming the artifacts to add
     */
    public static void requireAvailable() {
        if (!isAvailable()) {
            throw new ClipException("ImageDecoding.FAST (--decode fast) needs libjpeg-turbo from the JavaCPP OpenCV "
                    + "presets, which could not be loaded (" + OpenCvJpeg.loadError() + "); add " + ARTIFACTS
                    + " to the class path, or use ImageDecoding.EXACT");
        }
    }

    /**
     * Decodes a JPEG at a reduced size, or answers {@code null} to send it down the exact path.
     *
     * @param bytes the whole file
     * @param header its parsed header (size already checked against the pixel limit)
     * @param n the scale denominator from {@link #reduction}: 2, 4 or 8
     * @return the reduced image (mode L or RGB), or {@code null}
     */
    static DecodedImage decode(byte[] bytes, JpegHeader header, int n) {
        if (n == 1 || !isAvailable()) {
            return null;
        }
        boolean gray;
        switch (header.colorSpace()) {
            case GRAY:
                gray = true;
                break;
            case YCBCR:
            case RGB:
                gray = false;
                break;
            default: // CMYK and YCCK: Pillow's CMYK conversion after the resize; rare, decoded exactly
                return null;
        }
        if (!hasEndOfImage(bytes)) {
            return null; // truncated: the exact path reports it as it always does
        }
        int width = (header.width() + n - 1) / n;
        int height = (header.height() + n - 1) / n;
        byte[] samples = OpenCvJpeg.decode(bytes, n, gray, width, height);
        if (samples == null) {
            return null;
        }
        return new DecodedImage(width, height, gray ? PillowMode.L : PillowMode.RGB, samples, null, null);
    }

    /**
     * Whether the file holds an end-of-image marker after its first start-of-scan: a JPEG cut short has none
     * (libjpeg would only warn and fill the rest with gray, Pillow refuses it). {@code FF D9} cannot occur inside
     * entropy-coded data (a data {@code FF} is stuffed as {@code FF 00}), and trailing bytes after it are allowed.
     */
    static boolean hasEndOfImage(byte[] b) {
        int sos = firstScan(b);
        if (sos < 0) {
            return false;
        }
        for (int i = b.length - 2; i > sos; i--) {
            if (b[i] == (byte) 0xFF && b[i + 1] == (byte) 0xD9) {
                return true;
            }
        }
        return false;
    }

    /** The offset of the first SOS marker, walking the marker segments; -1 if there is none. */
    private static int firstScan(byte[] b) {
        int pos = 2;
        while (pos + 4 <= b.length) {
            if (b[pos] != (byte) 0xFF) {
                return -1;
            }
            int marker = b[pos + 1] & 0xFF;
            if (marker == 0xFF) {
                pos++;
                continue;
            }
            if (marker == 0xDA) {
                return pos;
            }
            int length = ((b[pos + 2] & 0xFF) << 8) | (b[pos + 3] & 0xFF);
            if (length < 2) {
                return -1;
            }
            pos += 2 + length;
        }
        return -1;
    }
}
