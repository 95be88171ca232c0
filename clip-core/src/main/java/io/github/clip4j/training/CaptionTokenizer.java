package io.github.clip4j.training;

/**
 * Turns a caption into the text encoder's token ids, a fixed-length row (CLIP: 77 ids with start and end
 * tokens, zero padding, truncated when too long). Must be thread-safe; called from background threads.
 *
 * <pre>{@code
 * CaptionTokenizer tokens = caption -> tokenizer.tokenize(caption, 77, true);
 * }</pre>
 */
@FunctionalInterface
public interface CaptionTokenizer {
    /** The ids of {@code caption}; every call must return the same length. */
    int[] tokenize(String caption);
}
