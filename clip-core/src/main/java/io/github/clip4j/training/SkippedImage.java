package io.github.clip4j.training;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;

/**
 * An image that existed when the dataset was read but could not be decoded during a run (corrupt, truncated,
 * not an image); its pair was dropped from its batch and the file was not tried again.
 *
 * @param image the image file, as given in the dataset
 * @param reason why it could not be decoded, e.g. {@code "Image x.png is not a supported image: ..."}
 */
public record SkippedImage(Path image, String reason) {
    /**
     * Checks the arguments.
     *
     * @param image the image file, not null
     * @param reason why it could not be decoded, not null
     * @throws NullPointerException if an argument is null
     */
    public SkippedImage {
        requireNonNull(image, "image");
        requireNonNull(reason, "reason");
    }

    @Override
    public String toString() {
        return image + ": " + reason;
    }
}
