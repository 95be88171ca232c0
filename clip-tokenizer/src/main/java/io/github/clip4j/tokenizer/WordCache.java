package io.github.clip4j.tokenizer;

import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * A bounded, lock-free cache of word → token ids shared by all threads.
 *
 * <p>Direct-mapped: a word has one slot, chosen by its hash, and a newer word simply replaces an older one. Memory
 * is bounded by the slot count and the longest cached word, so a stream of unique garbage cannot grow the heap,
 * and lookups never lock or allocate. Entries are immutable, so a racing reader sees either a whole entry or
 * none; a miss only costs recomputing the same ids.
 */
final class WordCache {
    /** Words longer than this are not cached: they rarely repeat and would bloat the slots. */
    static final int MAX_WORD_CHARS = 48;

    private final AtomicReferenceArray<Entry> slots;
    private final int mask;

    WordCache(int slotCount) {
        if (Integer.bitCount(slotCount) != 1) {
            throw new IllegalArgumentException("slotCount must be a power of two: " + slotCount);
        }
        slots = new AtomicReferenceArray<>(slotCount);
        mask = slotCount - 1;
    }

    /** The cached ids of {@code text[start, end)}, or {@code null}; the caller must not modify the array. */
    int[] get(String text, int start, int end) {
        Entry entry = slots.getAcquire(hash(text, start, end) & mask);
        int length = end - start;
        if (entry != null && entry.word.length() == length && entry.word.regionMatches(0, text, start, length)) {
            return entry.ids;
        }
        return null;
    }

    /** Caches {@code ids} (not copied: the caller hands over ownership) for {@code text[start, end)}. */
    void put(String text, int start, int end, int[] ids) {
        if (end - start <= MAX_WORD_CHARS) {
            slots.setRelease(hash(text, start, end) & mask, new Entry(text.substring(start, end), ids));
        }
    }

    private static int hash(String text, int start, int end) {
        int h = 0;
        for (int i = start; i < end; i++) {
            h = 31 * h + text.charAt(i);
        }
        return h ^ (h >>> 15);
    }

    private static final class Entry {
        final String word;
        final int[] ids;

        Entry(String word, int[] ids) {
            this.word = word;
            this.ids = ids;
        }
    }
}
