package io.github.clip4j.runtime;

import io.github.clip4j.common.ClipException;

/**
 * libtorch could not be loaded or used: the native libraries for this platform are missing from the class
 * path, cannot be extracted to JavaCPP's cache, or a requested device (CUDA) is not available. The message
 * says which and what to do.
 */
public class NativeRuntimeException extends ClipException {
    private static final long serialVersionUID = 1L;

    public NativeRuntimeException(String message) {
        super(message);
    }

    public NativeRuntimeException(String message, Throwable cause) {
        super(message, cause);
    }
}
