package io.github.clip4j;

import io.github.clip4j.common.ClipException;

/**
 * An image that cannot be used: missing, empty, truncated, not an image, in an unsupported format, or larger than
 * the decompression-bomb limit. The message names the input (a path or a caller-given name) and what to do.
 */
public class InvalidImageException extends ClipException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception with a message naming the input and the problem.
     *
     * @param message what is wrong with which input, and what to do about it
     */
    public InvalidImageException(String message) {
        super(message);
    }

    /**
     * Creates the exception with a message naming the input and the problem, and the decoder's own error.
     *
     * @param message what is wrong with which input, and what to do about it
     * @param cause the I/O or decoder error underneath, or null
     */
    public InvalidImageException(String message, Throwable cause) {
        super(message, cause);
    }
}
