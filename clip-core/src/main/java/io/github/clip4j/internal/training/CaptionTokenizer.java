package io.github.clip4j.internal.training;

import static java.util.Objects.requireNonNull;

import io.github.clip4j.tokenizer.TextTokenizer;
import java.util.List;

/**
 * Turns a caption into the text encoder's token ids, a fixed-length row (CLIP: 77 ids with start and end
 * tokens, zero padding, truncated when too long). Must be thread-safe; called from background threads.
 *
 * <pre>{@code
 * CaptionTokenizer tokens = CaptionTokenizer.of(clip.tokenizer(), clip.model().contextLength());
 * }</pre>
 */
@FunctionalInterface
public interface CaptionTokenizer {
    /**
     * The ids of {@code caption}; every call must return the same length.
     *
     * @param caption one caption from the dataset, not null
     * @return a new row of token ids, padded to the encoder's context length
     */
    int[] tokenize(String caption);

    /**
     * A model's tokenizer (CLIP's BPE, or Chinese-CLIP's WordPiece) padding to {@code contextLength}; a caption too long is truncated (its last kept token
     * becomes the end token, as {@code clip.tokenize(..., truncate=True)} does) rather than refused, since a
     * long caption is still a useful training example.
     *
     * @param tokenizer the model's tokenizer (thread-safe), not null
     * @param contextLength the row length, the text encoder's context length (77 for released models)
     * @return a thread-safe caption tokenizer
     * @throws IllegalArgumentException if {@code contextLength < 2} (no room for the start and end tokens)
     */
    static CaptionTokenizer of(TextTokenizer tokenizer, int contextLength) {
        requireNonNull(tokenizer, "tokenizer");
        if (contextLength < 2) {
            throw new IllegalArgumentException("context length must be >= 2, got " + contextLength);
        }
        return caption -> tokenizer.tokenize(List.of(caption), contextLength, true)[0];
    }
}
