package io.github.clip4j.tokenizer;

import java.util.Arrays;

/**
 * Turns cleaned text into token ids: pre-tokenize into words, map each word's UTF-8 bytes to byte tokens (the last
 * one with {@code </w>}), then apply merges the way the reference does: repeatedly take the lowest-ranked adjacent
 * pair present and merge all its occurrences left to right.
 *
 * <p>Short words use that loop directly. Long words (garbage runs of letters or punctuation, possibly a megabyte
 * long) use an equivalent heap-driven version that is O(n log n) instead of O(n²). Thread-safe: per-call state is
 * local and the word cache is lock-free.
 */
final class BytePairEncoder {
    /** Words with more symbols than this take the heap-driven path. */
    static final int LONG_WORD_SYMBOLS = 64;
    private static final int CACHE_SLOTS = 1 << 14;

    private final BpeVocabulary vocabulary;
    private final WordCache cache = new WordCache(CACHE_SLOTS);

    BytePairEncoder(BpeVocabulary vocabulary) {
        this.vocabulary = vocabulary;
    }

    /** Appends the ids of {@code cleaned} (the output of text cleaning) to {@code out}. */
    void encode(String cleaned, IntList out) {
        Scratch scratch = null;
        int n = cleaned.length();
        for (int start = PreTokenizer.skipSpaces(cleaned, 0); start < n; ) {
            int end = PreTokenizer.wordEnd(cleaned, start);
            int special = special(cleaned, start, end);
            if (special >= 0) {
                out.add(special);
            } else {
                int[] cached = cache.get(cleaned, start, end);
                if (cached != null) {
                    out.addAll(cached, cached.length);
                } else {
                    if (scratch == null) {
                        scratch = new Scratch();
                    }
                    int count = encodeWord(cleaned, start, end, scratch);
                    out.addAll(scratch.symbols, count);
                    cache.put(cleaned, start, end, Arrays.copyOf(scratch.symbols, count));
                }
            }
            start = PreTokenizer.skipSpaces(cleaned, end);
        }
    }

    /** The reference's cache is seeded with the two special tokens: only their exact lower-case form is special. */
    private int special(String text, int start, int end) {
        int length = end - start;
        if (length == PreTokenizer.START_OF_TEXT.length()
                && text.startsWith(PreTokenizer.START_OF_TEXT, start)) {
            return vocabulary.startOfTextId();
        }
        if (length == PreTokenizer.END_OF_TEXT.length() && text.startsWith(PreTokenizer.END_OF_TEXT, start)) {
            return vocabulary.endOfTextId();
        }
        return -1;
    }

    /** Encodes one word into {@code scratch.symbols} and returns the number of ids. */
    private int encodeWord(String text, int start, int end, Scratch scratch) {
        scratch.bytes = Utf8.encode(text, start, end, scratch.bytes, scratch.length);
        int n = scratch.length[0];
        if (scratch.symbols.length < n) {
            scratch.symbols = new int[Math.max(n, 2 * scratch.symbols.length)];
        }
        int[] symbols = scratch.symbols;
        for (int i = 0; i < n - 1; i++) {
            symbols[i] = vocabulary.idOfByte(scratch.bytes[i] & 0xFF);
        }
        symbols[n - 1] = vocabulary.endOfWordIdOfByte(scratch.bytes[n - 1] & 0xFF);
        return n > LONG_WORD_SYMBOLS ? mergeLong(vocabulary, symbols, n) : mergeShort(vocabulary, symbols, n);
    }

    /** The reference's loop, in place; returns the new length. */
    static int mergeShort(BpeVocabulary vocabulary, int[] word, int length) {
        int n = length;
        while (n > 1) {
            int best = MergeTable.NONE;
            for (int i = 0; i < n - 1; i++) {
                int rank = vocabulary.rank(word[i], word[i + 1]);
                if (rank < best) {
                    best = rank;
                }
            }
            if (best == MergeTable.NONE) {
                break;
            }
            int left = vocabulary.mergeLeft(best);
            int right = vocabulary.mergeRight(best);
            int merged = vocabulary.mergeResult(best);
            int out = 0;
            for (int i = 0; i < n; ) {
                if (i < n - 1 && word[i] == left && word[i + 1] == right) {
                    word[out++] = merged;
                    i += 2;
                } else {
                    word[out++] = word[i++];
                }
            }
            n = out;
        }
        return n;
    }

