package io.github.clip4j.internal.text;

/**
 * Strict UTF-8 decoding as CPython does it, and ftfy's "utf-8-variants" (UTF-8 that also accepts CESU-8
 * surrogate pairs and Java's modified-UTF-8 {@code C0 80} for NUL). Both return {@code null} where Python
 * raises {@code UnicodeDecodeError}.
 */
final class Utf8Decoder {
    private Utf8Decoder() {}

    /** {@code bytes.decode("utf-8")}, or null when the bytes are not well-formed UTF-8. */
    static String decodeStrict(byte[] bytes) {
        StringBuilder out = new StringBuilder(bytes.length);
        return decodeStrict(bytes, 0, bytes.length, out) ? out.toString() : null;
    }

    /** Decodes {@code bytes[from, to)} strictly into {@code out}; false on malformed input. */
    private static boolean decodeStrict(byte[] bytes, int from, int to, StringBuilder out) {
        int i = from;
        while (i < to) {
            int b0 = bytes[i] & 0xFF;
            if (b0 < 0x80) {
                out.append((char) b0);
                i++;
                continue;
            }
            int length;
            int min2;
            int max2;
            if (b0 >= 0xC2 && b0 <= 0xDF) {
                length = 2;
                min2 = 0x80;
                max2 = 0xBF;
            } else if (b0 >= 0xE0 && b0 <= 0xEF) {
                length = 3;
                min2 = b0 == 0xE0 ? 0xA0 : 0x80;
                max2 = b0 == 0xED ? 0x9F : 0xBF;
            } else if (b0 >= 0xF0 && b0 <= 0xF4) {
                length = 4;
                min2 = b0 == 0xF0 ? 0x90 : 0x80;
                max2 = b0 == 0xF4 ? 0x8F : 0xBF;
            } else {
                return false;
            }
            if (i + length > to) {
                return false;
            }
            int b1 = bytes[i + 1] & 0xFF;
            if (b1 < min2 || b1 > max2) {
                return false;
            }
            int cp = length == 2 ? b0 & 0x1F : length == 3 ? b0 & 0x0F : b0 & 0x07;
            cp = (cp << 6) | (b1 & 0x3F);
            for (int k = 2; k < length; k++) {
                int bk = bytes[i + k] & 0xFF;
                if (bk < 0x80 || bk > 0xBF) {
                    return false;
                }
                cp = (cp << 6) | (bk & 0x3F);
            }
            out.appendCodePoint(cp);
            i += length;
        }
        return true;
    }

    /**
     * {@code bytes.decode("utf-8-variants")}, or null. Follows ftfy's decoder step by step, including its
     * regular expressions' {@code $}, which also matches before a final newline: {@code C0 0A} at the very end
     * decodes to NUL.
     */
    static String decodeVariants(byte[] bytes) {
        int n = bytes.length;
        StringBuilder out = new StringBuilder(n);
        int pos = 0;
        while (pos < n) {
            int special = nextSpecial(bytes, pos);
            if (special < 0) {
                return decodeStrict(bytes, pos, n, out) ? out.toString() : null;
            }
            if (special > pos) {
                if (!decodeStrict(bytes, pos, special, out)) {
                    return null;
                }
                pos = special;
                continue;
            }
            if ((bytes[pos] & 0xFF) == 0xC0) {
                if (n - pos < 2) {
                    return null;
                }
                out.append('\0');
                pos += 2;
            } else {
                if (n - pos < 6 || !isCesu8(bytes, pos)) {
                    return null; // a lone or truncated surrogate, which strict UTF-8 rejects
                }
                int cp = ((bytes[pos + 1] & 0x0F) << 16) + ((bytes[pos + 2] & 0x3F) << 10)
                        + ((bytes[pos + 4] & 0x0F) << 6) + (bytes[pos + 5] & 0x3F) + 0x10000;
                out.appendCodePoint(cp);
                pos += 6;
            }
        }
        return out.toString();
    }

    /** Python's {@code $} without MULTILINE: at the end, or before a newline that is the last byte. */
    private static boolean atEnd(byte[] bytes, int at) {
        return at == bytes.length || (at == bytes.length - 1 && bytes[at] == '\n');
    }

    private static boolean inRange(byte[] bytes, int at, int lo, int hi) {
        return at < bytes.length && (bytes[at] & 0xFF) >= lo && (bytes[at] & 0xFF) <= hi;
    }

    /** The first position from {@code from} where ftfy's {@code SPECIAL_BYTES_RE} matches, or -1. */
    private static int nextSpecial(byte[] bytes, int from) {
        for (int p = from; p < bytes.length; p++) {
            int b = bytes[p] & 0xFF;
            if (b == 0xC0) {
                if (inRange(bytes, p + 1, 0x80, 0x80) || atEnd(bytes, p + 1)) {
                    return p;
                }
            } else if (b == 0xED) {
                // (\xed([\xa0-\xbf]|$)([\x80-\xbf]|$)); the CESU-8 alternative only matches where this one does.
                int q = p + 1;
                if (inRange(bytes, q, 0xA0, 0xBF)) {
                    q++;
                } else if (!atEnd(bytes, q)) {
                    continue;
                }
                if (inRange(bytes, q, 0x80, 0xBF) || atEnd(bytes, q)) {
                    return p;
                }
            }
        }
        return -1;
    }

    /** ftfy's {@code CESU8_RE.match} at {@code p}, given at least six bytes remain. */
    private static boolean isCesu8(byte[] bytes, int p) {
        return inRange(bytes, p + 1, 0xA0, 0xAF)
                && inRange(bytes, p + 2, 0x80, 0xBF)
                && (bytes[p + 3] & 0xFF) == 0xED
                && inRange(bytes, p + 4, 0xB0, 0xBF)
                && (inRange(bytes, p + 5, 0x80, 0xBF) || atEnd(bytes, p + 5));
    }
}
