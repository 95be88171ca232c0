package io.github.clip4j.common;

/**
 * The root of every exception clip4j throws on purpose: bad input (an unreadable image, a corrupt checkpoint,
 * a text too long for the context), a missing resource (an unknown model name, a vocabulary that is neither
 * cached nor downloadable) or a native failure.
 *
 * <p>Messages name the input (a file, a model name, a text's index) and, where there is one, the fix.
 * Catch this type to handle everything clip4j refuses; catch a subclass to handle one kind of problem.
 */
public class ClipException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates an exception with a message that names the input and the fix.
     *
     * @param message what went wrong, with which input, and what to do about it
     */
    public ClipException(String message) {
        super(message);
    }

    /**
     * Creates an exception that wraps the lower-level failure behind it.
     *
     * @param message what went wrong, with which input, and what to do about it
     * @param cause the underlying failure (an {@link java.io.IOException}, a native error), kept for the stack trace
     */
    public ClipException(String message, Throwable cause) {
        super(message, cause);
    }
}
