package io.github.clip4j.internal.image;

/**
 * A WebP file's canvas size and whether libwebp reports alpha ({@code WebPGetFeatures}): the VP8X alpha flag, the
 * VP8L {@code alpha_is_used} bit, never for plain lossy VP8. Pillow's mode is RGBA exactly when it does.
 */
record WebpHeader(int width, int height, boolean alpha) {
    private static final int CHUNK = 12;
    private static final int DATA = 20;

    /** Parses the first chunk; {@code null} when it is cut off or unknown. */
    static WebpHeader parse(byte[] b) {
        if (b.length < DATA + 10) {
            return null;
        }
        String chunk = new String(b, CHUNK, 4, java.nio.charset.StandardCharsets.US_ASCII);
        switch (chunk) {
            case "VP8X":
                return new WebpHeader(1 + uint24(b, DATA + 4), 1 + uint24(b, DATA + 7), (b[DATA] & 0x10) != 0);
            case "VP8L": {
                if ((b[DATA] & 0xFF) != 0x2F) {
                    return null;
                }
                int bits = (b[DATA + 1] & 0xFF) | (b[DATA + 2] & 0xFF) << 8 | (b[DATA + 3] & 0xFF) << 16
                        | (b[DATA + 4] & 0xFF) << 24;
                return new WebpHeader(1 + (bits & 0x3FFF), 1 + ((bits >>> 14) & 0x3FFF), ((bits >>> 28) & 1) != 0);
            }
            case "VP8 ": {
                int width = ((b[DATA + 6] & 0xFF) | (b[DATA + 7] & 0xFF) << 8) & 0x3FFF;
                int height = ((b[DATA + 8] & 0xFF) | (b[DATA + 9] & 0xFF) << 8) & 0x3FFF;
                return new WebpHeader(width, height, false);
            }
            default:
                return null;
        }
    }

    private static int uint24(byte[] b, int offset) {
        return (b[offset] & 0xFF) | (b[offset + 1] & 0xFF) << 8 | (b[offset + 2] & 0xFF) << 16;
    }
}
