package io.github.clip4j.download;

/**
 * Receives download progress, e.g. to draw a progress bar. Called from the downloading thread.
 */
@FunctionalInterface
public interface DownloadListener {
    /** A listener that ignores progress. */
    DownloadListener NONE = (name, done, total) -> {};

    /**
     * @param name the file being downloaded (its file name)
     * @param bytesDone bytes received so far
     * @param bytesTotal the expected size, or -1 when the server did not say
     */
    void onProgress(String name, long bytesDone, long bytesTotal);
}
