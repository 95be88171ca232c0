package io.github.clip4j.retrieval;

import io.github.clip4j.SkippedFile;
import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * What one {@link ImageIndex#addDirectory} run changed.
 *
 * <p>A file that changed but can no longer be read is dropped from the index: it counts as removed and is listed in
 * {@code skipped}.
 *
 * @param added image files new to the index, now embedded
 * @param updated image files whose size or modification time changed, embedded again
 * @param removed entries of the folder whose file is gone (or became unreadable), dropped
 * @param unchanged entries kept as they were
 * @param total the number of images in the whole index after the run (all folders)
 * @param skipped the image files that could not be embedded, with the reason
 */
public record IndexUpdate(int added, int updated, int removed, int unchanged, int total, List<SkippedFile> skipped) {

    /**
     * Checks the components and copies {@code skipped}.
     *
     * @param added image files new to the index, not negative
     * @param updated image files embedded again, not negative
     * @param removed entries dropped, not negative
     * @param unchanged entries kept as they were, not negative
     * @param total the number of images in the whole index after the run, not negative
     * @param skipped the files that could not be embedded, not null; copied
     * @throws IllegalArgumentException if a count is negative
     */
    public IndexUpdate {
        if (added < 0 || updated < 0 || removed < 0 || unchanged < 0 || total < 0) {
            throw new IllegalArgumentException("negative count in an index update");
        }
        skipped = List.copyOf(requireNonNull(skipped, "skipped"));
    }

    /**
     * Whether the run changed the index, i.e. whether it needs saving.
     *
     * @return true if any entry was added, updated or removed
     */
    public boolean changed() {
        return added + updated + removed > 0;
    }
}
