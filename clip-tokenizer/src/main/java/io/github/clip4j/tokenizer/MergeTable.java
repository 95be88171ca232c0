package io.github.clip4j.tokenizer;

import java.util.Arrays;

/**
 * An open-addressing map from a pair of token ids to the rank of the merge that joins them: no boxing, about
 * 16 bytes per merge, and one multiply and a few probes per lookup.
 */
final class MergeTable {
    static final int NONE = Integer.MAX_VALUE;
    private static final long EMPTY = -1L;

    private final long[] keys;
    private final int[] ranks;
    private final int mask;

    private MergeTable(int capacity) {
        keys = new long[capacity];
        ranks = new int[capacity];
        mask = capacity - 1;
        Arrays.fill(keys, EMPTY);
    }

    /** A table for {@code first[i], second[i] → i}; a repeated pair keeps its last rank, like a Python dict. */
    static MergeTable of(int[] first, int[] second) {
        int capacity = Integer.highestOneBit(Math.max(4, first.length * 2 - 1)) << 1;
        MergeTable table = new MergeTable(capacity);
        for (int rank = 0; rank < first.length; rank++) {
            table.put(key(first[rank], second[rank]), rank);
        }
        return table;
    }

    /** The rank of the merge of {@code left} then {@code right}, or {@link #NONE}. */
    int rank(int left, int right) {
        long key = key(left, right);
        for (int slot = slot(key); ; slot = (slot + 1) & mask) {
            long k = keys[slot];
            if (k == key) {
                return ranks[slot];
            }
            if (k == EMPTY) {
                return NONE;
            }
        }
    }

    private void put(long key, int rank) {
        for (int slot = slot(key); ; slot = (slot + 1) & mask) {
            if (keys[slot] == EMPTY || keys[slot] == key) {
                keys[slot] = key;
                ranks[slot] = rank;
                return;
            }
        }
    }

    private int slot(long key) {
        long h = key * 0x9E3779B97F4A7C15L;
        return (int) (h ^ (h >>> 32)) & mask;
    }

    private static long key(int left, int right) {
        return ((long) left << 32) | (right & 0xFFFFFFFFL);
    }
}
