package io.github.clip4j.internal.text;

import java.util.Arrays;
import java.util.List;

/**
 * Python's {@code str} semantics where they differ from Java's: {@code isspace()} (and so regex {@code \s} and
 * {@code strip()}) and {@code lower()}.
 *
 * <p>Java's {@link Character#isWhitespace} leaves out U+0085 and the no-break spaces U+00A0, U+2007 and U+202F,
 * which Python counts; {@link String#toLowerCase} depends on a locale and on the JDK's Unicode version. The
 * tables come from CPython (see {@code src/build/generate_text_tables.py}).
 */
final class PythonText {
    private PythonText() {}

    /** Python's whitespace, indexed by code point: all of it lies at or below U+3000. */
    private static final boolean[] SPACE = new boolean[0x3001];

    static {
        for (char c : GeneratedTables.PYTHON_WHITESPACE.toCharArray()) {
            SPACE[c] = true;
        }
    }

    /** Python's {@code str.isspace()} for one code point. */
    static boolean isSpace(int cp) {
        return cp < SPACE.length && SPACE[cp];
    }

    /** Python's {@code text.strip()}. */
    static String strip(String text) {
        int start = 0;
        int end = text.length();
        while (start < end && isSpace(text.charAt(start))) {
            start++;
        }
        while (end > start && isSpace(text.charAt(end - 1))) {
            end--;
        }
        return text.substring(start, end);
    }

    /** Python's {@code re.sub(r'\s+', ' ', text).strip()}: CLIP's {@code whitespace_clean}. */
    static String collapseWhitespace(String text) {
        int n = text.length();
        StringBuilder out = null;
        boolean pendingSpace = false;
        for (int i = 0; i < n; i++) {
            char c = text.charAt(i);
            if (isSpace(c)) {
                if (out == null) {
                    // Only a lone ' ' between non-space characters may stay as it is.
                    boolean keep = c == ' ' && i > 0 && i + 1 < n && !isSpace(text.charAt(i + 1));
                    if (keep) {
                        continue;
                    }
                    out = new StringBuilder(n).append(text, 0, i);
                }
                pendingSpace = true;
            } else {
                if (out != null) {
                    if (pendingSpace && out.length() > 0) {
                        out.append(' ');
                    }
                    out.append(c);
                }
                pendingSpace = false;
            }
        }
        return out == null ? text : out.toString();
    }

    /** Python's {@code text.lower()}: full Unicode lower-casing with the final-sigma rule, no locale. */
    static String lower(String text) {
        int n = text.length();
        int i = 0;
        while (i < n) {
            char c = text.charAt(i);
            if (c >= 0x80 || (c >= 'A' && c <= 'Z')) {
                break;
            }
            i++;
        }
        if (i == n) {
            return text;
        }
        StringBuilder out = new StringBuilder(n).append(text, 0, i);
        while (i < n) {
            char c = text.charAt(i);
            if (c < 0x80) {
                out.append(c >= 'A' && c <= 'Z' ? (char) (c + 32) : c);
                i++;
                continue;
            }
            int cp = text.codePointAt(i);
            if (cp == 0x3A3) {
                out.append(isFinalSigma(text, i) ? '\u03C2' : '\u03C3');
            } else {
                String mapped = Lowercase.map(cp);
                if (mapped == null) {
                    out.appendCodePoint(cp);
                } else {
                    out.append(mapped);
                }
            }
            i += Character.charCount(cp);
        }
        return out.toString();
    }

    /** CPython's rule: a cased letter before (skipping case-ignorables), none after (likewise). */
    private static boolean isFinalSigma(String text, int at) {
        int j = at;
        int before = -1;
        while (j > 0) {
            int cp = text.codePointBefore(j);
            j -= Character.charCount(cp);
            if (!CodePointRanges.contains(Lowercase.IGNORABLE, cp)) {
                before = cp;
                break;
            }
        }
        if (before < 0 || !CodePointRanges.contains(Lowercase.CASED, before)) {
            return false;
        }
        j = at + 1;
        while (j < text.length()) {
            int cp = text.codePointAt(j);
            if (!CodePointRanges.contains(Lowercase.IGNORABLE, cp)) {
                return !CodePointRanges.contains(Lowercase.CASED, cp);
            }
            j += Character.charCount(cp);
        }
        return true;
    }

    /** CPython's lower-case mapping and case properties, loaded on first non-ASCII use. */
    private static final class Lowercase {
        /** Code points whose lower case differs, sorted, and their lower case. */
        static final int[] KEYS;
        static final String[] VALUES;
        /** Case_Ignorable and Cased, as {@link CodePointRanges}. */
        static final int[] IGNORABLE;
        static final int[] CASED;

        static {
            List<String[]> rows = TableResource.rows("python-lowercase.tsv");
            int[] keys = new int[rows.size()];
            String[] values = new String[rows.size()];
            int[] ignorable = new int[rows.size() * 2];
            int[] cased = new int[rows.size() * 2];
            int m = 0;
            int ig = 0;
            int ca = 0;
            for (String[] row : rows) {
                switch (row[0]) {
                    case "M":
                        keys[m] = Integer.parseInt(row[1], 16);
                        values[m++] = TableResource.codePoints(row[2]);
                        break;
                    case "I":
                        ignorable[ig++] = Integer.parseInt(row[1], 16);
                        ignorable[ig++] = Integer.parseInt(row[2], 16);
                        break;
                    case "C":
                        cased[ca++] = Integer.parseInt(row[1], 16);
                        cased[ca++] = Integer.parseInt(row[2], 16);
                        break;
                    default:
                        throw new IllegalStateException("Bad row kind in python-lowercase.tsv: " + row[0]);
                }
            }
            KEYS = Arrays.copyOf(keys, m);
            VALUES = Arrays.copyOf(values, m);
            IGNORABLE = Arrays.copyOf(ignorable, ig);
            CASED = Arrays.copyOf(cased, ca);
        }

        /** The lower case of {@code cp}, or null when it is its own lower case. */
        static String map(int cp) {
            int at = Arrays.binarySearch(KEYS, cp);
            return at >= 0 ? VALUES[at] : null;
        }
    }
}
