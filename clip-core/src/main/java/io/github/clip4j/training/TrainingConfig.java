package io.github.clip4j.training;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import java.util.EnumSet;
import java.util.Set;

/**
 * Everything a {@link ContrastiveTrainer} run is configured with: an immutable, validated value. Build one with
 * {@link #builder()} (each setter checks its argument; the defaults are CLIP's and are listed with each setter), or
 * let {@link ContrastiveTrainer#builder} build it for you.
 *
 * <pre>{@code
 * TrainingConfig config = TrainingConfig.builder()
 *         .epochs(3).batchSize(64).microBatchSize(16)            // 4 accumulated micro-batches per step
 *         .learningRate(1e-5).warmupSteps(50).maxGradientNorm(1.0)
 *         .checkpoint(Path.of("run/resume.pt"), 200)
 *         .build();
 * TrainingResult result = ContrastiveTrainer.builder(clip).config(config).build().fit(split.train());
 * }</pre>
 *
 * @param epochs passes over the training data, at least 1 (default 1)
 * @param batchSize pairs per optimizer step, the contrastive batch, at least 2 (default 32)
 * @param microBatchSize pairs per forward/backward pass, 1 to {@code batchSize} (default: {@code batchSize}, no
 *     accumulation)
 * @param learningRate peak rate of the default warm-up + cosine schedule, positive and finite (default 1e-5)
 * @param warmupSteps linear warm-up steps of the default schedule, at least 0 (default 0)
 * @param schedule the rate of every step, or null (default) for warm-up + cosine from {@code learningRate}
 * @param weightDecay AdamW's decoupled weight decay, at least 0 and finite (default 0.2)
 * @param weightDecayRule which parameters decay (default {@link WeightDecayRule#CLIP})
 * @param beta1 AdamW's first moment decay, in [0, 1) (default 0.9)
 * @param beta2 AdamW's second moment decay, in [0, 1) (default 0.98)
 * @param eps AdamW's epsilon, positive (default 1e-6)
 * @param maxGradientNorm clips the total gradient L2 norm before each step, at least 0; 0 (default) turns it off
 * @param seed seed of the per-epoch shuffling (default 0)
 * @param frozen towers whose parameters stay fixed, {@link Tower#IMAGE} and/or {@link Tower#TEXT} (default none)
 * @param bf16Autocast whether the encoders run under CPU autocast in bfloat16 (default false)
 * @param listener receives progress on the training thread (default {@link TrainingListener#NONE})
 * @param evaluation held-out pairs evaluated after every epoch, or null (default) for none
 * @param checkpoint the resume file written during the run, or null (default) for none
 * @param checkpointEvery steps between resume-file writes, at least 0; 0 (default) writes only at the end
 * @param resumeFrom a resume file to continue from, or null (default) to start afresh
 * @param stopAfterSteps stop once this many steps are done (resumes included), at least 0; 0 (default) never
 * @param decodeThreads threads decoding images, at least 1 (default min(4, cores))
 * @param prefetchBatches batches decoded ahead of the training step, at least 1 (default 2)
 */
