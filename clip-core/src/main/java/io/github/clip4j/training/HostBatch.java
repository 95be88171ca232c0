package io.github.clip4j.training;

import java.util.List;

/**
 * A decoded batch in Java memory, ready to become tensors: pixels {@code [n, *imageShape]} and token ids
 * {@code [n, contextLength]}, row-major.
 */
record HostBatch(List<ImageTextPair> pairs, float[] pixels, long[] tokens, int contextLength) {
    int size() {
        return pairs.size();
    }
}
