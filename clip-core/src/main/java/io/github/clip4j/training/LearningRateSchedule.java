package io.github.clip4j.training;

/**
 * The learning rate for each optimizer step (0-based), e.g. {@link #warmupCosine}.
 *
 * <p>Implementations are pure functions of the step so that a resumed run gets exactly the rates of an
 * uninterrupted one.
 */
@FunctionalInterface
public interface LearningRateSchedule {
    /** The rate for optimizer step {@code step} (0-based, counts optimizer updates, not micro-batches). */
    double rate(long step);

    /** The same rate at every step. */
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
