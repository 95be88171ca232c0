package io.github.clip4j.internal.image;

/** Pillow 9.4's integer colour conversions the reference transform goes through ({@code libImaging/Convert.c}). */
final class PillowColor {
    private PillowColor() {}

    /** Pillow's {@code MULDIV255}: {@code (a * b + 127) / 255} by shifts, exactly as Pillow rounds it. */
    static int mulDiv255(int a, int b) {
        int t = a * b + 128;
        return ((t >> 8) + t) >> 8;
    }

    private static int clip8(int v) {
        return v <= 0 ? 0 : Math.min(v, 255);
    }

    /** RGBA to RGBa (or LA to La): every colour sample multiplied by alpha; the last band is alpha. */
    static byte[] premultiply(byte[] samples, int bands) {
        byte[] out = new byte[samples.length];
        int alphaBand = bands - 1;
        for (int p = 0; p < samples.length; p += bands) {
            int alpha = samples[p + alphaBand] & 0xFF;
            for (int b = 0; b < alphaBand; b++) {
                out[p + b] = (byte) mulDiv255(samples[p + b] & 0xFF, alpha);
            }
            out[p + alphaBand] = (byte) alpha;
        }
        return out;
    }

    /** RGBa to RGBA (or La to LA), in place: colour divided by alpha, untouched when alpha is 0 or 255. */
    static void unpremultiplyInPlace(byte[] samples, int bands) {
        int alphaBand = bands - 1;
        for (int p = 0; p < samples.length; p += bands) {
            int alpha = samples[p + alphaBand] & 0xFF;
            if (alpha == 0 || alpha == 255) {
                continue;
            }
            for (int b = 0; b < alphaBand; b++) {
                samples[p + b] = (byte) clip8((255 * (samples[p + b] & 0xFF)) / alpha);
            }
        }
    }

    /** {@code convert("RGB")} of 8-bit samples in {@code mode}; alpha is dropped, not composited. */
    static byte[] toRgb(PillowMode mode, byte[] samples, byte[] palette) {
        int bands = mode.bands();
        int pixels = samples.length / bands;
        byte[] rgb = new byte[pixels * 3];
        for (int i = 0, p = 0, o = 0; i < pixels; i++, p += bands, o += 3) {
            switch (mode) {
                case ONE, L, LA -> {
                    // "1" is stored as 0/255, so it converts like L.
                    byte v = samples[p];
                    rgb[o] = v;
                    rgb[o + 1] = v;
                    rgb[o + 2] = v;
                }
                case P -> {
                    int entry = (samples[p] & 0xFF) * 3;
                    rgb[o] = palette[entry];
                    rgb[o + 1] = palette[entry + 1];
                    rgb[o + 2] = palette[entry + 2];
                }
                case RGB, RGBA -> {
                    rgb[o] = samples[p];
                    rgb[o + 1] = samples[p + 1];
                    rgb[o + 2] = samples[p + 2];
                }
                case CMYK -> {
                    // Pillow's naive cmyk2rgb, no colour management.
                    int notBlack = 255 - (samples[p + 3] & 0xFF);
                    for (int c = 0; c < 3; c++) {
                        rgb[o + c] = (byte) clip8(notBlack - mulDiv255(samples[p + c] & 0xFF, notBlack));
                    }
                }
                default -> throw new IllegalStateException("not an 8-bit mode: " + mode);
            }
        }
        return rgb;
    }

    /** {@code convert("RGB")} of mode I: each value clipped to 0..255 and replicated. */
    static byte[] intToRgb(int[] values) {
        byte[] rgb = new byte[values.length * 3];
        for (int i = 0; i < values.length; i++) {
            byte v = (byte) clip8(values[i]);
            rgb[i * 3] = v;
            rgb[i * 3 + 1] = v;
            rgb[i * 3 + 2] = v;
        }
        return rgb;
    }
}
