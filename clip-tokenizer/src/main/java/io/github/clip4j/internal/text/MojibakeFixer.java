package io.github.clip4j.internal.text;

import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * ftfy's {@code fix_encoding}: finds text that was UTF-8 decoded in a single-byte encoding (mojibake, e.g.
 * {@code "cafÃ©"}) and decodes it again properly ({@code "café"}), repeating until nothing changes.
 *
 * <p>One step: if the text {@linkplain Badness#isBad looks bad}, encode it with the first of ftfy's single-byte
 * encodings that can, patch bytes that were commonly lost (a no-break space turned into a space, bytes replaced
 * by '\uFFFD' or '?'), and decode as UTF-8. When no whole-text re-encoding works, fix UTF-8-looking runs one by one,
 * then fall back to reading Latin-1 as Windows-1252 and C1 controls as Windows-1252.
 */
final class MojibakeFixer {
    private MojibakeFixer() {}

    private static final int FIRST_OF_2 = 1;
    private static final int FIRST_OF_3 = 2;
    private static final int FIRST_OF_4 = 4;
    private static final int CONTINUATION = 8;
    private static final int CONTINUATION_STRICT = 16;
    private static final byte[] CLUES = buildClues();

    // Byte-level expressions run on bytes held one per char (ISO-8859-1 strings), where java.util.regex
    // tests small classes with a bit set.
    /** UTF-8 sequences valid but for a 0xA0 that became a space (ftfy's ALTERED_UTF8_RE). */
    private static final Pattern ALTERED_UTF8 = Pattern.compile(
            "[\\xC2\\xC3\\xC5\\xCE\\xD0\\xD9] "
                    + "|[\\xE2\\xE3] [\\x80-\\x84\\x86-\\x9F\\xA1-\\xBF]"
                    + "|[\\xE0-\\xE3][\\x80-\\x84\\x86-\\x9F\\xA1-\\xBF] "
                    + "|\\xF0 [\\x80-\\xBF][\\x80-\\xBF]"
                    + "|\\xF0[\\x80-\\xBF] [\\x80-\\xBF]"
                    + "|\\xF0[\\x80-\\xBF][\\x80-\\xBF] ");
    /** "à" followed by a space, except before words where "a " is likelier (ftfy's A_GRAVE_WORD_RE). */
    private static final Pattern A_GRAVE_WORD = Pattern.compile("\\xC3 (?! |quele|quela|quilo|s )");
    /** UTF-8 sequences with bytes lost to '\uFFFD' (0x1A in the sloppy codecs) or '?' (ftfy's LOSSY_UTF8_RE). */
    private static final Pattern LOSSY_UTF8 = Pattern.compile(
            "[\\xC2-\\xDF]\\x1A"
                    + "|[\\xC2-\\xC3]\\?"
                    + "|\\xED[\\xA0-\\xAF][\\x1A?]\\xED[\\xB0-\\xBF][\\x1A?\\x80-\\xBF]"
                    + "|\\xED[\\xA0-\\xAF][\\x1A?\\x80-\\xBF]\\xED[\\xB0-\\xBF][\\x1A?]"
                    + "|[\\xE0-\\xEF][\\x1A?][\\x1A\\x80-\\xBF]"
                    + "|[\\xE0-\\xEF][\\x1A\\x80-\\xBF][\\x1A?]"
                    + "|[\\xF0-\\xF4][\\x1A?][\\x1A\\x80-\\xBF][\\x1A\\x80-\\xBF]"
                    + "|[\\xF0-\\xF4][\\x1A\\x80-\\xBF][\\x1A?][\\x1A\\x80-\\xBF]"
                    + "|[\\xF0-\\xF4][\\x1A\\x80-\\xBF][\\x1A\\x80-\\xBF][\\x1A?]"
                    + "|\\x1A");
    private static final String REPLACEMENT_UTF8 = "\u00EF\u00BF\u00BD";

    private static byte[] buildClues() {
        String[] sets = {
            GeneratedTables.UTF8_FIRST_OF_2, GeneratedTables.UTF8_FIRST_OF_3, GeneratedTables.UTF8_FIRST_OF_4,
            GeneratedTables.UTF8_CONTINUATION, GeneratedTables.UTF8_CONTINUATION_STRICT,
        };
        int limit = 0;
        for (String set : sets) {
            for (int i = 0; i < set.length(); i++) {
                limit = Math.max(limit, set.charAt(i) + 1);
            }
        }
        byte[] clues = new byte[limit];
        for (int k = 0; k < sets.length; k++) {
            for (int i = 0; i < sets[k].length(); i++) {
                clues[sets[k].charAt(i)] |= (byte) (1 << k);
            }
        }
        return clues;
    }

    private static boolean hasClue(char c, int clue) {
        return c < CLUES.length && (CLUES[c] & clue) != 0;
    }

    /** ftfy's {@code fix_encoding(text)} with default settings. */
    static String fixEncoding(String text) {
        while (true) {
            String fixed = fixOneStep(text);
            if (fixed.equals(text)) {
                return fixed;
            }
            text = fixed;
        }
    }

    private static boolean isAscii(String text) {
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) >= 0x80) {
                return false;
            }
        }
        return true;
    }

    private static String fixOneStep(String text) {
        if (text.isEmpty() || isAscii(text) || !Badness.isBad(text)) {
            return text;
        }
        boolean latin1Possible = false;
        for (SingleByteCodec codec : SingleByteCodec.FTFY_ORDER) {
            if (!codec.canEncode(text)) {
                continue;
            }
            latin1Possible |= codec.name().equals("latin-1");
            String fixed = reencode(text, codec);
            if (fixed != null) {
                return fixed;
            }
        }
        if (hasUtf8Run(text)) {
            String fixed = decodeInconsistentUtf8(text);
            if (!fixed.equals(text)) {
                return fixed;
            }
        }
        if (latin1Possible) {
            // ftfy's test for "windows-1252" among the possible encodings never succeeds (it lists the sloppy
            // variant), so Latin-1 text is always tried as strict Windows-1252.
            String fixed = decodeLatin1AsWindows1252(text);
            if (fixed != null && !fixed.equals(text)) {
                return fixed;
            }
        }
        return hasC1Control(text) ? fixC1Controls(text) : text;
    }

    /** Encodes with {@code codec}, repairs the bytes as ftfy does and decodes as UTF-8; null if that fails. */
    private static String reencode(String text, SingleByteCodec codec) {
        String bytes = new String(codec.encode(text), StandardCharsets.ISO_8859_1);
        if (!codec.name().equals("macroman") && ALTERED_UTF8.matcher(bytes).find()) {
            bytes = restoreByteA0(bytes);
        }
        if (codec.isSloppy()) {
            bytes = LOSSY_UTF8.matcher(bytes).replaceAll(REPLACEMENT_UTF8);
        }
        byte[] raw = bytes.getBytes(StandardCharsets.ISO_8859_1);
        boolean variants = bytes.indexOf('\u00ED') >= 0 || bytes.indexOf('\u00C0') >= 0;
        return variants ? Utf8Decoder.decodeVariants(raw) : Utf8Decoder.decodeStrict(raw);
    }

    /** ftfy's {@code restore_byte_a0}: turns spaces back into the 0xA0 bytes they replaced inside UTF-8. */
    private static String restoreByteA0(String bytes) {
        String withAGrave = A_GRAVE_WORD.matcher(bytes).replaceAll("\u00C3\u00A0 ");
        Matcher m = ALTERED_UTF8.matcher(withAGrave);
        StringBuilder out = new StringBuilder(withAGrave.length());
        int copied = 0;
        while (m.find()) {
            out.append(withAGrave, copied, m.start()).append(m.group().replace(' ', '\u00A0'));
            copied = m.end();
        }
        return out.append(withAGrave, copied, withAGrave.length()).toString();
    }

    private static String decodeLatin1AsWindows1252(String text) {
        StringBuilder out = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = GeneratedTables.WINDOWS_1252_STRICT.charAt(text.charAt(i)); // Latin-1 text: every char < 256
            if (c == '\uFFFF') {
                return null;
            }
            out.append(c);
        }
        return out.toString();
    }

    static boolean hasC1Control(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c >= 0x80 && c <= 0x9F) {
                return true;
            }
        }
        return false;
    }

    /** ftfy's {@code fix_c1_controls}: reads each C1 control character as a sloppy-windows-1252 byte. */
    static String fixC1Controls(String text) {
        if (!hasC1Control(text)) {
            return text;
        }
        char[] chars = text.toCharArray();
        for (int i = 0; i < chars.length; i++) {
            if (chars[i] >= 0x80 && chars[i] <= 0x9F) {
                chars[i] = SingleByteCodec.SLOPPY_WINDOWS_1252.decode(chars[i]);
            }
        }
        return new String(chars);
    }

    private static boolean hasUtf8Run(String text) {
        return nextUtf8Run(text, 0) != null;
    }

    /**
     * The next run of UTF-8-looking characters at or after {@code from} ({start, end}), or null: ftfy's
     * {@code UTF8_DETECTOR_RE}, {@code (?<![strict continuation])(lead continuation{1,3})+}. A '+' over a group
     * recurses per repetition in java.util.regex, so the runs are matched by hand, greedily, trying the
     * alternatives in the expression's order as a backtracking engine does.
     */
    private static int[] nextUtf8Run(String text, int from) {
        for (int p = from; p < text.length(); p++) {
            if (p > 0 && hasClue(text.charAt(p - 1), CONTINUATION_STRICT)) {
                continue;
            }
            int end = p;
            int next;
            while ((next = utf8Sequence(text, end)) > end) {
                end = next;
            }
            if (end > p) {
                return new int[] {p, end};
            }
        }
        return null;
    }

    /** The end of one lead-plus-continuations sequence at {@code p}, or {@code p} when there is none. */
    private static int utf8Sequence(String text, int p) {
        if (p >= text.length()) {
            return p;
        }
        char lead = text.charAt(p);
        int[] leads = {FIRST_OF_2, FIRST_OF_3, FIRST_OF_4};
        for (int k = 0; k < leads.length; k++) {
            if (hasClue(lead, leads[k]) && continuations(text, p + 1, k + 1)) {
                return p + k + 2;
            }
        }
        return p;
    }

    private static boolean continuations(String text, int from, int count) {
        if (from + count > text.length()) {
            return false;
        }
        for (int i = from; i < from + count; i++) {
            if (!hasClue(text.charAt(i), CONTINUATION)) {
                return false;
            }
        }
        return true;
    }

    /** ftfy's {@code decode_inconsistent_utf8}: fixes each bad-looking UTF-8 run shorter than the whole text. */
    private static String decodeInconsistentUtf8(String text) {
        StringBuilder out = null;
        int copied = 0;
        int[] run;
        int from = 0;
        while ((run = nextUtf8Run(text, from)) != null) {
            String substring = text.substring(run[0], run[1]);
            if (substring.length() < text.length() && Badness.isBad(substring)) {
                if (out == null) {
                    out = new StringBuilder(text.length());
                }
                out.append(text, copied, run[0]).append(fixEncoding(substring));
                copied = run[1];
            }
            from = run[1];
        }
        return out == null ? text : out.append(text, copied, text.length()).toString();
    }
}
