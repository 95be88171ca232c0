package io.github.clip4j.internal.text;

/**
 * ftfy's mojibake heuristic ({@code ftfy.badness.is_bad}): whether the text contains a character sequence that
 * is far more likely to be mis-decoded UTF-8 than intended, such as a lower-case accented letter followed by a
 * currency sign.
 *
 * <p>ftfy writes the heuristic as one large regular expression. Its alternatives are plain sequences of
 * character classes, so it is kept as data (see {@link GeneratedTables#BADNESS_CLASSES}) and matched here with
 * bit sets: java.util.regex tests large classes range by range, which made each character cost hundreds of
 * comparisons.
 */
final class Badness {
    private Badness() {}

    /** Classes answer from a bit set below this code point, by binary search above it. */
    private static final int TABLE_LIMIT = 0x2600;

    private static final long[][] CLASS_BITS;
    private static final int[][] CLASS_RANGES;
    private static final boolean[] CLASS_NEGATED;
    /** Per alternative, the class index of each atom; -1 stands for '^' (start of text). */
    private static final int[][] ALTERNATIVES;
    private static final boolean[][] OPTIONAL;
    /** Per character below {@link #TABLE_LIMIT}, the alternatives (bit a) whose first class contains it. */
    private static final long[] STARTS = new long[TABLE_LIMIT];
    /** Alternatives that can start with a character at or above {@link #TABLE_LIMIT}, or only at the start. */
    private static final long STARTS_HIGH;
    private static final long STARTS_ANCHORED;

    static {
        String[] classes = GeneratedTables.BADNESS_CLASSES;
        CLASS_BITS = new long[classes.length][];
        CLASS_RANGES = new int[classes.length][];
        CLASS_NEGATED = new boolean[classes.length];
        for (int k = 0; k < classes.length; k++) {
            String spec = classes[k];
            CLASS_NEGATED[k] = spec.startsWith("!");
            int[] ranges = CodePointRanges.parse(CLASS_NEGATED[k] ? spec.substring(1) : spec);
            CLASS_RANGES[k] = ranges;
            long[] bits = new long[TABLE_LIMIT / 64];
            for (int r = 0; r < ranges.length; r += 2) {
                for (int cp = ranges[r]; cp <= ranges[r + 1] && cp < TABLE_LIMIT; cp++) {
                    bits[cp >>> 6] |= 1L << cp;
                }
            }
            CLASS_BITS[k] = bits;
        }
        String[] alternatives = GeneratedTables.BADNESS_ALTERNATIVES;
        ALTERNATIVES = new int[alternatives.length][];
        OPTIONAL = new boolean[alternatives.length][];
        for (int a = 0; a < alternatives.length; a++) {
            String[] atoms = alternatives[a].split(" ");
            ALTERNATIVES[a] = new int[atoms.length];
            OPTIONAL[a] = new boolean[atoms.length];
            for (int i = 0; i < atoms.length; i++) {
                String atom = atoms[i];
                OPTIONAL[a][i] = atom.endsWith("?");
                String index = OPTIONAL[a][i] ? atom.substring(0, atom.length() - 1) : atom;
                ALTERNATIVES[a][i] = index.equals("^") ? -1 : Integer.parseInt(index);
            }
        }
        if (alternatives.length > 64) {
            throw new IllegalStateException("ftfy's badness has " + alternatives.length + " alternatives, more than 64");
        }
        long high = 0;
        long anchored = 0;
        for (int a = 0; a < alternatives.length; a++) {
            int first = ALTERNATIVES[a][0];
            if (first < 0 || OPTIONAL[a][0]) {
                anchored |= 1L << a; // tried at every position
                continue;
            }
            for (int cp = 0; cp < TABLE_LIMIT; cp++) {
                if (contains(first, cp)) {
                    STARTS[cp] |= 1L << a;
                }
            }
            if (CLASS_NEGATED[first] || lastMember(CLASS_RANGES[first]) >= TABLE_LIMIT) {
                high |= 1L << a;
            }
        }
        STARTS_HIGH = high;
        STARTS_ANCHORED = anchored;
    }

    private static int lastMember(int[] ranges) {
        return ranges.length == 0 ? -1 : ranges[ranges.length - 1];
    }

    /** Whether the text looks like it contains mojibake. ASCII text never does. */
    static boolean isBad(String text) {
        int n = text.length();
        int firstNonAscii = 0;
        while (firstNonAscii < n && text.charAt(firstNonAscii) < 0x80) {
            firstNonAscii++;
        }
        if (firstNonAscii == n) {
            return false;
        }
        // Every alternative is at most seven characters long and needs a non-ASCII one, so a match cannot start
        // much before the first non-ASCII character.
        int start = Math.max(0, firstNonAscii - 8);
        while (start > 0 && Character.isLowSurrogate(text.charAt(start))) {
            start--;
        }
        for (int i = start; i < n; ) {
            int cp = text.codePointAt(i);
            long candidates = (cp < TABLE_LIMIT ? STARTS[cp] : STARTS_HIGH) | STARTS_ANCHORED;
            while (candidates != 0) {
                int a = Long.numberOfTrailingZeros(candidates);
                candidates &= candidates - 1;
                if (matches(text, i, ALTERNATIVES[a], OPTIONAL[a], 0)) {
                    return true;
                }
            }
            i += Character.charCount(cp);
        }
        return false;
    }

    private static boolean matches(String text, int pos, int[] atoms, boolean[] optional, int atom) {
        if (atom == atoms.length) {
            return true;
        }
        int cls = atoms[atom];
        if (cls < 0) {
            return pos == 0 && matches(text, pos, atoms, optional, atom + 1);
        }
        if (pos < text.length()) {
            int cp = text.codePointAt(pos);
            if (contains(cls, cp) && matches(text, pos + Character.charCount(cp), atoms, optional, atom + 1)) {
                return true;
            }
        }
        return optional[atom] && matches(text, pos, atoms, optional, atom + 1);
    }

    private static boolean contains(int cls, int cp) {
        boolean member = cp < TABLE_LIMIT
                ? (CLASS_BITS[cls][cp >>> 6] & (1L << cp)) != 0
                : CodePointRanges.contains(CLASS_RANGES[cls], cp);
        return member != CLASS_NEGATED[cls];
    }
}