public record TrainingConfig(int epochs, int batchSize, int microBatchSize, double learningRate, long warmupSteps,
        LearningRateSchedule schedule, double weightDecay, WeightDecayRule weightDecayRule, double beta1, double beta2,
        double eps, double maxGradientNorm, long seed, Set<Tower> frozen, boolean bf16Autocast,
        TrainingListener listener, ImageTextDataset evaluation, Path checkpoint, long checkpointEvery,
        Path resumeFrom, long stopAfterSteps, int decodeThreads, int prefetchBatches) {

    /**
     * Checks every component (with the messages of the {@link Builder}'s setters) and copies {@code frozen}.
     *
     * @throws IllegalArgumentException if a value is out of its range (the message names it and the fix)
     * @throws NullPointerException if {@code weightDecayRule}, {@code frozen} or {@code listener} is null
     */
    public TrainingConfig {
        checkEpochs(epochs);
        checkBatchSize(batchSize);
        checkMicroBatchSize(microBatchSize);
        check(microBatchSize <= batchSize, "micro-batch size " + microBatchSize + " exceeds batch size " + batchSize
                + "; use a micro-batch of at most the batch size, or leave it unset for no accumulation");
        checkLearningRate(learningRate);
        checkWarmupSteps(warmupSteps);
        checkWeightDecay(weightDecay);
        requireNonNull(weightDecayRule, "weightDecayRule");
        checkBetas(beta1, beta2);
        checkEps(eps);
        checkMaxGradientNorm(maxGradientNorm);
        frozen = frozen.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(frozen));
        check(!frozen.contains(Tower.SHARED), "logit_scale cannot be frozen on its own; freeze IMAGE and/or TEXT");
        requireNonNull(listener, "listener");
        checkCheckpointEvery(checkpointEvery);
        checkStopAfterSteps(stopAfterSteps);
        checkDecodeThreads(decodeThreads);
        checkPrefetchBatches(prefetchBatches);
    }

    /** {@return CLIP's defaults, as {@code builder().build()}} */
    public static TrainingConfig defaults() {
        return builder().build();
    }

    /** {@return a builder holding the defaults} */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Whether a parameter of {@code tower} trains under this configuration: {@link Tower#SHARED}
     * ({@code logit_scale}) is frozen only when both towers are.
     *
     * @param tower the parameter's tower, not null
     * @return true if it is not frozen
     */
    public boolean trains(Tower tower) {
        return tower == Tower.SHARED ? !frozen.containsAll(EnumSet.of(Tower.IMAGE, Tower.TEXT))
                : !frozen.contains(tower);
    }

    /**
     * {@return the learning rate of every step of a run of {@code totalSteps} steps} {@link #schedule()} if set,
     * else warm-up + cosine from {@link #learningRate()} (warm-up capped at the run's length).
     *
     * @param totalSteps the run's optimizer steps, at least 1
     */
    public LearningRateSchedule scheduleFor(long totalSteps) {
        return schedule != null ? schedule
                : LearningRateSchedule.warmupCosine(learningRate, Math.min(warmupSteps, totalSteps), totalSteps);
    }

    /**
     * Builds a {@link TrainingConfig}; every setter checks its argument at once. Not thread-safe; reusable.
     */
    public static final class Builder {
        private int epochs = 1;
        private int batchSize = 32;
        private int microBatchSize; // 0: the batch size
        private double learningRate = 1e-5;
        private long warmupSteps;
        private LearningRateSchedule schedule;
        private double weightDecay = 0.2;
        private WeightDecayRule decayRule = WeightDecayRule.CLIP;
        private double beta1 = 0.9;
        private double beta2 = 0.98;
        private double eps = 1e-6;
        private double maxGradientNorm;
        private long seed;
        private final Set<Tower> frozen = EnumSet.noneOf(Tower.class);
        private boolean bf16Autocast;
        private TrainingListener listener = TrainingListener.NONE;
        private ImageTextDataset evaluation;
        private Path checkpoint;
        private long checkpointEvery;
        private Path resumeFrom;
        private long stopAfterSteps;
        private int decodeThreads = Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors()));
        private int prefetchBatches = 2;

        private Builder() {}

        /**
         * Copies every setting of {@code config} into this builder.
         *
         * @param config the settings, not null
         * @return this builder
         */
        public Builder from(TrainingConfig config) {
            requireNonNull(config, "config");
            epochs = config.epochs;
            batchSize = config.batchSize;
            microBatchSize = config.microBatchSize;
            learningRate = config.learningRate;
            warmupSteps = config.warmupSteps;
            schedule = config.schedule;
            weightDecay = config.weightDecay;
            decayRule = config.weightDecayRule;
            beta1 = config.beta1;
            beta2 = config.beta2;
            eps = config.eps;
            maxGradientNorm = config.maxGradientNorm;
            seed = config.seed;
            frozen.clear();
            frozen.addAll(config.frozen);
            bf16Autocast = config.bf16Autocast;
            listener = config.listener;
            evaluation = config.evaluation;
            checkpoint = config.checkpoint;
            checkpointEvery = config.checkpointEvery;
            resumeFrom = config.resumeFrom;
            stopAfterSteps = config.stopAfterSteps;
            decodeThreads = config.decodeThreads;
            prefetchBatches = config.prefetchBatches;
            return this;
        }

        /**
         * Passes over the training data (default 1).
         *
         * @param epochs at least 1
         * @return this builder
         * @throws IllegalArgumentException if {@code epochs < 1}
         */
        public Builder epochs(int epochs) {
            this.epochs = checkEpochs(epochs);
            return this;
        }

        /**
         * Pairs per optimizer step, the contrastive batch (default 32). Larger batches give each pair more
         * negatives; use {@link #microBatchSize} to fit them in memory.
         *
         * @param batchSize at least 2, since pairs are each other's negatives
         * @return this builder
         * @throws IllegalArgumentException if {@code batchSize < 2}
         */
        public Builder batchSize(int batchSize) {
            this.batchSize = checkBatchSize(batchSize);
            return this;
        }

        /**
         * Pairs per forward/backward pass (default: the batch size, no accumulation); smaller values save memory
         * and keep the full-batch loss (see {@link ContrastiveTrainer}).
         *
         * @param microBatchSize at least 1 and at most the batch size (checked by {@link #build()})
         * @return this builder
         * @throws IllegalArgumentException if {@code microBatchSize < 1}
         */
        public Builder microBatchSize(int microBatchSize) {
            this.microBatchSize = checkMicroBatchSize(microBatchSize);
            return this;
        }

        /**
         * Peak learning rate of the default warm-up + cosine schedule (default 1e-5).
         *
         * @param learningRate a positive, finite rate
         * @return this builder
         * @throws IllegalArgumentException if the rate is not positive and finite
         */
        public Builder learningRate(double learningRate) {
            this.learningRate = checkLearningRate(learningRate);
            return this;
        }

        /**
         * Linear warm-up steps of the default schedule (default 0); capped at the run's total steps.
         *
         * @param warmupSteps optimizer steps of warm-up, at least 0
         * @return this builder
         * @throws IllegalArgumentException if {@code warmupSteps < 0}
         */
        public Builder warmupSteps(long warmupSteps) {
            this.warmupSteps = checkWarmupSteps(warmupSteps);
            return this;
        }

        /**
         * Replaces the default warm-up + cosine schedule (then {@link #learningRate} and {@link #warmupSteps} are
         * ignored).
         *
         * @param schedule the rate of every optimizer step, not null
         * @return this builder
         */
        public Builder schedule(LearningRateSchedule schedule) {
            this.schedule = requireNonNull(schedule, "schedule");
            return this;
        }

        /**
         * AdamW's decoupled weight decay for the parameters {@link #weightDecayRule} selects (default 0.2).
         *
         * @param weightDecay the decay coefficient, at least 0 and finite; 0 turns decay off
         * @return this builder
         * @throws IllegalArgumentException if it is negative or not finite
         */
        public Builder weightDecay(double weightDecay) {
            this.weightDecay = checkWeightDecay(weightDecay);
            return this;
        }

        /**
         * Which parameters decay (default {@link WeightDecayRule#CLIP}; {@link WeightDecayRule#ALL} for all).
         *
         * @param rule chooses the decayed parameters by name and rank, not null
         * @return this builder
         */
        public Builder weightDecayRule(WeightDecayRule rule) {
            this.decayRule = requireNonNull(rule, "rule");
            return this;
        }

        /**
         * AdamW's moment decay rates (default CLIP's 0.9, 0.98).
         *
         * @param beta1 the first moment's decay, in [0, 1)
         * @param beta2 the second moment's decay, in [0, 1)
         * @return this builder
         * @throws IllegalArgumentException if a beta is outside [0, 1)
         */
        public Builder betas(double beta1, double beta2) {
            checkBetas(beta1, beta2);
            this.beta1 = beta1;
            this.beta2 = beta2;
            return this;
        }

        /**
         * AdamW's epsilon (default CLIP's 1e-6).
         *
         * @param eps the term added to the denominator for stability, positive
         * @return this builder
         * @throws IllegalArgumentException if {@code eps <= 0}
         */
        public Builder eps(double eps) {
            this.eps = checkEps(eps);
            return this;
        }

        /**
         * Clips the total gradient L2 norm to this value before each step; 0 (default) turns clipping off.
         *
         * @param maxGradientNorm the largest total norm, at least 0 (e.g. 1.0)
         * @return this builder
         * @throws IllegalArgumentException if it is negative
         */
        public Builder maxGradientNorm(double maxGradientNorm) {
            this.maxGradientNorm = checkMaxGradientNorm(maxGradientNorm);
            return this;
        }

        /**
         * Seed of the per-epoch shuffling (default 0). The same seed and data give the same batches.
         *
         * @param seed any value
         * @return this builder
         */
        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /**
         * Keeps the given towers' parameters fixed ({@code requires_grad = false}, not in the optimizer). Calls
         * add up; {@code logit_scale} is frozen only when both towers are.
         *
         * @param towers {@link Tower#IMAGE} and/or {@link Tower#TEXT}
         * @return this builder
         * @throws IllegalArgumentException if {@link Tower#SHARED} is given
         */
        public Builder freeze(Tower... towers) {
            for (Tower t : towers) {
                check(t != Tower.SHARED, "logit_scale cannot be frozen on its own; freeze IMAGE and/or TEXT");
                frozen.add(requireNonNull(t, "tower"));
            }
            return this;
        }

        /**
         * Runs the encoders under libtorch's CPU autocast in bfloat16 (the loss and the optimizer stay float32);
         * faster on CPUs with bf16 support, slightly less precise. Default off.
         *
         * @param enabled true to run the encoders in bfloat16
         * @return this builder
         */
        public Builder bf16Autocast(boolean enabled) {
            this.bf16Autocast = enabled;
            return this;
        }

        /**
         * Receives progress after each step and evaluation, on the training thread (default: none).
         *
         * @param listener the listener, not null; it replaces any earlier one
         * @return this builder
         */
        public Builder listener(TrainingListener listener) {
            this.listener = requireNonNull(listener, "listener");
            return this;
        }

        /**
         * Held-out pairs evaluated after every epoch (recall@1/5 both ways, zero-shot accuracy); default none.
         *
         * @param heldOut the evaluation pairs, not null; e.g. {@link ImageTextDataset.Split#heldOut()}
         * @return this builder
         */
        public Builder evaluateOn(ImageTextDataset heldOut) {
            this.evaluation = requireNonNull(heldOut, "heldOut");
            return this;
        }

        /**
         * Writes a resume file (weights, optimizer state, step) to {@code file} every {@code everySteps} steps
         * (0: only at the end of the run, also when stopped early). Default: none.
         *
         * @param file the resume file, replaced atomically at each write, not null; its folder must exist
         * @param everySteps the interval in optimizer steps, at least 0
         * @return this builder
         * @throws IllegalArgumentException if {@code everySteps < 0}
         */
        public Builder checkpoint(Path file, long everySteps) {
            this.checkpointEvery = checkCheckpointEvery(everySteps);
            this.checkpoint = requireNonNull(file, "file");
            return this;
        }

        /**
         * Continues a run from a resume file written by {@link #checkpoint}; the run must use the same dataset,
         * batch size and seed, and then gives the same result as if it had never stopped.
         *
         * @param file a resume file, not null; {@link ContrastiveTrainer#fit} checks that it exists and fits
         * @return this builder
         */
        public Builder resumeFrom(Path file) {
            this.resumeFrom = requireNonNull(file, "file");
            return this;
        }

        /**
         * Stops once this many optimizer steps (counted from the start, resumes included) are done.
         *
         * @param steps the step count to stop at, at least 0; 0 (default) never stops early
         * @return this builder
         * @throws IllegalArgumentException if {@code steps < 0}
         */
        public Builder stopAfterSteps(long steps) {
            this.stopAfterSteps = checkStopAfterSteps(steps);
            return this;
        }

        /**
         * Background threads decoding images (default min(4, cores)).
         *
         * @param threads at least 1
         * @return this builder
         * @throws IllegalArgumentException if {@code threads < 1}
         */
        public Builder decodeThreads(int threads) {
            this.decodeThreads = checkDecodeThreads(threads);
            return this;
        }

        /**
         * Batches decoded ahead of the training step (default 2); each holds its decoded images in native memory
         * ({@code 4 * 3 * S * S} bytes per image).
         *
         * @param batches at least 1
         * @return this builder
         * @throws IllegalArgumentException if {@code batches < 1}
         */
        public Builder prefetchBatches(int batches) {
            this.prefetchBatches = checkPrefetchBatches(batches);
            return this;
        }

        /**
         * {@return the configuration} The builder can be reused afterwards.
         *
         * @throws IllegalArgumentException if the micro-batch is larger than the batch
         */
        public TrainingConfig build() {
            return new TrainingConfig(epochs, batchSize, microBatchSize == 0 ? batchSize : microBatchSize,
                    learningRate, warmupSteps, schedule, weightDecay, decayRule, beta1, beta2, eps, maxGradientNorm,
                    seed, frozen, bf16Autocast, listener, evaluation, checkpoint, checkpointEvery, resumeFrom,
                    stopAfterSteps, decodeThreads, prefetchBatches);
        }
    }

    private static int checkEpochs(int epochs) {
        check(epochs >= 1, "epochs must be >= 1, got " + epochs + "; use 1 or more passes over the data");
        return epochs;
    }

    private static int checkBatchSize(int batchSize) {
        check(batchSize >= 2, "batch size must be >= 2: the contrastive loss needs negatives, got " + batchSize
                + "; use 2 or more pairs per step (default 32)");
        return batchSize;
    }

    private static int checkMicroBatchSize(int microBatchSize) {
        check(microBatchSize >= 1, "micro-batch size must be >= 1, got " + microBatchSize
                + "; leave it unset for no accumulation");
        return microBatchSize;
    }

    private static double checkLearningRate(double learningRate) {
        check(learningRate > 0 && Double.isFinite(learningRate), "learning rate must be a positive finite number, got "
                + learningRate + "; fine-tuning typically uses 1e-6 to 1e-4 (default 1e-5)");
        return learningRate;
    }

    private static long checkWarmupSteps(long warmupSteps) {
        check(warmupSteps >= 0, "warm-up steps must be >= 0, got " + warmupSteps + "; use 0 for no warm-up");
        return warmupSteps;
    }

    private static double checkWeightDecay(double weightDecay) {
        check(weightDecay >= 0 && Double.isFinite(weightDecay), "weight decay must be >= 0 and finite, got "
                + weightDecay + "; use 0 to turn it off (default 0.2)");
        return weightDecay;
    }

    private static void checkBetas(double beta1, double beta2) {
        check(beta1 >= 0 && beta1 < 1 && beta2 >= 0 && beta2 < 1, "betas must be in [0, 1), got " + beta1 + ", "
                + beta2 + "; CLIP uses 0.9, 0.98");
    }

    private static double checkEps(double eps) {
        check(eps > 0, "eps must be > 0, got " + eps + "; CLIP uses 1e-6");
        return eps;
    }

    private static double checkMaxGradientNorm(double maxGradientNorm) {
        check(maxGradientNorm >= 0, "max gradient norm must be >= 0, got " + maxGradientNorm
                + "; use 0 to turn clipping off");
        return maxGradientNorm;
    }

    private static long checkCheckpointEvery(long everySteps) {
        check(everySteps >= 0, "checkpoint interval must be >= 0, got " + everySteps
                + "; use 0 to write the resume file only at the end");
        return everySteps;
    }

    private static long checkStopAfterSteps(long steps) {
        check(steps >= 0, "stopAfterSteps must be >= 0, got " + steps + "; use 0 to never stop early");
        return steps;
    }

    private static int checkDecodeThreads(int threads) {
        check(threads >= 1, "decode threads must be >= 1, got " + threads);
        return threads;
    }

    private static int checkPrefetchBatches(int batches) {
        check(batches >= 1, "prefetch batches must be >= 1, got " + batches);
        return batches;
    }

    private static void check(boolean condition, String message) {
        if (!condition) {
            throw new IllegalArgumentException(message);
        }
    }
}
