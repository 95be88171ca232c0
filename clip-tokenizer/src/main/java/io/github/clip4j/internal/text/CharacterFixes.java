package io.github.clip4j.internal.text;

import java.util.Arrays;
import java.util.regex.Pattern;

/**
 * ftfy's character-level fixes (each returns its input itself when there is nothing to fix): ligatures,
 * character width, curly quotes, line breaks, surrogates, terminal escapes and control characters.
 */
final class CharacterFixes {
    private CharacterFixes() {}

    private static final char[] WIDTH_KEYS = GeneratedTables.WIDTH_KEYS.toCharArray();
    private static final String[] WIDTH_VALUES = GeneratedTables.WIDTH_VALUES.split("\0", -1);
    private static final boolean[] CONTROL = new boolean[0x10000];
    /** ANSI escape sequences; Python's {@code \d} is any decimal digit, not just ASCII. */
    private static final Pattern ANSI_ESCAPE = Pattern.compile("\u001B\\[[\\p{Nd};]*[a-zA-Z]");

    static {
        if (WIDTH_VALUES.length != WIDTH_KEYS.length) {
            throw new IllegalStateException("width table: " + WIDTH_VALUES.length + " values for "
                    + WIDTH_KEYS.length + " keys");
        }
        for (char c : GeneratedTables.CONTROL_CHARS.toCharArray()) {
            CONTROL[c] = true;
        }
    }

    /**
     * Whether any fix of this class (or {@link MojibakeFixer#fixC1Controls}) might change the text: a cheap
     * superset test, so that clean text is scanned once instead of once per fix.
     */
    static boolean mightNeedFixes(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < 0x80) {
                if ((c < 0x20 && c != '\t' && c != '\n' && c != '\f') || c == 0x7F) {
                    return true;
                }
            } else if (c <= 0x9F
                    || (c >= 0x132 && c <= 0x1F3)
                    || c == 0x2BC
                    || (c >= 0x2018 && c <= 0x201F)
                    || c == 0x2028 || c == 0x2029
                    || (c >= 0x206A && c <= 0x206F)
                    || c == 0x3000
                    || (c >= 0xD800 && c <= 0xDFFF)
                    || (c >= 0xFB00 && c <= 0xFB06)
                    || c == 0xFEFF
                    || (c >= 0xFF01 && c <= 0xFFFC)) {
                return true;
            }
        }
        return false;
    }

    /** A per-character replacement: null keeps the character. */
    private interface CharMap {
        String replace(char c);
    }

    private static String translate(String text, CharMap map) {
        StringBuilder out = null;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            String replacement = map.replace(c);
            if (replacement != null && out == null) {
                out = new StringBuilder(text.length() + 8).append(text, 0, i);
            }
            if (out != null) {
                if (replacement != null) {
                    out.append(replacement);
                } else {
                    out.append(c);
                }
            }
        }
        return out == null ? text : out.toString();
    }

    /** ftfy's {@code fix_latin_ligatures}: "ﬁ" to "fi", "ĳ" to "ij" and the like. */
    static String fixLatinLigatures(String text) {
        return translate(text, c -> {
            if (c < 0x132) {
                return null;
            }
            int at = GeneratedTables.LIGATURE_KEYS.indexOf(c);
            return at < 0 ? null : GeneratedTables.LIGATURE_VALUES[at];
        });
    }

    /** ftfy's {@code fix_character_width}: fullwidth and halfwidth forms (and U+3000) to standard width. */
    static String fixCharacterWidth(String text) {
        return translate(text, c -> {
            if (c < 0x3000) {
                return null;
            }
            int at = Arrays.binarySearch(WIDTH_KEYS, c);
            return at < 0 ? null : WIDTH_VALUES[at];
        });
    }

    /** ftfy's {@code uncurl_quotes}: curly single and double quotes to ASCII ones. */
    static String uncurlQuotes(String text) {
        return translate(text, c -> {
            if (c == '\u02BC' || (c >= '\u2018' && c <= '\u201B')) {
                return "'";
            }
            return c >= '\u201C' && c <= '\u201F' ? "\"" : null;
        });
    }

    /** ftfy's {@code fix_line_breaks}: CRLF, CR, U+2028, U+2029 and U+0085 to LF. */
    static String fixLineBreaks(String text) {
        StringBuilder out = null;
        int n = text.length();
        for (int i = 0; i < n; i++) {
            char c = text.charAt(i);
            boolean lineBreak = c == '\r' || c == '\u2028' || c == '\u2029' || c == '\u0085';
            if (lineBreak && out == null) {
                out = new StringBuilder(n).append(text, 0, i);
            }
            if (out != null) {
                if (c == '\r' && i + 1 < n && text.charAt(i + 1) == '\n') {
                    i++;
                }
                out.append(lineBreak ? '\n' : c);
            }
        }
        return out == null ? text : out.toString();
    }

    /**
     * ftfy's {@code fix_surrogates}: surrogate pairs become the character they encode (a Java string already
     * reads them so) and lone surrogates become U+FFFD.
     */
    static String fixSurrogates(String text) {
        StringBuilder out = null;
        int n = text.length();
        for (int i = 0; i < n; i++) {
            char c = text.charAt(i);
            boolean lone = false;
            if (Character.isHighSurrogate(c)) {
                if (i + 1 < n && Character.isLowSurrogate(text.charAt(i + 1))) {
                    if (out != null) {
                        out.append(c).append(text.charAt(i + 1));
                    }
                    i++;
                    continue;
                }
                lone = true;
            } else if (Character.isLowSurrogate(c)) {
                lone = true;
            }
            if (lone && out == null) {
                out = new StringBuilder(n).append(text, 0, i);
            }
            if (out != null) {
                out.append(lone ? '\uFFFD' : c);
            }
        }
        return out == null ? text : out.toString();
    }

    /** ftfy's {@code remove_terminal_escapes}: ANSI color and cursor sequences. */
    static String removeTerminalEscapes(String text) {
        return text.indexOf('\u001B') < 0 ? text : ANSI_ESCAPE.matcher(text).replaceAll("");
    }

    /**
     * ftfy's {@code remove_control_chars}: C0 controls but tab, LF, FF and CR, DEL, the deprecated format
     * characters U+206A..U+206F, the byte-order mark and the interlinear annotation characters.
     */
    static String removeControlChars(String text) {
        return translate(text, c -> CONTROL[c] ? "" : null);
    }
}
