package io.github.clip4j.internal.image;

/**
 * libjpeg's fixed-point YCbCr to RGB conversion ({@code jdcolor.c}), so that raw JPEG samples become the same RGB
 * Pillow gets from libjpeg, without any colour management.
 */
final class JpegColor {
    private static final int SCALE_BITS = 16;
    private static final int ONE_HALF = 1 << (SCALE_BITS - 1);
    private static final int[] CR_R = new int[256];
    private static final int[] CB_B = new int[256];
    private static final int[] CR_G = new int[256];
    private static final int[] CB_G = new int[256];

    static {
        for (int i = 0; i < 256; i++) {
            int x = i - 128;
            CR_R[i] = (fix(1.40200) * x + ONE_HALF) >> SCALE_BITS;
            CB_B[i] = (fix(1.77200) * x + ONE_HALF) >> SCALE_BITS;
            CR_G[i] = -fix(0.71414) * x;
            CB_G[i] = -fix(0.34414) * x + ONE_HALF;
        }
    }

    private JpegColor() {}

    private static int fix(double v) {
        return (int) (v * (1 << SCALE_BITS) + 0.5);
    }

    private static int clamp(int v) {
        return v < 0 ? 0 : Math.min(v, 255);
    }

    /** Converts the first three of {@code bands} interleaved samples from YCbCr to RGB, in place. */
    static void yccToRgbInPlace(byte[] samples, int bands) {
        for (int p = 0; p < samples.length; p += bands) {
            int y = samples[p] & 0xFF;
            int cb = samples[p + 1] & 0xFF;
            int cr = samples[p + 2] & 0xFF;
            samples[p] = (byte) clamp(y + CR_R[cr]);
            samples[p + 1] = (byte) clamp(y + ((CB_G[cb] + CR_G[cr]) >> SCALE_BITS));
            samples[p + 2] = (byte) clamp(y + CB_B[cb]);
        }
    }
}
