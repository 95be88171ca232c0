package io.github.clip4j;

import io.github.clip4j.retrieval.ImageIndex;
import static java.util.Objects.requireNonNull;

import java.nio.file.Path;

/**
 * A file that was left out, and why: one that {@link ImageIndex#addDirectory} could not index (e.g. the decoder's
 * message for a corrupt image, or the error reading a folder; retried on the next run), or an image that could
 * not be decoded during fine-tuning ({@code TrainingResult.skipped()}: its pairs were dropped and the file was not
 * read again in that run). Such files are reported, never fatal.
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
