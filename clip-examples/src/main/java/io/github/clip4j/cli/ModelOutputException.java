package io.github.clip4j.cli;

import io.github.clip4j.Clip;
import io.github.clip4j.common.ClipException;
import java.nio.file.Path;
import java.util.List;

/**
 * A model gave numbers that cannot be printed or used (NaN or infinite features, scores or probabilities, usually
 * from broken weights). The message names the model and the input. Exit status 1; never a {@code "NaN"} string in a
 * JSON number array.
 */
final class ModelOutputException extends ClipException {
    private static final long serialVersionUID = 1L;

    ModelOutputException(String message) {
        super(message);
    }

    /**
     * {@return whether {@code row} passes {@link #requireUsable}} For callers that build the input's name only when
     * it is needed (a stream of thousands of rows).
     */
    static boolean usable(float[] row) {
        boolean zero = true;
        for (float v : row) {
            if (!Float.isFinite(v)) {
                return false;
            }
            zero &= v == 0;
        }
        return !zero;
    }

    /**
     * Checks a row of features before it is normalized or printed.
     *
     * @param row the model's raw features for one input
     * @param model the model as the user named it
     * @param input the input, as the message should name it, e.g. {@code image cat.png}
     * @throws ModelOutputException if a value is NaN or infinite, or all are zero
     */
    static void requireUsable(float[] row, String model, String input) {
        boolean zero = true;
        for (float v : row) {
            if (!Float.isFinite(v)) {
                throw new ModelOutputException("model " + model + " gave " + v + " in the features of " + input
                        + "; its weights are probably broken (NaN or infinite values)");
            }
            zero &= v == 0;
        }
        if (zero) {
            throw new ModelOutputException("model " + model + " gave all-zero features for " + input
                    + "; they have no direction to compare (its weights are probably broken)");
        }
    }

    /**
     * The library refused a batch of images because their features cannot be normalized ({@code e}): the input to
     * blame, found by embedding each image of the batch alone, or {@code e} itself if none is found.
     */
    static RuntimeException forImages(Clip clip, String model, List<Path> batch, IllegalArgumentException e) {
        for (Path image : batch) {
            float[] row = clip.imageFeatures(List.of(image))[0];
            try {
                requireUsable(row, model, "image " + image);
            } catch (ModelOutputException found) {
                return found;
            }
        }
        return e;
    }
}
