package io.github.clip4j;

import io.github.clip4j.common.ClipException;

/**
 * libtorch could not be loaded or used: the native libraries for this platform are missing from the class
 * path, cannot be extracted to JavaCPP's cache, or a requested device (CUDA) is not available. The message
 * says which and what to do.
 */
public class NativeRuntimeException extends ClipException {
    private static final long serialVersionUID = 1L;

    /**
     * An exception with a message that names the problem and the fix.
     *
     * @param message what failed and what to do, e.g. which artifact to add to the class path
     */
    public NativeRuntimeException(String message) {
        super(message);
    }

    /**
     * An exception wrapping the native failure that caused it.
     *
     * @param message what failed and what to do
     * @param cause   the underlying error, typically an {@link UnsatisfiedLinkError} from loading a library
     */
    public NativeRuntimeException(String message, Throwable cause) {
        super(message, cause);
    }
}
