package io.github.clip4j.internal.text;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * HTML character references, decoded the two ways the reference does.
 *
 * <p>{@link #unescape} is Python's {@code html.unescape}: the HTML5 rules, including the legacy names accepted
 * without a semicolon ({@code "&ampfoo"} is {@code "&foo"}), numeric references with the HTML5 replacements for
 * invalid code points. {@link #unescapeFtfy} is ftfy's narrower {@code unescape_html}: only complete
 * {@code &name;} or {@code &#...;} references, plus upper-cased names such as {@code &EACUTE;}.
 */
final class HtmlEntities {
    private HtmlEntities() {}

    /** Python's {@code html.unescape(text)}. */
    static String unescape(String text) {
        int amp = text.indexOf('&');
        if (amp < 0) {
            return text;
        }
        int n = text.length();
        StringBuilder out = new StringBuilder(n).append(text, 0, amp);
        int i = amp;
        while (i < n) {
            char c = text.charAt(i);
            if (c != '&') {
                out.append(c);
                i++;
                continue;
            }
            int end = referenceEnd(text, i);
            if (end < 0) {
                out.append('&');
                i++;
                continue;
            }
            out.append(replaceReference(text.substring(i + 1, end)));
            i = end;
        }
        return out.toString();
    }

    /**
     * Where the reference starting with the '&amp;' at {@code amp} ends (exclusive), or -1: Python's
     * {@code &(#[0-9]+;?|#[xX][0-9a-fA-F]+;?|[^\t\n\f <&#;]{1,32};?)}.
     */
    private static int referenceEnd(String text, int amp) {
        int n = text.length();
        int i = amp + 1;
        if (i < n && text.charAt(i) == '#') {
            i++;
            boolean hex = false;
            if (i < n && (text.charAt(i) == 'x' || text.charAt(i) == 'X') && i + 1 < n && isHexDigit(text.charAt(i + 1))) {
                hex = true;
                i++;
            }
            int digits = i;
            while (i < n && (hex ? isHexDigit(text.charAt(i)) : isDigit(text.charAt(i)))) {
                i++;
            }
            if (i == digits) {
                return -1;
            }
            return i < n && text.charAt(i) == ';' ? i + 1 : i;
        }
        int count = 0;
        while (i < n && count < 32) {
            int cp = text.codePointAt(i);
            if (cp == '\t' || cp == '\n' || cp == '\f' || cp == ' ' || cp == '<' || cp == '&' || cp == '#' || cp == ';') {
                break;
            }
            i += Character.charCount(cp);
            count++;
        }
        if (count == 0) {
            return -1;
        }
        return i < n && text.charAt(i) == ';' ? i + 1 : i;
    }

    /** Python's {@code _replace_charref} for a reference without its '&amp;'. */
    private static String replaceReference(String ref) {
        if (ref.charAt(0) == '#') {
            boolean hex = ref.charAt(1) == 'x' || ref.charAt(1) == 'X';
            int end = ref.endsWith(";") ? ref.length() - 1 : ref.length();
            return numericReference(parseSaturated(ref, hex ? 2 : 1, end, hex ? 16 : 10));
        }
        String value = Tables.HTML5.get(ref);
        if (value != null) {
            return value;
        }
        // The longest legacy name (accepted without ';') that prefixes the reference, as the HTML5 standard says.
        for (int x = ref.codePointCount(0, ref.length()) - 1; x > 1; x--) {
            int cut = ref.offsetByCodePoints(0, x);
            String prefix = Tables.HTML5.get(ref.substring(0, cut));
            if (prefix != null) {
                return prefix + ref.substring(cut);
            }
        }
        return "&" + ref;
    }

    private static String numericReference(long num) {
        if (num <= Integer.MAX_VALUE) {
            int at = Arrays.binarySearch(GeneratedTables.INVALID_CHARREF_KEYS, (int) num);
            if (at >= 0) {
                return String.valueOf(GeneratedTables.INVALID_CHARREF_VALUES.charAt(at));
            }
        }
        if ((num >= 0xD800 && num <= 0xDFFF) || num > 0x10FFFF) {
            return "\uFFFD";
        }
        if (CodePointRanges.contains(GeneratedTables.INVALID_CODEPOINT_RANGES, (int) num)) {
            return "";
        }
        return new String(Character.toChars((int) num));
    }

    /** The number written in {@code text[from, to)}, saturating far above U+10FFFF (Python's ints do not overflow). */
    private static long parseSaturated(String text, int from, int to, int radix) {
        long value = 0;
        for (int i = from; i < to; i++) {
            value = Math.min(value * radix + Character.digit(text.charAt(i), radix), 1L << 40);
        }
        return value;
    }

    /**
     * ftfy's {@code unescape_html}: replaces {@code &[#]?[0-9A-Za-z]{1,24};} when it names an entity (or an
     * upper-cased one) or is a numeric reference that decodes completely.
     */
    static String unescapeFtfy(String text) {
        int amp = text.indexOf('&');
        if (amp < 0) {
            return text;
        }
        int n = text.length();
        StringBuilder out = null;
        int copied = 0;
        int i = amp;
        while (i >= 0 && i < n) {
            int end = ftfyReferenceEnd(text, i);
            if (end < 0) {
                i = text.indexOf('&', i + 1);
                continue;
            }
            String ref = text.substring(i, end);
            String replacement = Tables.FTFY.get(ref);
            if (replacement == null && ref.startsWith("&#")) {
                String unescaped = unescape(ref);
                replacement = unescaped.indexOf(';') >= 0 ? null : unescaped;
            }
            if (replacement != null) {
                if (out == null) {
                    out = new StringBuilder(n);
                }
                out.append(text, copied, i).append(replacement);
                copied = end;
            }
            i = text.indexOf('&', end);
        }
        return out == null ? text : out.append(text, copied, n).toString();
    }

    private static int ftfyReferenceEnd(String text, int amp) {
        int n = text.length();
        int i = amp + 1;
        if (i < n && text.charAt(i) == '#') {
            i++;
        }
        int start = i;
        while (i < n && i - start < 24 && isAsciiAlphanumeric(text.charAt(i))) {
            i++;
        }
        return i > start && i < n && text.charAt(i) == ';' ? i + 1 : -1;
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private static boolean isHexDigit(char c) {
        return isDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    }

    private static boolean isAsciiAlphanumeric(char c) {
        return isDigit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    }

    /** The entity tables, loaded when the first '&amp;' is seen. */
    private static final class Tables {
        /** Python's {@code html.entities.html5}: names (with or without ';') to their characters. */
        static final Map<String, String> HTML5 = new HashMap<>(4096);
        /** ftfy's {@code HTML_ENTITIES}: {@code "&name;"} to characters. */
        static final Map<String, String> FTFY = new HashMap<>(8192);

        static {
            List<String[]> rows = TableResource.rows("html5-entities.tsv");
            for (String[] row : rows) {
                String value = TableResource.codePoints(row[2]);
                if (row[0].equals("H")) {
                    HTML5.put(row[1], value);
                    if (row[1].endsWith(";")) {
                        FTFY.put("&" + row[1], value);
                    }
                } else {
                    FTFY.put(row[1], value);
                }
            }
        }
    }
}
