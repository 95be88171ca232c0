package io.github.clip4j.internal.image;

/**
 * The PNG chunks that decide Pillow's mode: {@code IHDR} (size, bit depth, colour type) and {@code PLTE}.
 * Java's PNG reader reports neither the way Pillow interprets them, so they are read from the bytes.
 */
record PngHeader(int width, int height, int bitDepth, int colorType, byte[] palette) {
    private static final int SIGNATURE_LENGTH = 8;

    /** Parses the header chunks; {@code null} if the file does not start with a well-formed {@code IHDR}. */
    static PngHeader parse(byte[] b) {
        int pos = SIGNATURE_LENGTH;
        if (b.length < pos + 8 + 13 || !chunkType(b, pos + 4, "IHDR")) {
            return null;
        }
        int width = readInt(b, pos + 8);
        int height = readInt(b, pos + 12);
        int bitDepth = b[pos + 16] & 0xFF;
        int colorType = b[pos + 17] & 0xFF;
        byte[] palette = null;
        // Walk the chunks before the image data for PLTE; stop at IDAT or at anything malformed.
        while (pos + 8 <= b.length) {
            long length = readInt(b, pos) & 0xFFFFFFFFL;
            if (chunkType(b, pos + 4, "IDAT") || chunkType(b, pos + 4, "IEND")) {
                break;
            }
            if (pos + 12 + length > b.length) {
                break;
            }
            if (chunkType(b, pos + 4, "PLTE")) {
                palette = new byte[(int) Math.min(length, 768)];
                System.arraycopy(b, pos + 8, palette, 0, palette.length);
            }
            pos += (int) (12 + length);
        }
        return new PngHeader(width, height, bitDepth, colorType, palette);
    }

    /**
     * The type of the first chunk before the image data whose CRC-32 is wrong, or null: Pillow checks the CRC of
     * every chunk it reads while opening (IHDR, PLTE, tRNS, ...; all of them before the first IDAT) and refuses
     * the file on a mismatch. A chunk cut off by the end of the file is left to the decoder's truncation check.
     */
    static String firstBadCrc(byte[] b) {
        int pos = SIGNATURE_LENGTH;
        while (pos + 8 <= b.length) {
            long length = readInt(b, pos) & 0xFFFFFFFFL;
            if (chunkType(b, pos + 4, "IDAT") || chunkType(b, pos + 4, "IEND") || pos + 12 + length > b.length) {
                return null;
            }
            java.util.zip.CRC32 crc = new java.util.zip.CRC32();
            crc.update(b, pos + 4, (int) (4 + length));
            if ((int) crc.getValue() != readInt(b, pos + 8 + (int) length)) {
                return new String(b, pos + 4, 4, java.nio.charset.StandardCharsets.ISO_8859_1).replaceAll("[^A-Za-z]", "?");
            }
            pos += (int) (12 + length);
        }
        return null;
    }

    private static int readInt(byte[] b, int pos) {
        return ((b[pos] & 0xFF) << 24) | ((b[pos + 1] & 0xFF) << 16) | ((b[pos + 2] & 0xFF) << 8) | (b[pos + 3] & 0xFF);
    }

    private static boolean chunkType(byte[] b, int pos, String type) {
        for (int i = 0; i < 4; i++) {
            if (b[pos + i] != type.charAt(i)) {
                return false;
            }
        }
        return true;
    }
}
