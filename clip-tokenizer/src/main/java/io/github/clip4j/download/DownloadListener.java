package io.github.clip4j.download;

/**
 * Receives download progress, e.g. to draw a progress bar. Called from the downloading thread.
 */
@FunctionalInterface
public interface DownloadListener {
    /** A listener that ignores progress. */
    DownloadListener NONE = (name, done, total) -> {};

    /**
     * Called once with {@code bytesDone = 0} when the body starts, then after every block read (at most 64 KiB, so
     * possibly thousands of times per second: throttle any drawing). Not called for a file that is already there
     * and verified; a new attempt after a failure starts again from 0.
     *
     * @param name the file being downloaded (its file name)
     * @param bytesDone bytes received so far
     * @param bytesTotal the expected size, or -1 when the server did not say
     */
    void onProgress(String name, long bytesDone, long bytesTotal);
}
