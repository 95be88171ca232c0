package io.github.clip4j.internal.text;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * One of the single-byte encodings ftfy re-encodes suspected mojibake with (Latin-1, the "sloppy" Windows code
 * pages that map their undefined bytes as Latin-1 does, ISO-8859-2, MacRoman, CP437).
 *
 * <p>Each table is a bijection between the 256 bytes and 256 characters, so encoding is the inverse lookup and a
 * text is encodable exactly when every character is in the table.
 */
final class SingleByteCodec {
    /** ftfy's {@code CHARMAP_ENCODINGS}, in the order it tries them. */
    static final List<SingleByteCodec> FTFY_ORDER;

    static {
        List<SingleByteCodec> codecs = new ArrayList<>();
        for (int i = 0; i < GeneratedTables.CHARMAP_NAMES.length; i++) {
            codecs.add(new SingleByteCodec(GeneratedTables.CHARMAP_NAMES[i], GeneratedTables.CHARMAP_DECODING[i]));
        }
        FTFY_ORDER = Collections.unmodifiableList(codecs);
    }

    /** sloppy-windows-1252: how ftfy reads C1 control characters. */
    static final SingleByteCodec SLOPPY_WINDOWS_1252 = byName("sloppy-windows-1252");

    private final String name;
    private final String decoding;
    /** The characters of bytes 0x80..0xFF and 0x1A (the only ones that are not ASCII identities), sorted. */
    private final char[] upperChars;
    private final byte[] upperBytes;
    private final boolean asciiIdentity1a;

    private SingleByteCodec(String name, String decoding) {
        if (decoding.length() != 256) {
            throw new IllegalStateException(name + ": decoding table has " + decoding.length() + " entries, not 256");
        }
        this.name = name;
        this.decoding = decoding;
        this.asciiIdentity1a = decoding.charAt(0x1A) == 0x1A;
        char[][] pairs = new char[129][];
        for (int b = 0x80; b <= 0xFF; b++) {
            pairs[b - 0x80] = new char[] {decoding.charAt(b), (char) b};
        }
        pairs[128] = new char[] {decoding.charAt(0x1A), 0x1A};
        Arrays.sort(pairs, (x, y) -> Character.compare(x[0], y[0]));
        upperChars = new char[pairs.length];
        upperBytes = new byte[pairs.length];
        for (int i = 0; i < pairs.length; i++) {
            upperChars[i] = pairs[i][0];
            upperBytes[i] = (byte) pairs[i][1];
        }
    }

    static SingleByteCodec byName(String name) {
        for (SingleByteCodec codec : FTFY_ORDER) {
            if (codec.name.equals(name)) {
                return codec;
            }
        }
        throw new IllegalArgumentException("No single-byte codec named " + name);
    }

    String name() {
        return name;
    }

    /** Whether the name starts with "sloppy" (ftfy then also repairs lossy UTF-8 sequences). */
    boolean isSloppy() {
        return name.startsWith("sloppy");
    }

    /** The byte {@code c} encodes to, or -1. */
    int encode(char c) {
        if (c < 0x80 && (c != 0x1A || asciiIdentity1a)) {
            return c;
        }
        int at = Arrays.binarySearch(upperChars, c);
        return at >= 0 ? upperBytes[at] & 0xFF : -1;
    }

    /** ftfy's {@code possible_encoding(text, name)}: whether every character has a byte. */
    boolean canEncode(String text) {
        for (int i = 0; i < text.length(); i++) {
            if (encode(text.charAt(i)) < 0) {
                return false;
            }
        }
        return true;
    }

    /** The bytes of {@code text}, which {@link #canEncode} must accept. */
    byte[] encode(String text) {
        byte[] out = new byte[text.length()];
        for (int i = 0; i < out.length; i++) {
            int b = encode(text.charAt(i));
            if (b < 0) {
                throw new IllegalArgumentException(name + " cannot encode U+" + Integer.toHexString(text.charAt(i)));
            }
            out[i] = (byte) b;
        }
        return out;
    }

    /** The character byte {@code b} (0..255) decodes to. */
    char decode(int b) {
        return decoding.charAt(b);
    }
}
