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
    /** After every optimizer step. */
    void onStep(StepProgress progress);

    /** After each epoch's evaluation on the held-out pairs (only when an evaluation set is configured). */
    default void onEvaluation(int epoch, RetrievalMetrics metrics) {}

    /** A listener that ignores everything. */
    TrainingListener NONE = progress -> {};
}
