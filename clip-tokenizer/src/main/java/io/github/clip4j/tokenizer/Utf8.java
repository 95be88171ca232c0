package io.github.clip4j.tokenizer;

/**
 * UTF-8 encoding and decoding with the reference's exact treatment of bad input.
 *
 * <p>Java's own decoder replaces an encoded surrogate ({@code ED A0 80}) with one U+FFFD where Python's
 * {@code bytes.decode("utf-8", errors="replace")} writes three, so decoding is done here: every maximal
 * subpart of an ill-formed sequence becomes one U+FFFD, as in Python.
 */
final class Utf8 {
    private static final char REPLACEMENT = '\uFFFD';

    private Utf8() {}

    /**
     * Appends the UTF-8 bytes of {@code text[start, end)} to {@code out} from {@code offset}, growing it as needed,
     * and returns the (possibly new) array; {@code lengthOut[0]} receives the new length. A lone surrogate is
     * encoded as U+FFFD (what ftfy turns it into before the reference could see it).
     */
    static byte[] encode(CharSequence text, int start, int end, byte[] out, int[] lengthOut) {
        int needed = 3 * (end - start);
        byte[] buffer = out.length >= needed ? out : new byte[Math.max(needed, 2 * out.length)];
        int n = 0;
        for (int i = start; i < end; i++) {
            char c = text.charAt(i);
            if (c < 0x80) {
                buffer[n++] = (byte) c;
            } else if (c < 0x800) {
                buffer[n++] = (byte) (0xC0 | (c >> 6));
                buffer[n++] = (byte) (0x80 | (c & 0x3F));
            } else if (Character.isHighSurrogate(c) && i + 1 < end && Character.isLowSurrogate(text.charAt(i + 1))) {
                int cp = Character.toCodePoint(c, text.charAt(++i));
                buffer[n++] = (byte) (0xF0 | (cp >> 18));
                buffer[n++] = (byte) (0x80 | ((cp >> 12) & 0x3F));
                buffer[n++] = (byte) (0x80 | ((cp >> 6) & 0x3F));
                buffer[n++] = (byte) (0x80 | (cp & 0x3F));
            } else {
                char ch = Character.isSurrogate(c) ? REPLACEMENT : c;
                buffer[n++] = (byte) (0xE0 | (ch >> 12));
                buffer[n++] = (byte) (0x80 | ((ch >> 6) & 0x3F));
                buffer[n++] = (byte) (0x80 | (ch & 0x3F));
            }
        }
        lengthOut[0] = n;
        return buffer;
    }

    /** Decodes {@code bytes[0, length)} like Python's {@code decode("utf-8", errors="replace")}. */
    static String decode(byte[] bytes, int length) {
        StringBuilder out = new StringBuilder(length);
        int i = 0;
        while (i < length) {
            int lead = bytes[i] & 0xFF;
            if (lead < 0x80) {
                out.append((char) lead);
                i++;
                continue;
            }
            int size;
            int min2 = 0x80;
            int max2 = 0xBF;
            if (lead >= 0xC2 && lead <= 0xDF) {
                size = 2;
            } else if (lead >= 0xE0 && lead <= 0xEF) {
                size = 3;
                if (lead == 0xE0) {
                    min2 = 0xA0;
                } else if (lead == 0xED) {
                    max2 = 0x9F;
                }
            } else if (lead >= 0xF0 && lead <= 0xF4) {
                size = 4;
                if (lead == 0xF0) {
                    min2 = 0x90;
                } else if (lead == 0xF4) {
                    max2 = 0x8F;
                }
            } else {
                out.append(REPLACEMENT);
                i++;
                continue;
            }
            int cp = lead & (0xFF >> (size + 1));
            int k = 1;
            for (; k < size && i + k < length; k++) {
                int b = bytes[i + k] & 0xFF;
                boolean ok = k == 1 ? b >= min2 && b <= max2 : b >= 0x80 && b <= 0xBF;
                if (!ok) {
                    break;
                }
                cp = (cp << 6) | (b & 0x3F);
            }
            if (k == size) {
                out.appendCodePoint(cp);
            } else {
                out.append(REPLACEMENT); // one per maximal subpart; resume at the offending byte
            }
            i += k;
        }
        return out.toString();
    }
}
