package io.github.clip4j.internal.text;

/** Sets of code points stored as sorted, disjoint, inclusive {@code [from, to]} pairs in an int array. */
final class CodePointRanges {
    private CodePointRanges() {}

    /** Whether {@code cp} lies in one of the pairs of {@code ranges}. */
    static boolean contains(int[] ranges, int cp) {
        // Search the starts (even indexes) for the last one <= cp.
        int lo = 0;
        int hi = ranges.length / 2 - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (ranges[2 * mid] <= cp) {
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        return hi >= 0 && cp <= ranges[2 * hi + 1];
    }

    /** Parses the generator's {@code "lo-hi lo-hi ..."} (hexadecimal) form. */
    static int[] parse(String spec) {
        if (spec.isEmpty()) {
            return new int[0];
        }
        String[] parts = spec.split(" ");
        int[] ranges = new int[parts.length * 2];
        for (int i = 0; i < parts.length; i++) {
            int dash = parts[i].indexOf('-');
            ranges[2 * i] = Integer.parseInt(parts[i].substring(0, dash), 16);
            ranges[2 * i + 1] = Integer.parseInt(parts[i].substring(dash + 1), 16);
        }
        return ranges;
    }
}
