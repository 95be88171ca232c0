package io.github.clip4j.training;

import io.github.clip4j.SkippedFile;
import java.util.List;

/**
 * What a {@link ContrastiveTrainer#fit} run did.
 *
 * @param epochs epochs completed (a stopped run counts the epoch it stopped in only if it finished it)
 * @param steps optimizer steps done in total, including those before a resume
 * @param losses the loss of every step this run performed, in order
 * @param evaluations the held-out metrics after each epoch (empty without an evaluation set)
 * @param stopped whether the run stopped early at {@code stopAfterSteps}
 * @param skipped images that could not be decoded during the run, each once, in the order they failed; their
 *     pairs were dropped from their batches (training and evaluation) and not tried again
 */
public record TrainingResult(int epochs, long steps, List<Double> losses, List<RetrievalMetrics> evaluations,
        boolean stopped, List<SkippedFile> skipped) {
    /**
     * Copies the lists, so a result never changes after {@code fit} returns.
     *
     * @param epochs epochs completed
     * @param steps optimizer steps done in total, including those before a resume
     * @param losses the loss of every step this run performed, in order; copied
     * @param evaluations the held-out metrics after each epoch; copied
     * @param stopped whether the run stopped early
     * @param skipped images that could not be decoded during the run; copied
     * @throws NullPointerException if a list is null or holds null
     */
    public TrainingResult {
        losses = List.copyOf(losses);
        evaluations = List.copyOf(evaluations);
        skipped = List.copyOf(skipped);
    }

    /**
     * A result of a run that skipped no image.
     *
     * @param epochs epochs completed
     * @param steps optimizer steps done in total, including those before a resume
     * @param losses the loss of every step this run performed, in order; copied
     * @param evaluations the held-out metrics after each epoch; copied
     * @param stopped whether the run stopped early
     * @throws NullPointerException if a list is null or holds null
     */
    public TrainingResult(int epochs, long steps, List<Double> losses, List<RetrievalMetrics> evaluations,
            boolean stopped) {
        this(epochs, steps, losses, evaluations, stopped, List.of());
    }

    /** {@return the first step's loss of this run (NaN if it made no step)} */
    public double firstLoss() {
        return losses.isEmpty() ? Double.NaN : losses.get(0);
    }

    /** {@return the last step's loss of this run (NaN if it made no step)} */
    public double lastLoss() {
        return losses.isEmpty() ? Double.NaN : losses.get(losses.size() - 1);
    }
}
