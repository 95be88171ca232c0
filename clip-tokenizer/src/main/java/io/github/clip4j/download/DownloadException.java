package io.github.clip4j.download;

import io.github.clip4j.common.ClipException;

/**
 * A file could not be downloaded or failed verification. The message names the address, the target file and
 * how to supply the file by hand (for machines without internet access).
 */
public class DownloadException extends ClipException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates an exception with a message that names the input and the fix.
     *
     * @param message what went wrong, with which input, and what to do about it
     */
    public DownloadException(String message) {
        super(message);
    }

    /**
     * Creates an exception that wraps the lower-level failure behind it.
     *
     * @param message what went wrong, with which input, and what to do about it
     * @param cause the underlying failure (an {@link java.io.IOException}, a native error), kept for the stack trace
     */
    public DownloadException(String message, Throwable cause) {
        super(message, cause);
    }
}
