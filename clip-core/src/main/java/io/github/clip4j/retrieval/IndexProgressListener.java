package io.github.clip4j.retrieval;

/**
 * Told of {@link ImageIndex#addDirectory}'s progress after every batch of images embedded, e.g. to draw a progress
 * bar on stderr. Called on the indexing thread; keep it quick.
 *
 * <pre>{@code
 * index.addDirectory(dir, (done, total) -> System.err.printf("\r%d/%d", done, total));
 * }</pre>
 */
@FunctionalInterface
public interface IndexProgressListener {

    /** Ignores progress. */
    IndexProgressListener NONE = (done, total) -> { };

    /**
     * Called after each batch of images is embedded (not called when nothing needs embedding).
     *
     * @param done the files processed so far in this run (embedded or skipped)
     * @param total the files this run has to embed (new and changed ones)
     */
    void onProgress(int done, int total);
}
