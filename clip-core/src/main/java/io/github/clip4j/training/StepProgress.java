package io.github.clip4j.training;

/**
 * Where training is after one optimizer step.
 *
 * @param epoch the 0-based epoch
 * @param step optimizer steps done so far, across epochs (1 after the first step)
 * @param totalSteps steps the run will take
 * @param loss the step's contrastive loss over its whole batch
 * @param learningRate the rate the step used
 * @param gradientNorm the total gradient norm before clipping (NaN when clipping is off)
 * @param logitScale {@code exp(logit_scale)} after the step (the inverse temperature)
 * @param samplesPerSecond image/text pairs per second over this step, decoding waits included
 */
public record StepProgress(int epoch, long step, long totalSteps, double loss, double learningRate,
        double gradientNorm, double logitScale, double samplesPerSecond) {}
