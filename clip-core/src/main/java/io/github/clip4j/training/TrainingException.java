package io.github.clip4j.training;

import io.github.clip4j.common.ClipException;

/**
 * Fine-tuning refused to start or could not go on: a dataset that is empty or unreadable, an output path that
 * cannot be written, a resume file that does not match the model. The message names the input and the fix.
 */
public class TrainingException extends ClipException {
    private static final long serialVersionUID = 1L;

    /** @param message what is wrong, naming the input and the fix */
    public TrainingException(String message) {
        super(message);
    }

    /**
     * @param message what is wrong, naming the input and the fix
     * @param cause the underlying failure
     */
    public TrainingException(String message, Throwable cause) {
        super(message, cause);
    }
}
