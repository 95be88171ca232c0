package io.github.clip4j.training;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;

/**
 * One training example: an image file and the caption that describes it.
 *
 * @param image the image file (absolute, or relative to the working directory)
 * @param caption the matching text, not blank
 */
public record ImageTextPair(Path image, String caption) {
    /**
     * Checks both parts; the image file's existence is checked only when it is read.
     *
     * @param image the image file, not null
     * @param caption the matching text, not blank
     * @throws NullPointerException if {@code image} or {@code caption} is null
     * @throws IllegalArgumentException if {@code caption} is blank
     */
    public ImageTextPair {
        requireNonNull(image, "image");
        requireNonNull(caption, "caption");
        if (caption.isBlank()) {
            throw new IllegalArgumentException("caption of " + image + " is blank");
        }
    }
}
