package io.github.clip4j.internal.pipeline;

import static java.util.Objects.requireNonNull;

import java.nio.FloatBuffer;
import java.util.List;

/**
 * One batch out of a {@link DecodePipeline}: the items that were decoded, in input order, and their pixels,
 * image after image, in a direct native-order buffer that libtorch can read in place.
 *
 * @param items the decoded items (under {@code SKIP}, without the undecodable ones); never null
 * @param pixels {@code items.size() * pixelsPerItem} floats from position 0; direct, native order
 * @param <T> the item type
 */
public record DecodedBatch<T>(List<T> items, FloatBuffer pixels) {
    /**
     * Copies the item list.
     *
     * @param items the decoded items, not null
     * @param pixels their pixels, not null
     */
    public DecodedBatch {
        items = List.copyOf(items);
        requireNonNull(pixels, "pixels");
    }

    /** {@return the number of decoded items; may be 0 under {@code SKIP}} */
    public int count() {
        return items.size();
    }
}
