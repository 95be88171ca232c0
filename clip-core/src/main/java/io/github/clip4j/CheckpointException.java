package io.github.clip4j;

import io.github.clip4j.common.ClipException;

/**
 * A checkpoint could not be used: the file is missing, truncated, corrupt or of an unknown format, or its
 * tensors do not form a CLIP model (missing, unexpected or misshapen parameters, named in the message).
 */
public class CheckpointException extends ClipException {
    private static final long serialVersionUID = 1L;

    /**
     * @param message names the checkpoint and the problem, and the fix where there is one
     */
    public CheckpointException(String message) {
        super(message);
    }

    /**
     * @param message names the checkpoint and the problem
     * @param cause the underlying failure
     */
    public CheckpointException(String message, Throwable cause) {
        super(message, cause);
    }
}
