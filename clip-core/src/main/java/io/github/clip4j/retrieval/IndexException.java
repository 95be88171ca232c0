package io.github.clip4j.retrieval;

import io.github.clip4j.common.ClipException;

/**
 * An image index cannot be used: its file is not an index, is truncated or corrupt, was written by an unknown
 * version or built with another model, or cannot be written. The message names the file and the fix.
 */
public class IndexException extends ClipException {
    private static final long serialVersionUID = 1L;

    public IndexException(String message) {
        super(message);
    }

    public IndexException(String message, Throwable cause) {
        super(message, cause);
    }
}
