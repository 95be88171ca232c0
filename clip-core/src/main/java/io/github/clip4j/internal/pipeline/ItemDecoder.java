package io.github.clip4j.internal.pipeline;

import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.file.Path;

/**
 * Decodes and preprocesses one item of a {@link DecodePipeline} into its slot of a batch buffer. Called from the
 * pipeline's threads, several items at once: implementations must be thread-safe.
 *
 * @param <T> the items, e.g. image files or dataset pairs
 */
public interface ItemDecoder<T> {
    /**
     * Writes exactly the pipeline's {@code pixelsPerItem} floats of {@code item} at {@code offset} of {@code dst}.
     *
     * @param item the item to decode
     * @param dst the batch buffer, shared with the other items' jobs: write only at absolute indices
     * @param offset where this item's floats start
     * @throws IOException if the item cannot be read; like an {@code InvalidImageException} it is skipped under
     *     {@link DecodePipeline.OnFailure#SKIP}
     */
    void decode(T item, FloatBuffer dst, int offset) throws IOException;

    /** {@return what failures name, e.g. the file's path or {@code "in-memory image 3 (640x480)"}} */
    String name(T item);

    /**
     * The file a skipped item is reported and remembered by; needed only under {@link DecodePipeline.OnFailure#SKIP}.
     *
     * @param item an item that could not be decoded
     * @return its file
     */
    default Path file(T item) {
        throw new UnsupportedOperationException("only file items can be skipped, not " + name(item));
    }
}
