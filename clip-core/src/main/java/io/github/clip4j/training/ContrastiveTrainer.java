package io.github.clip4j.training;

import static java.util.Objects.requireNonNull;

import io.github.clip4j.Clip;
import io.github.clip4j.internal.ClipAccess;
import io.github.clip4j.internal.pipeline.DecodePipeline;
import io.github.clip4j.internal.runtime.NativeRuntime;
import io.github.clip4j.internal.runtime.Tensors;
import io.github.clip4j.internal.training.AdamWOptimizer;
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
import io.github.clip4j.internal.training.TrainerAccess;
import java.lang.ref.Reference;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
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
 * try (Clip clip = Clip.load("ViT-B/32")) {
 *     ImageTextDataset.Split split = ImageTextDataset.read(Path.of("captions.csv")).split(0.1, 42);
 *     TrainingResult result = ContrastiveTrainer.builder(clip)
 *             .epochs(3).batchSize(64).microBatchSize(16)          // 4 accumulated micro-batches per step
 *             .learningRate(1e-5).warmupSteps(50).maxGradientNorm(1.0)
 *             .evaluateOn(split.heldOut())
 *             .checkpoint(Path.of("run/resume.pt"), 200)          // resumable; see resumeFrom
 *             .listener(p -> log.info("step {} loss {}", p.step(), p.loss()))
 *             .build()
 *             .fit(split.train());
 *     FineTunedWeights.save(clip, Path.of("fine-tuned.safetensors"));
 * }
 * }</pre>
 *
 * <p>The settings are a {@link TrainingConfig}; the builder's setters are those of {@link TrainingConfig.Builder}
 * (with the same defaults and checks), and {@link Builder#config} takes a whole configuration at once.
 *
 * <p><b>Gradient accumulation</b> keeps the loss over the full batch (every pair is a negative for every other,
 * as without accumulation): the features of all micro-batches are computed without autograd, the loss and the
 * gradients with respect to the features are computed over the whole batch, then each micro-batch is encoded
 * again with autograd and back-propagated with its slice of those gradients (the "gradient cache" method). The
 * gradients equal those of one big batch, at the cost of a second forward pass; memory is that of one
 * micro-batch. (Models with batch-norm in training mode, CLIP's ResNets, see per-micro-batch statistics.)
 *
 * <p><b>Batches</b>: each epoch shuffles the pairs with a generator seeded by {@code (seed, epoch)}, so runs and
 * resumed runs see the same batches; a last batch of a single pair (no negative) is dropped. Images are decoded
 * on background threads, {@code prefetchBatches} batches ahead of the step.
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

    static {
        TrainerAccess.register(ContrastiveTrainer::builder);
    }

    private final ContrastiveModel model;
    private final ImageLoader images;
    private final CaptionTokenizer tokenizer;
    private final TrainingConfig config;
    private final AtomicBoolean stopRequested = new AtomicBoolean();

    private ContrastiveTrainer(ContrastiveModel model, ImageLoader images, CaptionTokenizer tokenizer,
            TrainingConfig config) {
        this.model = model;
        this.images = images;
        this.tokenizer = tokenizer;
        this.config = config;
    }

    /**
     * Starts a configuration for a loaded {@link Clip} (in {@code Precision.FP32}): its model, its image
     * preprocessing (so training sees exactly the pixels {@code embedImage} sees) and its tokenizer at the
     * model's context length, truncating long captions.
     *
     * <pre>{@code
     * TrainingResult result = ContrastiveTrainer.builder(clip).epochs(3).batchSize(32).learningRate(1e-5)
     *         .evaluateOn(split.heldOut()).build().fit(split.train());
     * }</pre>
     *
     * @param clip an open model loaded in FP32, not null; training changes its weights in place and it must stay
     *     open until the trainer is done
     * @return a builder with CLIP's defaults (AdamW, warm-up + cosine, batch 32, one epoch)
     */
    public static Builder builder(Clip clip) {
        requireNonNull(clip, "clip");
        if (ClipAccess.model(clip).precision() == io.github.clip4j.Precision.INT8) {
            // its linear layers run on 8-bit copies of the weights that training would leave stale
            throw new TrainingException("a model loaded in Precision.INT8 cannot be fine-tuned: load it with "
                    + "Precision.FP32 (use bf16Autocast for speed)");
        }
        return builder(ContrastiveModel.of(ClipAccess.model(clip)), ImageLoader.of(ClipAccess.preprocessor(clip)),
                CaptionTokenizer.of(clip.tokenizer(), ClipAccess.model(clip).contextLength()));
    }

    /** Any two-tower model, image loader and tokenizer: for clip4j's tests and benchmarks, via TrainerAccess. */
    static Builder builder(ContrastiveModel model, ImageLoader images, CaptionTokenizer tokenizer) {
        return new Builder(model, images, tokenizer);
    }

    /** {@return the settings of this trainer} */
    public TrainingConfig config() {
        return config;
    }

    /**
     * Trains on {@code train} for the configured epochs (or until {@code stopAfterSteps} or
     * {@link #requestStop}), updating the model's parameters in place. Afterwards the module is in eval mode and
     * every parameter's {@code requires_grad} is as before. Decoded images of up to {@code prefetchBatches}
     * batches are held in native memory ({@code 4 * 3 * S * S} bytes per image).
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
        // a step's passes are never split: fp32 products get OpenBLAS's configured threads for the run
        try (NativeRuntime.WholeGraphs steps = NativeRuntime.wholeGraphs(); Run run = new Run(train.pairs())) {
            for (int epoch = run.firstEpoch(); epoch < config.epochs() && !run.stopped; epoch++) {
                Iterator<HostBatch> batches = run.batches(epoch);
                while (batches.hasNext() && !run.stopDue()) {
                    long started = System.nanoTime(); // the wait for decoding counts in the throughput
                    HostBatch batch = batches.next();
                    if (batch.size() < 2) {
                        log.warn("skipping a batch of epoch {}: only {} of its pairs have a readable image, the"
                                + " contrastive loss needs 2", epoch, batch.size());
                        continue;
                    }
                    run.step(epoch, batch, started);
                    run.checkpointIfDue();
                }
                if (!run.stopped) {
                    run.endEpoch(epoch);
                }
            }
            run.checkpoint();
            return run.result();
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
        try (DecodePipeline decoding = newPipeline()) {
            boolean wasTraining = model.module().is_training();
            try {
                return evaluate(heldOut, decoding);
            } finally {
                model.module().train(wasTraining);
            }
        }
    }

    /**
     * One {@link #fit} call: the parameters being trained, the optimizer, the decoding pipeline and the figures
     * so far. Closing it restores the module's mode and {@code requires_grad} flags.
     */
    private final class Run implements AutoCloseable {
        private final List<ImageTextPair> pairs;
        private final long stepsPerEpoch;
        private final long totalSteps;
        private final LearningRateSchedule rates;
        private final Map<String, Tensor> all;
        private final Map<String, Tensor> buffers;
        private final Map<String, Boolean> requiredGrad = new LinkedHashMap<>();
        private final TensorVector trainableVector;
        private final boolean imageTrainable;
        private final boolean textTrainable;
        private final AdamWOptimizer optimizer;
        private final DecodePipeline decoding;
        private final List<Double> losses = new ArrayList<>();
        private final List<RetrievalMetrics> evaluations = new ArrayList<>();
        private long step;
        private int epochsDone;
        private boolean stopped;
        /** Batches a resumed run already did in its first epoch (later epochs start at their first batch). */
        private int skipInFirstEpoch;

        /** Prepares the run: chooses the trainable parameters, builds the optimizer, resumes if asked. */
        Run(List<ImageTextPair> pairs) {
            this.pairs = pairs;
            this.stepsPerEpoch = stepsPerEpoch(pairs.size(), config.batchSize());
            this.totalSteps = stepsPerEpoch * config.epochs();
            this.rates = config.scheduleFor(totalSteps);
            this.all = NamedParameters.parameters(model.module());
            Map<String, Tensor> trainable = trainableParameters(all);
            all.forEach((name, p) -> {
                requiredGrad.put(name, p.requires_grad());
                p.set_requires_grad(trainable.containsKey(name));
            });
            this.buffers = NamedParameters.buffers(model.module());
            this.imageTrainable = trainable.keySet().stream().anyMatch(n -> model.towerOf(n) == Tower.IMAGE);
            this.textTrainable = trainable.keySet().stream().anyMatch(n -> model.towerOf(n) == Tower.TEXT);
            this.trainableVector = new TensorVector(trainable.values().toArray(new Tensor[0]));
            boolean ready = false;
            AdamWOptimizer adamW = null;
            DecodePipeline pipeline = null;
            try {
                adamW = new AdamWOptimizer(trainable, config.weightDecayRule(), rates.rate(0), config.weightDecay(),
                        config.beta1(), config.beta2(), config.eps());
                pipeline = newPipeline();
                this.optimizer = adamW;
                this.decoding = pipeline;
                log.info("training {} pairs, {} epochs of {} steps, batch {} (micro-batch {}), {} trainable tensors"
                        + " ({} with weight decay), frozen {}", pairs.size(), config.epochs(), stepsPerEpoch,
                        config.batchSize(), config.microBatchSize(), trainable.size(), adamW.decayedCount(),
                        config.frozen());
                resume();
                model.module().train(true);
                ready = true;
            } finally {
                if (!ready) {
                    if (pipeline != null) {
                        pipeline.close();
                    }
                    if (adamW != null) {
                        adamW.close();
                    }
                    restore();
                }
            }
        }

        private void resume() {
            if (config.resumeFrom() == null) {
                return;
            }
            ResumeFile.Position position = ResumeFile.load(config.resumeFrom(), all, buffers, optimizer);
            if (position.seed() != config.seed() || position.batchSize() != config.batchSize()
                    || position.trainPairs() != pairs.size()) {
                throw new TrainingException("resume file " + config.resumeFrom() + " was written with seed "
                        + position.seed() + ", batch size " + position.batchSize() + " and " + position.trainPairs()
                        + " training pairs, but this run has " + config.seed() + ", " + config.batchSize() + " and "
                        + pairs.size() + "; use the same settings to resume");
            }
            step = position.step();
            epochsDone = (int) (step / stepsPerEpoch);
            // Counting steps in later epochs would go wrong when batches of unreadable images were skipped.
            skipInFirstEpoch = (int) (step - epochsDone * stepsPerEpoch);
            log.info("resumed from {} at step {}", config.resumeFrom(), step);
        }

        int firstEpoch() {
            return epochsDone;
        }

        /** The decoded batches of {@code epoch}, without those a resumed run already did. */
        Iterator<HostBatch> batches(int epoch) {
            List<List<ImageTextPair>> batches = ContrastiveTrainer.this.batches(pairs, epoch);
            int skip = skipInFirstEpoch;
            skipInFirstEpoch = 0;
            return stream(decoding, batches.subList(skip, batches.size()));
        }

        /** Whether the run must stop before its next step (stopAfterSteps reached, or requestStop called). */
        boolean stopDue() {
            if ((config.stopAfterSteps() > 0 && step >= config.stopAfterSteps()) || stopRequested.getAndSet(false)) {
                stopped = true;
            }
            return stopped;
        }

        /** One optimizer step on {@code batch}, reported to the listener. */
        void step(int epoch, HostBatch batch, long started) {
            double rate = rates.rate(step);
            double loss;
            double norm;
            double scale;
            try (PointerScope scope = new PointerScope()) {
                optimizer.setLearningRate(rate);
                optimizer.zeroGrad();
                Tensor lossTensor = computeGradients(pixels(batch), tokens(batch), imageTrainable, textTrainable);
                norm = config.maxGradientNorm() > 0 ? torch.clip_grad_norm_(trainableVector, config.maxGradientNorm())
                        : Double.NaN;
                optimizer.step();
                ContrastiveLoss.clampLogitScale(model.logitScale());
                try (NoGradGuard guard = new NoGradGuard()) {
                    scale = Math.exp(model.logitScale().item_double());
                }
                loss = lossTensor.item_double();
            } finally {
                Reference.reachabilityFence(batch); // libtorch read its pixels in place
            }
            step++;
            losses.add(loss);
            double seconds = (System.nanoTime() - started) / 1e9;
            config.listener().onStep(new StepProgress(epoch, step, totalSteps, loss, rate, norm, scale,
                    batch.size() / seconds));
        }

        void checkpointIfDue() {
            if (config.checkpoint() != null && config.checkpointEvery() > 0 && step % config.checkpointEvery() == 0) {
                checkpoint();
            }
        }

        /** Writes the resume file, if one is configured. */
        void checkpoint() {
            if (config.checkpoint() != null) {
                ResumeFile.save(config.checkpoint(), all, buffers, optimizer,
                        new ResumeFile.Position(step, config.seed(), config.batchSize(), pairs.size()));
            }
        }

        /** Counts a finished epoch and evaluates on the held-out pairs, if any. */
        void endEpoch(int epoch) {
            epochsDone = epoch + 1;
            if (config.evaluation() != null) {
                RetrievalMetrics metrics = evaluate(config.evaluation(), decoding);
                log.info("epoch {}: {}", epoch, metrics);
                evaluations.add(metrics);
                config.listener().onEvaluation(epoch, metrics);
            }
        }

        TrainingResult result() {
            return new TrainingResult(epochsDone, step, losses, evaluations, stopped, decoding.skipped());
        }

        @Override
        public void close() {
            try {
                decoding.close();
                optimizer.close();
            } finally {
                restore();
            }
        }

        private void restore() {
            model.module().eval();
            requiredGrad.forEach((name, flag) -> all.get(name).set_requires_grad(flag));
        }
    }

    /** The parameters this configuration trains, by name; refuses ones that are not float32. */
    private Map<String, Tensor> trainableParameters(Map<String, Tensor> all) {
        Map<String, Tensor> trainable = new LinkedHashMap<>();
        all.forEach((name, p) -> {
            if (config.trains(model.towerOf(name))) {
                if (!NamedParameters.isFloat32(p)) {
                    throw new TrainingException("parameter " + name + " is " + p.scalar_type() + "; fine-tuning needs"
                            + " float32 weights: load the model with Precision.FP32 (use bf16Autocast for speed)");
                }
                trainable.put(name, p);
            }
        });
        return trainable;
    }

    private DecodePipeline newPipeline() {
        return new DecodePipeline(config.decodeThreads(), config.prefetchBatches(), DecodePipeline.OnFailure.SKIP);
    }

    /** The batches decoded by {@code decoding}, captions tokenized; decoding failures become TrainingExceptions. */
    private Iterator<HostBatch> stream(DecodePipeline decoding, List<List<ImageTextPair>> batches) {
        return HostBatch.stream(decoding.stream(batches, pixelsPerImage(), HostBatch.decoder(images)), tokenizer);
    }

    private int pixelsPerImage() {
        long n = 1;
        for (long d : images.shape()) {
            n = Math.multiplyExact(n, d);
        }
        return Math.toIntExact(n);
    }

    private RetrievalMetrics evaluate(ImageTextDataset heldOut, DecodePipeline decoding) {
        if (heldOut.isEmpty()) {
            throw new TrainingException("the evaluation dataset is empty");
        }
        model.module().eval();
        List<ImageTextPair> pairs = heldOut.pairs();
        List<float[]> imageParts = new ArrayList<>();
        List<float[]> textParts = new ArrayList<>();
        List<String> captions = new ArrayList<>(); // of the pairs whose image could be decoded
        Iterator<HostBatch> stream = stream(decoding, DecodePipeline.partition(pairs, config.batchSize()));
        while (stream.hasNext()) {
            HostBatch batch = stream.next();
            if (batch.size() == 0) {
                continue;
            }
            batch.pairs().forEach(pair -> captions.add(pair.caption()));
            try (PointerScope scope = new PointerScope(); NoGradGuard guard = new NoGradGuard();
                    CpuAutocast autocast = new CpuAutocast(config.bf16Autocast())) {
                imageParts.add(Tensors.toFloatArray(model.encodeImage(pixels(batch))));
                textParts.add(Tensors.toFloatArray(model.encodeText(tokens(batch))));
            } finally {
                Reference.reachabilityFence(batch); // libtorch read its pixels in place
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


    /**
     * Forward and backward over one batch, accumulating into the parameters' gradients; returns the loss. Uses
     * the gradient cache when the batch is larger than a micro-batch.
     */
    Tensor computeGradients(Tensor pixels, Tensor tokens, boolean imageTrainable, boolean textTrainable) {
        return pixels.size(0) <= config.microBatchSize() ? forwardBackward(pixels, tokens)
                : forwardBackwardAccumulated(pixels, tokens, imageTrainable, textTrainable);
    }

    private Tensor forwardBackward(Tensor pixels, Tensor tokens) {
        Tensor loss;
        try (CpuAutocast autocast = new CpuAutocast(config.bf16Autocast())) {
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
        try (NoGradGuard guard = new NoGradGuard(); CpuAutocast autocast = new CpuAutocast(config.bf16Autocast())) {
            for (long start = 0; start < n; start += config.microBatchSize()) {
                long length = Math.min(config.microBatchSize(), n - start);
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
        for (long start = 0; start < n; start += config.microBatchSize()) {
            long length = Math.min(config.microBatchSize(), n - start);
            try (PointerScope chunkScope = new PointerScope()) {
                if (imageTrainable) {
                    Tensor features;
                    try (CpuAutocast autocast = new CpuAutocast(config.bf16Autocast())) {
                        features = model.encodeImage(pixels.narrow(0, start, length));
                    }
                    backward(features, imageGrad.narrow(0, start, length));
                }
                if (textTrainable) {
                    Tensor features;
                    try (CpuAutocast autocast = new CpuAutocast(config.bf16Autocast())) {
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


    /** A view of the batch's pixels (no copy): keep {@code batch} reachable while the tensor is used. */
    private Tensor pixels(HostBatch batch) {
        long[] shape = images.shape();
        long[] full = new long[shape.length + 1];
        full[0] = batch.size();
        System.arraycopy(shape, 0, full, 1, shape.length);
        return Tensors.view(batch.pixels(), full);
    }

    private static Tensor tokens(HostBatch batch) {
        return Tensors.fromLongs(batch.tokens(), batch.size(), batch.contextLength());
    }

    /** Seeded shuffle of epoch {@code epoch}, cut into batches; a final single pair is dropped. */
    List<List<ImageTextPair>> batches(List<ImageTextPair> pairs, int epoch) {
        List<ImageTextPair> order = new ArrayList<>(pairs);
        Collections.shuffle(order, new Random(config.seed() * 1_000_003L + epoch));
        List<List<ImageTextPair>> out = new ArrayList<>();
        for (int i = 0; i + 1 < order.size(); i += config.batchSize()) {
            out.add(List.copyOf(order.subList(i, Math.min(order.size(), i + config.batchSize()))));
        }
        return out;
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


    private void validate(ImageTextDataset train) {
        if (train.size() < 2) {
            throw new TrainingException("the training dataset " + train.report().source() + " has " + train.size()
                    + " usable pair(s); contrastive training needs at least 2");
        }
        ImageTextDataset evaluation = config.evaluation();
        if (evaluation != null && evaluation.isEmpty()) {
            throw new TrainingException("the evaluation dataset " + evaluation.report().source() + " is empty");
        }
        if (config.checkpoint() != null) {
            OutputFiles.requireWritable(config.checkpoint(), "checkpoint");
        }
        Path resumeFrom = config.resumeFrom();
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

    /**
     * Configures a {@link ContrastiveTrainer}: the setters are {@link TrainingConfig.Builder}'s (same defaults,
     * same checks, each failing at once with a message naming the value), so
     * {@code ContrastiveTrainer.builder(clip).epochs(3).batchSize(128).build()} and
     * {@code ContrastiveTrainer.builder(clip).config(config).build()} are the two ways to set them.
     */
    public static final class Builder {
        private final ContrastiveModel model;
        private final ImageLoader images;
        private final CaptionTokenizer tokenizer;
        private final TrainingConfig.Builder config = TrainingConfig.builder();

        private Builder(ContrastiveModel model, ImageLoader images, CaptionTokenizer tokenizer) {
            this.model = requireNonNull(model, "model");
            this.images = requireNonNull(images, "images");
            this.tokenizer = requireNonNull(tokenizer, "tokenizer");
        }

        /**
         * Takes every setting from {@code config}, replacing those set so far; later setters change single ones.
         *
         * @param config a whole configuration, not null
         * @return this builder
         */
        public Builder config(TrainingConfig config) {
            this.config.from(config);
            return this;
        }

        /**
         * See {@link TrainingConfig.Builder#epochs}.
         *
         * @param epochs passes over the training data, at least 1 (default 1)
         * @return this builder
         */
        public Builder epochs(int epochs) {
            config.epochs(epochs);
            return this;
        }

        /**
         * See {@link TrainingConfig.Builder#batchSize}.
         *
         * @param batchSize pairs per optimizer step, at least 2 (default 32)
         * @return this builder
         */
        public Builder batchSize(int batchSize) {
            config.batchSize(batchSize);
            return this;
        }

        /**
         * See {@link TrainingConfig.Builder#microBatchSize}.
         *
         * @param microBatchSize pairs per forward/backward pass, 1 to the batch size (default: the batch size)
         * @return this builder
         */
        public Builder microBatchSize(int microBatchSize) {
            config.microBatchSize(microBatchSize);
            return this;
        }

        /**
         * See {@link TrainingConfig.Builder#learningRate}.
         *
         * @param learningRate the peak rate, positive and finite (default 1e-5)
         * @return this builder
         */
        public Builder learningRate(double learningRate) {
            config.learningRate(learningRate);
            return this;
        }

        /**
         * See {@link TrainingConfig.Builder#warmupSteps}.
         *
         * @param warmupSteps linear warm-up steps, at least 0 (default 0)
         * @return this builder
         */
        public Builder warmupSteps(long warmupSteps) {
            config.warmupSteps(warmupSteps);
            return this;
        }

        /**
         * See {@link TrainingConfig.Builder#schedule}.
         *
         * @param schedule the rate of every optimizer step, not null (default warm-up + cosine)
         * @return this builder
         */
        public Builder schedule(LearningRateSchedule schedule) {
            config.schedule(schedule);
            return this;
        }

        /**
         * See {@link TrainingConfig.Builder#weightDecay}.
         *
         * @param weightDecay at least 0 and finite (default 0.2)
         * @return this builder
         */
        public Builder weightDecay(double weightDecay) {
            config.weightDecay(weightDecay);
            return this;
        }

        /**
         * See {@link TrainingConfig.Builder#weightDecayRule}.
         *
         * @param rule chooses the decayed parameters, not null (default {@link WeightDecayRule#CLIP})
         * @return this builder
         */
        public Builder weightDecayRule(WeightDecayRule rule) {
            config.weightDecayRule(rule);
            return this;
        }

        /**
         * See {@link TrainingConfig.Builder#betas}.
         *
         * @param beta1 the first moment's decay, in [0, 1) (default 0.9)
         * @param beta2 the second moment's decay, in [0, 1) (default 0.98)
         * @return this builder
         */
        public Builder betas(double beta1, double beta2) {
            config.betas(beta1, beta2);
            return this;
        }

        /**
         * See {@link TrainingConfig.Builder#eps}.
         *
         * @param eps positive (default 1e-6)
         * @return this builder
         */
        public Builder eps(double eps) {
            config.eps(eps);
            return this;
        }

        /**
         * See {@link TrainingConfig.Builder#maxGradientNorm}.
         *
         * @param maxGradientNorm the largest total gradient norm, at least 0; 0 (default) turns clipping off
         * @return this builder
         */
        public Builder maxGradientNorm(double maxGradientNorm) {
            config.maxGradientNorm(maxGradientNorm);
            return this;
        }

        /**
         * See {@link TrainingConfig.Builder#seed}.
         *
         * @param seed the shuffling seed (default 0)
         * @return this builder
         */
        public Builder seed(long seed) {
            config.seed(seed);
            return this;
        }

        /**
         * See {@link TrainingConfig.Builder#freeze}.
         *
         * <pre>{@code
         * builder.freeze(Tower.IMAGE);   // train the text tower (and logit_scale) only
         * }</pre>
         *
         * @param towers {@link Tower#IMAGE} and/or {@link Tower#TEXT}
         * @return this builder
         */
        public Builder freeze(Tower... towers) {
            config.freeze(towers);
            return this;
        }

        /**
         * See {@link TrainingConfig.Builder#bf16Autocast}.
         *
         * @param enabled true to run the encoders in bfloat16 (default false)
         * @return this builder
         */
        public Builder bf16Autocast(boolean enabled) {
            config.bf16Autocast(enabled);
            return this;
        }

        /**
         * See {@link TrainingConfig.Builder#listener}.
         *
         * @param listener receives progress on the training thread, not null (default none)
         * @return this builder
         */
        public Builder listener(TrainingListener listener) {
            config.listener(listener);
            return this;
        }

        /**
         * See {@link TrainingConfig.Builder#evaluateOn}.
         *
         * @param heldOut pairs evaluated after every epoch, not null (default none)
         * @return this builder
         */
        public Builder evaluateOn(ImageTextDataset heldOut) {
            config.evaluateOn(heldOut);
            return this;
        }

        /**
         * See {@link TrainingConfig.Builder#checkpoint}.
         *
         * @param file the resume file, not null; its folder must exist
         * @param everySteps the interval in optimizer steps, at least 0 (0: only at the end)
         * @return this builder
         */
        public Builder checkpoint(Path file, long everySteps) {
            config.checkpoint(file, everySteps);
            return this;
        }

        /**
         * See {@link TrainingConfig.Builder#resumeFrom}.
         *
         * @param file a resume file written by {@link #checkpoint}, not null
         * @return this builder
         */
        public Builder resumeFrom(Path file) {
            config.resumeFrom(file);
            return this;
        }

        /**
         * See {@link TrainingConfig.Builder#stopAfterSteps}.
         *
         * @param steps the step count to stop at, at least 0; 0 (default) never stops early
         * @return this builder
         */
        public Builder stopAfterSteps(long steps) {
            config.stopAfterSteps(steps);
            return this;
        }

        /**
         * See {@link TrainingConfig.Builder#decodeThreads}.
         *
         * @param threads at least 1 (default min(4, cores))
         * @return this builder
         */
        public Builder decodeThreads(int threads) {
            config.decodeThreads(threads);
            return this;
        }

        /**
         * See {@link TrainingConfig.Builder#prefetchBatches}.
         *
         * @param batches at least 1 (default 2)
         * @return this builder
         */
        public Builder prefetchBatches(int batches) {
            config.prefetchBatches(batches);
            return this;
        }

        /**
         * Builds the trainer; the builder can be reused afterwards.
         *
         * @return a trainer with these settings
         * @throws IllegalArgumentException if the micro-batch is larger than the batch
         */
        public ContrastiveTrainer build() {
            return new ContrastiveTrainer(model, images, tokenizer, config.build());
        }
    }
}
