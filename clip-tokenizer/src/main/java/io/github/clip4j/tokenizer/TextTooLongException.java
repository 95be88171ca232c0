package io.github.clip4j.tokenizer;

import io.github.clip4j.common.ClipException;

/**
 * A text's tokens (with the start and end tokens) do not fit the context length and truncation was not asked for.
 * The reference raises in the same case; pass {@code truncate = true} to keep the first tokens instead.
 */
public class TextTooLongException extends ClipException {
    private static final long serialVersionUID = 1L;

    /** The text's 0-based position in its batch. */
    private final int index;
    /** The text's token count, start and end tokens included. */
    private final int tokenCount;
    /** The context length the text did not fit. */
    private final int contextLength;

    /**
     * @param index the text's 0-based position in the batch
     * @param tokenCount its token count, start and end tokens included
     * @param contextLength the context length it had to fit
     */
    public TextTooLongException(int index, int tokenCount, int contextLength) {
        super("text " + index + " is too long: " + tokenCount + " tokens (start and end tokens included) for context"
                + " length " + contextLength + "; shorten it or enable truncation");
        this.index = index;
        this.tokenCount = tokenCount;
        this.contextLength = contextLength;
    }

    /** {@return the text's 0-based position in the batch} */
    public int index() {
        return index;
    }

    /** {@return the text's token count, start and end tokens included: always more than {@link #contextLength()}} */
    public int tokenCount() {
        return tokenCount;
    }

    /** {@return the context length the text did not fit} */
    public int contextLength() {
        return contextLength;
    }
}
