package io.github.clip4j.tokenizer;

import java.util.Arrays;

/** A growable {@code int[]}: token ids without boxing. Not thread-safe; used within one call. */
final class IntList {
    private int[] values;
    private int size;

    IntList(int capacity) {
        values = new int[Math.max(1, capacity)];
    }

    void add(int value) {
        if (size == values.length) {
            values = Arrays.copyOf(values, size * 2);
        }
        values[size++] = value;
    }

    void addAll(int[] source, int count) {
        if (size + count > values.length) {
            values = Arrays.copyOf(values, Math.max(size + count, size * 2));
        }
        System.arraycopy(source, 0, values, size, count);
        size += count;
    }

    int size() {
        return size;
    }

    /** Drops every value from {@code size} on (a rollback to an earlier size). */
    void truncate(int size) {
        if (size < 0 || size > this.size) {
            throw new IndexOutOfBoundsException("size " + size + " of " + this.size);
        }
        this.size = size;
    }

    void clear() {
        size = 0;
    }

    /** Copies the first {@code count} values into {@code target} from {@code offset}. */
    void copyTo(int[] target, int offset, int count) {
        System.arraycopy(values, 0, target, offset, count);
    }

    int[] toArray() {
        return Arrays.copyOf(values, size);
    }
}
