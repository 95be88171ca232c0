package io.github.clip4j.training;

/**
 * The learning rate for each optimizer step (0-based), e.g. {@link #warmupCosine}.
 *
 * <p>Implementations are pure functions of the step so that a resumed run gets exactly the rates of an
 * uninterrupted one.
 */
@FunctionalInterface
public interface LearningRateSchedule {
    /**
     * The rate for one optimizer step.
     *
     * @param step the 0-based optimizer step; counts optimizer updates, not micro-batches
     * @return the learning rate, at least 0
     */
    double rate(long step);

    /**
     * The same rate at every step.
     *
     * @param rate a positive, finite learning rate
     * @return a schedule that always returns {@code rate}
     * @throws IllegalArgumentException if {@code rate} is not positive and finite
     */
    static LearningRateSchedule constant(double rate) {
        checkRate(rate);
        return step -> rate;
    }

    /**
     * Linear warm-up from {@code base / warmupSteps} to {@code base} over the first {@code warmupSteps} steps,
     * then a half cosine from {@code base} down to 0 at {@code totalSteps} (the schedule of CLIP's training and
     * open_clip's {@code cosine_lr}):
     *
     * <pre>{@code
     * step <  warmup: base * (step + 1) / warmup
     * step >= warmup: 0.5 * (1 + cos(pi * (step - warmup) / (total - warmup))) * base
     * }</pre>
     *
     * Steps past {@code totalSteps} keep the rate at 0.
     *
     * @param base the peak learning rate, positive and finite (e.g. {@code 1e-5} for fine-tuning)
     * @param warmupSteps the number of warm-up steps, 0 for none
     * @param totalSteps the run's total optimizer steps, at least 1
     * @return the schedule
     * @throws IllegalArgumentException unless {@code base > 0} and {@code 0 <= warmupSteps <= totalSteps}
     */
    static LearningRateSchedule warmupCosine(double base, long warmupSteps, long totalSteps) {
        checkRate(base);
        if (warmupSteps < 0 || totalSteps < 1 || warmupSteps > totalSteps) {
            throw new IllegalArgumentException("need 0 <= warmupSteps <= totalSteps and totalSteps >= 1, got warmup "
                    + warmupSteps + " of " + totalSteps);
        }
        return step -> {
            if (step < warmupSteps) {
                return base * (step + 1) / warmupSteps;
            }
            long decaySteps = totalSteps - warmupSteps;
            if (decaySteps == 0) {
                return base;
            }
            double progress = Math.min(1.0, (double) (step - warmupSteps) / decaySteps);
            return 0.5 * (1 + Math.cos(Math.PI * progress)) * base;
        };
    }

    private static void checkRate(double rate) {
        if (!(rate > 0) || Double.isInfinite(rate)) {
            throw new IllegalArgumentException("learning rate must be a positive finite number, got " + rate);
        }
    }
}
