package io.github.clip4j.retrieval;

import io.github.clip4j.common.ClipException;

/**
 * An image index cannot be used: its file is not an index, is truncated or corrupt, was written by an unknown
 * version or built with another model, or cannot be written. The message names the file and the fix.
 */
public class IndexException extends ClipException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message what is wrong with which index file, and how to fix it
     */
    public IndexException(String message) {
        super(message);
    }

    /**
     * Creates the exception with the error underneath.
     *
     * @param message what is wrong with which index file, and how to fix it
     * @param cause the I/O error or parse error that revealed the problem, or null
     */
    public IndexException(String message, Throwable cause) {
        super(message, cause);
    }
}
