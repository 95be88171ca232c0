package io.github.clip4j.download;

import io.github.clip4j.common.ClipException;

/**
 * A file could not be downloaded or failed verification. The message names the address, the target file and
 * how to supply the file by hand (for machines without internet access).
 */
public class DownloadException extends ClipException {
    private static final long serialVersionUID = 1L;

    public DownloadException(String message) {
        super(message);
    }

    public DownloadException(String message, Throwable cause) {
        super(message, cause);
    }
}
