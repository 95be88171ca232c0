package io.github.clip4j.training;

/**
 * Receives progress from {@link ContrastiveTrainer}, on the training thread (keep it quick).
 *
 * <pre>{@code
 * TrainingListener log = step -> logger.info("step {} loss {}", step.step(), step.loss());
 * }</pre>
 */
@FunctionalInterface
public interface TrainingListener {
    /**
     * Called after every optimizer step.
     *
     * @param progress the step just done: its number, loss and learning rate
     */
    void onStep(StepProgress progress);

    /**
     * Called after each epoch's evaluation on the held-out pairs (only when an evaluation set is configured).
     * Does nothing by default.
     *
     * @param epoch the 0-based epoch just finished, as in {@link StepProgress#epoch()}
     * @param metrics image-to-text and text-to-image retrieval on the held-out pairs
     */
    default void onEvaluation(int epoch, RetrievalMetrics metrics) {}

    /** A listener that ignores everything. */
    TrainingListener NONE = progress -> {};
}
