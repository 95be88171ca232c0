package io.github.clip4j.internal.training;

import io.github.clip4j.training.ImageTextPair;
import java.util.List;

/**
 * A decoded batch in Java memory, ready to become tensors: pixels {@code [n, *imageShape]} and token ids
 * {@code [n, contextLength]}, row-major.
 */
public record HostBatch(List<ImageTextPair> pairs, float[] pixels, long[] tokens, int contextLength) {
    public int size() {
        return pairs.size();
    }
}
