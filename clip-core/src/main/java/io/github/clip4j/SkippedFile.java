package io.github.clip4j;

import io.github.clip4j.retrieval.ImageIndex;
import static java.util.Objects.requireNonNull;

import java.nio.file.Path;

/**
 * A file that {@link ImageIndex#addDirectory} could not index, and why (e.g. the decoder's message for a corrupt
 * image, or the error reading a folder). Such files are reported, never fatal, and retried on the next run.
 *
 * @param path the file, as found under the folder given to {@code addDirectory}
 * @param reason a one-line explanation
 */
public record SkippedFile(Path path, String reason) {

    /**
     * Checks the components.
     *
     * @param path the file, not null
     * @param reason a one-line explanation, not null
     */
    public SkippedFile {
        requireNonNull(path, "path");
        requireNonNull(reason, "reason");
    }
}
