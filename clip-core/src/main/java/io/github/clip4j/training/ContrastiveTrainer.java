package io.github.clip4j.training;

import io.github.clip4j.internal.ClipAccess;

import io.github.clip4j.internal.training.AdamWOptimizer;
import io.github.clip4j.internal.training.BatchPrefetcher;
import io.github.clip4j.internal.training.CaptionTokenizer;
import io.github.clip4j.internal.training.ContrastiveLoss;
import io.github.clip4j.internal.training.ContrastiveModel;
import io.github.clip4j.internal.training.CpuAutocast;
import io.github.clip4j.internal.training.HostBatch;
import io.github.clip4j.internal.training.ImageLoader;
import io.github.clip4j.internal.training.NamedParameters;
import io.github.clip4j.internal.training.OutputFiles;
import io.github.clip4j.internal.training.ResumeFile;
import io.github.clip4j.internal.training.RetrievalEvaluator;
import io.github.clip4j.internal.training.Tensors;
import static java.util.Objects.requireNonNull;

import io.github.clip4j.Clip;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.BoolOptional;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorArrayRefOptional;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Contrastive fine-tuning of a two-tower model (CLIP) on image/caption pairs, the way CLIP was trained: AdamW
 * with betas (0.9, 0.98), eps 1e-6 and decoupled weight decay on matrices only, linear warm-up then cosine decay,
 * the symmetric InfoNCE loss over each full batch, {@code logit_scale} clamped to [0, ln 100] after every step.
 *
 * <pre>{@code
 * ContrastiveTrainer trainer = ContrastiveTrainer.builder(model, imageLoader, tokenizer)
 *         .epochs(3).batchSize(64).microBatchSize(16)          // 4 accumulated micro-batches per step
 *         .learningRate(1e-5).warmupSteps(50).maxGradientNorm(1.0)
 *         .evaluateOn(split.heldOut())
 *         .checkpoint(Path.of("run/resume.pt"), 200)          // resumable; see resumeFrom
 *         .listener(p -> log.info("step {} loss {}", p.step(), p.loss()))
 *         .build();
 * TrainingResult result = trainer.fit(split.train());
 * StateDict weights = NamedParameters.toStateDict(model.module(), "fine-tuned");
 * }</pre>
 *
 * <p><b>Gradient accumulation</b> keeps the loss over the full batch (every pair is a negative for every other,
 * as without accumulation): the features of all micro-batches are computed without autograd, the loss and the
 * gradients with respect to the features are computed over the whole batch, then each micro-batch is encoded
 * again with autograd and back-propagated with its slice of those gradients (the "gradient cache" method). The
 * gradients equal those of one big batch, at the cost of a second forward pass; memory is that of one
 * micro-batch. (Models with batch-norm in training mode, CLIP's ResNets, see per-micro-batch statistics.)
 *
 * <p><b>Batches</b>: each epoch shuffles the pairs with a generator seeded by {@code (seed, epoch)}, so runs and
 * resumed runs see the same batches; a last batch of a single pair (no negative) is dropped.
 *
 * <p><b>Unreadable images</b>: an image file that cannot be decoded (corrupt, truncated, not an image) drops its
 * pair from its batch; it is logged at WARN once, listed in {@link TrainingResult#skipped()} and not read again
 * in later epochs. A batch left with fewer than 2 pairs is skipped: it is not a step, so the run makes fewer
 * steps than {@link #stepsPerEpoch} predicts and the learning-rate schedule stops short of its end. A resume
 * file counts steps, so a run resumed after skipped batches starts that many batches early (it repeats them).
 *
 * <p><b>Native memory</b>: every step runs inside a JavaCPP {@code PointerScope} that frees its tensors.
 * Thread-confined: call {@code fit} from one thread at a time.
 */
@SuppressWarnings("try") // guards and scopes are used for their effect, not referenced
public final class ContrastiveTrainer {
    private static final Logger log = LoggerFactory.getLogger(ContrastiveTrainer.class);

    private final ContrastiveModel model;
    private final ImageLoader images;
    private final CaptionTokenizer tokenizer;
    private final int epochs;
    private final int batchSize;
    private final int microBatchSize;
    private final double learningRate;
    private final long warmupSteps;
    private final LearningRateSchedule schedule;
    private final double weightDecay;
    private final WeightDecayRule decayRule;
    private final double beta1;
    private final double beta2;
    private final double eps;
    private final double maxGradientNorm;
    private final long seed;
    private final Set<Tower> frozen;
    private final boolean bf16Autocast;
    private final TrainingListener listener;
    private final ImageTextDataset evaluation;
    private final Path checkpoint;
    private final long checkpointEvery;
    private final Path resumeFrom;
    private final long stopAfterSteps;
    private final int decodeThreads;
    private final int prefetchBatches;
    private final AtomicBoolean stopRequested = new AtomicBoolean();

    private ContrastiveTrainer(Builder b) {
        this.model = b.model;
        this.images = b.images;
        this.tokenizer = b.tokenizer;
        this.epochs = b.epochs;
        this.batchSize = b.batchSize;
        this.microBatchSize = b.microBatchSize == 0 ? b.batchSize : b.microBatchSize;
        this.learningRate = b.learningRate;
        this.warmupSteps = b.warmupSteps;
        this.schedule = b.schedule;
        this.weightDecay = b.weightDecay;
        this.decayRule = b.decayRule;
        this.beta1 = b.beta1;
        this.beta2 = b.beta2;
        this.eps = b.eps;
        this.maxGradientNorm = b.maxGradientNorm;
        this.seed = b.seed;
        this.frozen = b.frozen.isEmpty() ? EnumSet.noneOf(Tower.class) : EnumSet.copyOf(b.frozen);
        this.bf16Autocast = b.bf16Autocast;
        this.listener = b.listener;
        this.evaluation = b.evaluation;
        this.checkpoint = b.checkpoint;
        this.checkpointEvery = b.checkpointEvery;
        this.resumeFrom = b.resumeFrom;
        this.stopAfterSteps = b.stopAfterSteps;
        this.decodeThreads = b.decodeThreads;
        this.prefetchBatches = b.prefetchBatches;
    }

    /**
     * Starts a configuration for a loaded {@link Clip} (in {@code Precision.FP32}): its model, its image
     * preprocessing (so training sees exactly the pixels {@code embedImage} sees) and its tokenizer at the
     * model's context length, truncating long captions.
     *
     * <pre>{@code
     * try (Clip clip = Clip.builder().model("ViT-B/32").precision(Precision.FP32).build()) {
     *     ImageTextDataset.Split split = ImageTextDataset.read(Path.of("captions.csv")).split(0.1, 42);
     *     TrainingResult result = ContrastiveTrainer.builder(clip).epochs(3).batchSize(32).learningRate(1e-5)
     *             .evaluateOn(split.heldOut()).build().fit(split.train());
     *     FineTunedWeights.save(ClipAccess.model(clip), Path.of("fine-tuned.safetensors"));
     * }
     * }</pre>
     *
     * @param clip an open model loaded in FP32, not null; training changes its weights in place and it must stay
     *     open until the trainer is done
     * @return a builder with CLIP's defaults (AdamW, warm-up + cosine, batch 32, one epoch)
     */
    public static Builder builder(Clip clip) {
        requireNonNull(clip, "clip");
        return builder(ContrastiveModel.of(ClipAccess.model(clip)), ImageLoader.of(ClipAccess.preprocessor(clip)),
                CaptionTokenizer.of(clip.tokenizer(), ClipAccess.model(clip).contextLength()));
    }

    /**
     * Starts a configuration.
     *
     * @param model the model to train in place
     * @param images decodes and preprocesses image files exactly as inference does
     * @param tokenizer turns captions into fixed-length token rows
     * @return a builder with CLIP's defaults (AdamW, warm-up + cosine, batch 32, one epoch)
     */
    public static Builder builder(ContrastiveModel model, ImageLoader images, CaptionTokenizer tokenizer) {
        return new Builder(model, images, tokenizer);
    }

    /**
     * Trains on {@code train} for the configured epochs (or until {@code stopAfterSteps} or
     * {@link #requestStop}), updating the model's parameters in place. Afterwards the module is in eval mode and
     * every parameter's {@code requires_grad} is as before. Decoded images of up to {@code prefetchBatches}
     * batches are held in Java memory ({@code 4 * 3 * S * S} bytes per image).
     *
     * @param train the training pairs, not null; at least two
     * @return what the run did: steps, per-step losses, per-epoch evaluations, whether it stopped early
     * @throws TrainingException before any step if the dataset is empty, the checkpoint path is not writable or
     *     the resume file does not fit; during training if the image loader fails other than on an
     *     unreadable file (those are skipped, see the class comment)
     */
    public TrainingResult fit(ImageTextDataset train) {
        requireNonNull(train, "train");
        validate(train);
        List<ImageTextPair> pairs = train.pairs();
        long stepsPerEpoch = batchesPerEpoch(pairs.size());
        long totalSteps = stepsPerEpoch * epochs;
        LearningRateSchedule rates = schedule != null ? schedule
                : LearningRateSchedule.warmupCosine(learningRate, Math.min(warmupSteps, totalSteps), totalSteps);

        Map<String, Tensor> all = NamedParameters.parameters(model.module());
        Map<String, Tensor> trainable = new LinkedHashMap<>();
        Map<String, Boolean> requiredGrad = new LinkedHashMap<>();
        all.forEach((name, p) -> {
            Tower tower = model.towerOf(name);
            boolean trains = tower == Tower.SHARED ? !frozen.containsAll(EnumSet.of(Tower.IMAGE, Tower.TEXT))
                    : !frozen.contains(tower);
            if (trains && !NamedParameters.isFloat32(p)) {
                throw new TrainingException("parameter " + name + " is " + p.scalar_type() + "; fine-tuning needs"
                        + " float32 weights: load the model with Precision.FP32 (use bf16Autocast for speed)");
            }
            if (trains) {
                trainable.put(name, p);
            }
        });
        all.forEach((name, p) -> {
            requiredGrad.put(name, p.requires_grad());
            p.set_requires_grad(trainable.containsKey(name));
        });
        Map<String, Tensor> buffers = NamedParameters.buffers(model.module());
        boolean imageTrainable = trainable.keySet().stream().anyMatch(n -> model.towerOf(n) == Tower.IMAGE);
        boolean textTrainable = trainable.keySet().stream().anyMatch(n -> model.towerOf(n) == Tower.TEXT);
        TensorVector trainableVector = new TensorVector(trainable.values().toArray(new Tensor[0]));

        try (AdamWOptimizer optimizer = new AdamWOptimizer(trainable, decayRule, rates.rate(0), weightDecay, beta1,
                beta2, eps);
                BatchPrefetcher prefetcher = new BatchPrefetcher(images, tokenizer, decodeThreads, prefetchBatches)) {
            log.info("training {} pairs, {} epochs of {} steps, batch {} (micro-batch {}), {} trainable tensors"
                    + " ({} with weight decay), frozen {}", pairs.size(), epochs, stepsPerEpoch, batchSize,
                    microBatchSize, trainable.size(), optimizer.decayedCount(), frozen);
            long step = 0;
            if (resumeFrom != null) {
                ResumeFile.Position position = ResumeFile.load(resumeFrom, all, buffers, optimizer);
                if (position.seed() != seed || position.batchSize() != batchSize
                        || position.trainPairs() != pairs.size()) {
                    throw new TrainingException("resume file " + resumeFrom + " was written with seed "
                            + position.seed() + ", batch size " + position.batchSize() + " and "
                            + position.trainPairs() + " training pairs, but this run has " + seed + ", " + batchSize
                            + " and " + pairs.size() + "; use the same settings to resume");
                }
                step = position.step();
                log.info("resumed from {} at step {}", resumeFrom, step);
            }
            model.module().train(true);
            List<Double> losses = new ArrayList<>();
            List<RetrievalMetrics> evaluations = new ArrayList<>();
            int epochsDone = (int) (step / stepsPerEpoch);
            boolean stopped = false;
            // Batches a resumed run already did in its first epoch; later epochs start at their first batch
            // (counting steps there would go wrong when batches of unreadable images were skipped).
            int skip = (int) (step - epochsDone * stepsPerEpoch);
            for (int epoch = epochsDone; epoch < epochs && !stopped; epoch++, skip = 0) {
                List<List<ImageTextPair>> batches = batches(pairs, epoch);
                Iterator<HostBatch> stream = prefetcher.stream(batches.subList(skip, batches.size()));
                while (stream.hasNext()) {
                    if ((stopAfterSteps > 0 && step >= stopAfterSteps) || stopRequested.getAndSet(false)) {
                        stopped = true;
                        break;
                    }
                    long started = System.nanoTime();
                    HostBatch batch = stream.next();
                    if (batch.size() < 2) {
                        log.warn("skipping a batch of epoch {}: only {} of its pairs have a readable image, the"
                                + " contrastive loss needs 2", epoch, batch.size());
                        continue;
                    }
                    double rate = rates.rate(step);
                    StepOutcome outcome = step(batch, optimizer, rate, trainableVector, imageTrainable, textTrainable);
                    step++;
                    losses.add(outcome.loss);
                    double seconds = (System.nanoTime() - started) / 1e9;
                    listener.onStep(new StepProgress(epoch, step, totalSteps, outcome.loss, rate,
                            outcome.gradientNorm, outcome.logitScale, batch.size() / seconds));
                    if (checkpoint != null && checkpointEvery > 0 && step % checkpointEvery == 0) {
                        ResumeFile.save(checkpoint, all, buffers, optimizer, position(step, pairs.size()));
                    }
                }
                if (!stopped) {
                    epochsDone = epoch + 1;
                    if (evaluation != null) {
                        RetrievalMetrics metrics = evaluate(evaluation, prefetcher);
                        log.info("epoch {}: {}", epoch, metrics);
                        evaluations.add(metrics);
                        listener.onEvaluation(epoch, metrics);
                    }
                }
            }
            if (checkpoint != null) {
                ResumeFile.save(checkpoint, all, buffers, optimizer, position(step, pairs.size()));
            }
            return new TrainingResult(epochsDone, step, losses, evaluations, stopped, prefetcher.skipped());
        } finally {
            model.module().eval();
            requiredGrad.forEach((name, flag) -> all.get(name).set_requires_grad(flag));
        }
    }

    /**
     * Asks a running {@link #fit} to stop after its current step; it then writes the resume file (if configured)
     * and returns a result with {@code stopped() == true}. Safe to call from any thread, e.g. a shutdown hook or
     * a listener; a request made while no run is going stops the next run before its first step.
     */
    public void requestStop() {
        stopRequested.set(true);
    }

    /**
     * Retrieval metrics of the model as it is now on {@code heldOut} (evaluation mode, no autograd). The module's
     * train/eval mode is restored afterwards. Pairs whose image cannot be decoded are left out (logged at WARN).
     *
     * @param heldOut the pairs to evaluate on, not null
     * @return recall@1 and recall@5 in both directions and the zero-shot accuracy
     */
    public RetrievalMetrics evaluate(ImageTextDataset heldOut) {
        requireNonNull(heldOut, "heldOut");
        try (BatchPrefetcher prefetcher = new BatchPrefetcher(images, tokenizer, decodeThreads, prefetchBatches)) {
            boolean wasTraining = model.module().is_training();
            try {
                return evaluate(heldOut, prefetcher);
            } finally {
                model.module().train(wasTraining);
            }
        }
    }

    private RetrievalMetrics evaluate(ImageTextDataset heldOut, BatchPrefetcher prefetcher) {
        if (heldOut.isEmpty()) {
            throw new TrainingException("the evaluation dataset is empty");
        }
        model.module().eval();
        List<ImageTextPair> pairs = heldOut.pairs();
        List<List<ImageTextPair>> batches = new ArrayList<>();
        for (int i = 0; i < pairs.size(); i += batchSize) {
            batches.add(pairs.subList(i, Math.min(pairs.size(), i + batchSize)));
        }
        List<float[]> imageParts = new ArrayList<>();
        List<float[]> textParts = new ArrayList<>();
        List<String> captions = new ArrayList<>(); // of the pairs whose image could be decoded
        Iterator<HostBatch> stream = prefetcher.stream(batches);
        while (stream.hasNext()) {
            HostBatch batch = stream.next();
            if (batch.size() == 0) {
                continue;
            }
            batch.pairs().forEach(pair -> captions.add(pair.caption()));
            try (PointerScope scope = new PointerScope(); NoGradGuard guard = new NoGradGuard();
                    CpuAutocast autocast = new CpuAutocast(bf16Autocast)) {
                imageParts.add(Tensors.toFloats(model.encodeImage(pixels(batch))));
                textParts.add(Tensors.toFloats(model.encodeText(tokens(batch))));
            }
        }
        if (captions.isEmpty()) {
            throw new TrainingException("no image of the evaluation dataset " + heldOut.report().source()
                    + " could be decoded");
        }
        RetrievalMetrics metrics = RetrievalEvaluator.evaluate(concat(imageParts), concat(textParts), captions);
        model.module().train(true);
        return metrics;
    }

    private record StepOutcome(double loss, double gradientNorm, double logitScale) {}

    private StepOutcome step(HostBatch batch, AdamWOptimizer optimizer, double rate, TensorVector trainable,
            boolean imageTrainable, boolean textTrainable) {
        try (PointerScope scope = new PointerScope()) {
            optimizer.setLearningRate(rate);
            optimizer.zeroGrad();
            Tensor pixels = pixels(batch);
            Tensor tokens = tokens(batch);
            Tensor loss = computeGradients(pixels, tokens, imageTrainable, textTrainable);
            double norm = maxGradientNorm > 0 ? torch.clip_grad_norm_(trainable, maxGradientNorm) : Double.NaN;
            optimizer.step();
            ContrastiveLoss.clampLogitScale(model.logitScale());
            double scale;
            try (NoGradGuard guard = new NoGradGuard()) {
                scale = Math.exp(model.logitScale().item_double());
            }
            return new StepOutcome(loss.item_double(), norm, scale);
        }
    }

    /**
     * Forward and backward over one batch, accumulating into the parameters' gradients; returns the loss. Uses
     * the gradient cache when the batch is larger than a micro-batch.
     */
    Tensor computeGradients(Tensor pixels, Tensor tokens, boolean imageTrainable, boolean textTrainable) {
        return pixels.size(0) <= microBatchSize ? forwardBackward(pixels, tokens)
                : forwardBackwardAccumulated(pixels, tokens, imageTrainable, textTrainable);
    }

    private Tensor forwardBackward(Tensor pixels, Tensor tokens) {
        Tensor loss;
        try (CpuAutocast autocast = new CpuAutocast(bf16Autocast)) {
            loss = ContrastiveLoss.loss(model.encodeImage(pixels), model.encodeText(tokens), model.logitScale());
        }
        loss.backward();
        return loss;
    }

    /** The gradient-cache method: see the class comment. */
    private Tensor forwardBackwardAccumulated(Tensor pixels, Tensor tokens, boolean imageTrainable,
            boolean textTrainable) {
        long n = pixels.size(0);
        List<Tensor> imageChunks = new ArrayList<>();
        List<Tensor> textChunks = new ArrayList<>();
        try (NoGradGuard guard = new NoGradGuard(); CpuAutocast autocast = new CpuAutocast(bf16Autocast)) {
            for (long start = 0; start < n; start += microBatchSize) {
                long length = Math.min(microBatchSize, n - start);
                imageChunks.add(model.encodeImage(pixels.narrow(0, start, length)).to(torch.ScalarType.Float));
                textChunks.add(model.encodeText(tokens.narrow(0, start, length)).to(torch.ScalarType.Float));
            }
        }
        Tensor imageFeatures = torch.cat(new TensorVector(imageChunks.toArray(new Tensor[0]))).requires_grad_(true);
        Tensor textFeatures = torch.cat(new TensorVector(textChunks.toArray(new Tensor[0]))).requires_grad_(true);
        Tensor loss = ContrastiveLoss.loss(imageFeatures, textFeatures, model.logitScale());
        loss.backward(); // gradients for logit_scale and for the cached features
        Tensor imageGrad = imageFeatures.grad();
        Tensor textGrad = textFeatures.grad();
        for (long start = 0; start < n; start += microBatchSize) {
            long length = Math.min(microBatchSize, n - start);
            try (PointerScope chunkScope = new PointerScope()) {
                if (imageTrainable) {
                    Tensor features;
                    try (CpuAutocast autocast = new CpuAutocast(bf16Autocast)) {
                        features = model.encodeImage(pixels.narrow(0, start, length));
                    }
                    backward(features, imageGrad.narrow(0, start, length));
                }
                if (textTrainable) {
                    Tensor features;
                    try (CpuAutocast autocast = new CpuAutocast(bf16Autocast)) {
                        features = model.encodeText(tokens.narrow(0, start, length));
                    }
                    backward(features, textGrad.narrow(0, start, length));
                }
            }
        }
        return loss.detach();
    }

    private static void backward(Tensor output, Tensor gradient) {
        output.backward(gradient.to(output.scalar_type()), new BoolOptional(), false, new TensorArrayRefOptional());
    }

    private Tensor pixels(HostBatch batch) {
        long[] shape = images.shape();
        long[] full = new long[shape.length + 1];
        full[0] = batch.size();
        System.arraycopy(shape, 0, full, 1, shape.length);
        return Tensors.fromFloats(batch.pixels(), full);
    }

    private static Tensor tokens(HostBatch batch) {
        return Tensors.fromLongs(batch.tokens(), batch.size(), batch.contextLength());
    }

    /** Seeded shuffle of epoch {@code epoch}, cut into batches; a final single pair is dropped. */
    List<List<ImageTextPair>> batches(List<ImageTextPair> pairs, int epoch) {
        List<ImageTextPair> order = new ArrayList<>(pairs);
        Collections.shuffle(order, new Random(seed * 1_000_003L + epoch));
        List<List<ImageTextPair>> out = new ArrayList<>();
        for (int i = 0; i + 1 < order.size(); i += batchSize) {
            out.add(List.copyOf(order.subList(i, Math.min(order.size(), i + batchSize))));
        }
        return out;
    }

    private long batchesPerEpoch(int pairs) {
        return stepsPerEpoch(pairs, batchSize);
    }

    /**
     * Optimizer steps per epoch for {@code pairs} training pairs: one per batch, a final single pair dropped.
     * Example: {@code stepsPerEpoch(100, 32) == 4}, {@code stepsPerEpoch(97, 32) == 3}.
     *
     * @param pairs the number of training pairs, at least 0
     * @param batchSize pairs per step, at least 2
     * @return the number of optimizer steps one epoch takes
     * @throws IllegalArgumentException if {@code pairs < 0} or {@code batchSize < 2}
     */
    public static long stepsPerEpoch(int pairs, int batchSize) {
        if (pairs < 0 || batchSize < 2) {
            throw new IllegalArgumentException("need pairs >= 0 and batchSize >= 2, got " + pairs + ", " + batchSize);
        }
        return pairs / batchSize + (pairs % batchSize >= 2 ? 1 : 0);
    }

    private ResumeFile.Position position(long step, int trainPairs) {
        return new ResumeFile.Position(step, seed, batchSize, trainPairs);
    }

    private void validate(ImageTextDataset train) {
        if (train.size() < 2) {
            throw new TrainingException("the training dataset " + train.report().source() + " has " + train.size()
                    + " usable pair(s); contrastive training needs at least 2");
        }
        if (evaluation != null && evaluation.isEmpty()) {
            throw new TrainingException("the evaluation dataset " + evaluation.report().source() + " is empty");
        }
        if (checkpoint != null) {
            OutputFiles.requireWritable(checkpoint, "checkpoint");
        }
        if (resumeFrom != null && !Files.isReadable(resumeFrom)) {
            throw new TrainingException("resume file " + resumeFrom + " does not exist or is not readable");
        }
    }

    private static float[] concat(List<float[]> parts) {
        int total = parts.stream().mapToInt(p -> p.length).sum();
        float[] out = new float[total];
        int at = 0;
        for (float[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }

    /** Configuration of a {@link ContrastiveTrainer}; every setter checks its argument. */
    public static final class Builder {
        private final ContrastiveModel model;
        private final ImageLoader images;
        private final CaptionTokenizer tokenizer;
        private int epochs = 1;
        private int batchSize = 32;
        private int microBatchSize;
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

        private Builder(ContrastiveModel model, ImageLoader images, CaptionTokenizer tokenizer) {
            this.model = requireNonNull(model, "model");
            this.images = requireNonNull(images, "images");
            this.tokenizer = requireNonNull(tokenizer, "tokenizer");
        }

        /**
         * Passes over the training data (default 1).
         *
         * @param epochs at least 1
         * @return this builder
         * @throws IllegalArgumentException if {@code epochs < 1}
         */
        public Builder epochs(int epochs) {
            check(epochs >= 1, "epochs must be >= 1, got " + epochs);
            this.epochs = epochs;
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
            check(batchSize >= 2, "batch size must be >= 2: the contrastive loss needs negatives, got " + batchSize);
            this.batchSize = batchSize;
            return this;
        }

        /**
         * Pairs per forward/backward pass (default: the batch size, no accumulation); smaller values save memory
         * and keep the full-batch loss (see the class comment).
         *
         * @param microBatchSize at least 1 and at most the batch size (checked by {@link #build()})
         * @return this builder
         * @throws IllegalArgumentException if {@code microBatchSize < 1}
         */
        public Builder microBatchSize(int microBatchSize) {
            check(microBatchSize >= 1, "micro-batch size must be >= 1, got " + microBatchSize);
            this.microBatchSize = microBatchSize;
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
            check(learningRate > 0 && Double.isFinite(learningRate),
                    "learning rate must be a positive finite number, got " + learningRate);
            this.learningRate = learningRate;
            return this;
        }

        /**
         * Linear warm-up steps of the default schedule (default 0).
         *
         * @param warmupSteps optimizer steps of warm-up, at least 0 and at most the run's total steps
         * @return this builder
         * @throws IllegalArgumentException if {@code warmupSteps < 0}
         */
        public Builder warmupSteps(long warmupSteps) {
            check(warmupSteps >= 0, "warm-up steps must be >= 0, got " + warmupSteps);
            this.warmupSteps = warmupSteps;
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
            check(weightDecay >= 0 && Double.isFinite(weightDecay), "weight decay must be >= 0, got " + weightDecay);
            this.weightDecay = weightDecay;
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
            check(beta1 >= 0 && beta1 < 1 && beta2 >= 0 && beta2 < 1, "betas must be in [0, 1), got " + beta1
                    + ", " + beta2);
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
            check(eps > 0, "eps must be > 0, got " + eps);
            this.eps = eps;
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
            check(maxGradientNorm >= 0, "max gradient norm must be >= 0, got " + maxGradientNorm);
            this.maxGradientNorm = maxGradientNorm;
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
         * <pre>{@code
         * builder.freeze(Tower.IMAGE);   // train the text tower (and logit_scale) only
         * }</pre>
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
         * Held-out pairs evaluated after every epoch (recall@1/5 both ways, zero-shot accuracy).
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
         * (0: only at the end of the run, also when stopped early).
         *
         * @param file the resume file, replaced at each write, not null
         * @param everySteps the interval in optimizer steps, at least 0
         * @return this builder
         * @throws IllegalArgumentException if {@code everySteps < 0}
         */
        public Builder checkpoint(Path file, long everySteps) {
            check(everySteps >= 0, "checkpoint interval must be >= 0, got " + everySteps);
            this.checkpoint = requireNonNull(file, "file");
            this.checkpointEvery = everySteps;
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
            check(steps >= 0, "stopAfterSteps must be >= 0, got " + steps);
            this.stopAfterSteps = steps;
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
            check(threads >= 1, "decode threads must be >= 1, got " + threads);
            this.decodeThreads = threads;
            return this;
        }

        /**
         * Batches decoded ahead of the training step (default 2); each holds its decoded images in Java memory.
         *
         * @param batches at least 1
         * @return this builder
         * @throws IllegalArgumentException if {@code batches < 1}
         */
        public Builder prefetchBatches(int batches) {
            check(batches >= 1, "prefetch batches must be >= 1, got " + batches);
            this.prefetchBatches = batches;
            return this;
        }

        /**
         * Builds the trainer; the builder can be reused afterwards.
         *
         * @return a trainer with these settings
         * @throws IllegalArgumentException if the micro-batch is larger than the batch
         */
        public ContrastiveTrainer build() {
            check(microBatchSize <= batchSize, "micro-batch size " + microBatchSize + " exceeds batch size "
                    + batchSize);
            return new ContrastiveTrainer(this);
        }

        private static void check(boolean condition, String message) {
            if (!condition) {
                throw new IllegalArgumentException(message);
            }
        }
    }
}
