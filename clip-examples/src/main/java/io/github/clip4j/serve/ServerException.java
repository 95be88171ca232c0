package io.github.clip4j.serve;

import io.github.clip4j.common.ClipException;

/** The server cannot start: e.g. the port is taken or the host is not an address of this machine. */
public final class ServerException extends ClipException {
    private static final long serialVersionUID = 1L;

    /**
     * A failure to start, with its cause.
     *
     * @param message what failed, naming the address
     * @param cause the underlying error, or null
     */
    public ServerException(String message, Throwable cause) {
        super(message, cause);
    }
}