    /**
     * The same merges driven by a min-heap of (rank, position) over a linked list of symbols. All occurrences of
     * the lowest rank are popped in position order and merged as one batch; the pairs the batch creates are only
     * queued after it, exactly as the reference only looks at them in its next round. In place; returns the new
     * length.
     */
    static int mergeLong(BpeVocabulary vocabulary, int[] word, int length) {
        int[] next = new int[length];
        int[] prev = new int[length];
        LongHeap heap = new LongHeap(length);
        for (int i = 0; i < length; i++) {
            next[i] = i + 1 < length ? i + 1 : -1;
            prev[i] = i - 1;
            if (i + 1 < length) {
                offer(vocabulary, heap, word, i, i + 1);
            }
        }
        int[] changed = new int[length];
        while (!heap.isEmpty()) {
            int rank = (int) (heap.peek() >>> 32);
            int left = vocabulary.mergeLeft(rank);
            int right = vocabulary.mergeRight(rank);
            int merged = vocabulary.mergeResult(rank);
            int changedCount = 0;
            while (!heap.isEmpty() && (int) (heap.peek() >>> 32) == rank) {
                int i = (int) heap.poll();
                int j = next[i];
                // stale entries: the node was absorbed (-1) or one of the pair's symbols has changed
                if (word[i] != left || j < 0 || word[j] != right) {
                    continue;
                }
                word[i] = merged;
                word[j] = -1;
                next[i] = next[j];
                if (next[j] >= 0) {
                    prev[next[j]] = i;
                }
                changed[changedCount++] = i;
            }
            for (int k = 0; k < changedCount; k++) {
                int i = changed[k];
                if (prev[i] >= 0) {
                    offer(vocabulary, heap, word, prev[i], i);
                }
                if (next[i] >= 0) {
                    offer(vocabulary, heap, word, i, next[i]);
                }
            }
        }
        int n = 0;
        for (int i = 0; i >= 0; i = next[i]) {
            word[n++] = word[i];
        }
        return n;
    }

    private static void offer(BpeVocabulary vocabulary, LongHeap heap, int[] word, int i, int j) {
        int rank = vocabulary.rank(word[i], word[j]);
        if (rank != MergeTable.NONE) {
            heap.add(((long) rank << 32) | i);
        }
    }

    /** Per-call buffers, reused across the words of one text. */
    private static final class Scratch {
        byte[] bytes = new byte[64];
        int[] symbols = new int[64];
        final int[] length = new int[1];
    }

    /** A binary min-heap of longs. */
    private static final class LongHeap {
        private long[] values;
        private int size;

        LongHeap(int capacity) {
            values = new long[Math.max(4, capacity)];
        }

        boolean isEmpty() {
            return size == 0;
        }

        long peek() {
            return values[0];
        }

        void add(long value) {
            if (size == values.length) {
                values = Arrays.copyOf(values, size * 2);
            }
            int i = size++;
            while (i > 0) {
                int parent = (i - 1) >>> 1;
                if (values[parent] <= value) {
                    break;
                }
                values[i] = values[parent];
                i = parent;
            }
            values[i] = value;
        }

        long poll() {
            long top = values[0];
            long last = values[--size];
            int i = 0;
            int half = size >>> 1;
            while (i < half) {
                int child = 2 * i + 1;
                if (child + 1 < size && values[child + 1] < values[child]) {
                    child++;
                }
                if (last <= values[child]) {
                    break;
                }
                values[i] = values[child];
                i = child;
            }
            values[i] = last;
            return top;
        }
    }
}
