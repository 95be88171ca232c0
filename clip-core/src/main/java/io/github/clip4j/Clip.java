package io.github.clip4j;

import static java.util.Objects.requireNonNull;

import io.github.clip4j.download.DownloadListener;
import io.github.clip4j.hub.ModelCache;
import io.github.clip4j.hub.ModelLocator;
import io.github.clip4j.hub.ModelSource;
import io.github.clip4j.image.ClipPreprocessor;
import io.github.clip4j.image.ImageDecoder;
import io.github.clip4j.model.ClipModel;
import io.github.clip4j.runtime.Device;
import io.github.clip4j.runtime.NativeRuntime;
import io.github.clip4j.runtime.Precision;
import io.github.clip4j.tokenizer.ClipTokenizer;
import io.github.clip4j.weights.CheckpointReader;
import io.github.clip4j.weights.HostTensor;
import io.github.clip4j.weights.HuggingFaceReader;
import io.github.clip4j.weights.PreprocessorConfig;
import io.github.clip4j.weights.StateDict;
import io.github.clip4j.zeroshot.Classification;
import io.github.clip4j.zeroshot.PromptTemplates;
import io.github.clip4j.zeroshot.ZeroShotClassifier;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * CLIP in one object: loads a model, embeds images and texts into one space, and classifies images by labels.
 *
 * <pre>{@code
 * try (Clip clip = Clip.load()) {                                    // ViT-B/32, cached in ~/.cache/clip
 *     Classification c = clip.classify(Path.of("street.jpg"), "cat", "dog", "car");
 *     System.out.println(c.best());
 *
 *     Embedding image = clip.embedImage(Path.of("cat.jpg"));        // L2-normalized
 *     Embedding text = clip.embedText("a cute cat");
 *     float cosine = image.dot(text);
 * }
 *
 * Clip clip = Clip.builder()
 *         .model("ViT-B/16")                                         // a released name, a checkpoint file or a Hugging Face folder
 *         .device(Device.CPU).precision(Precision.FP32).threads(2)
 *         .build();
 * }</pre>
 *
 * <p>A {@code Clip} is thread-safe: many threads may embed and classify through one instance at once. It owns
 * native memory (the weights); {@link #close()} frees it.
 */
public final class Clip implements EmbeddingModel, AutoCloseable {
    /** The model {@link #load()} uses. */
    public static final String DEFAULT_MODEL = "ViT-B/32";
    /** The template {@link #classify(Path, String...)} puts each label in: CLIP's own default prompt. */
    public static final PromptTemplates DEFAULT_TEMPLATES = PromptTemplates.of("a photo of a {}");

    private static final Logger LOG = LoggerFactory.getLogger(Clip.class);

    private final ClipModel model;
    private final ClipTokenizer tokenizer;
    private final ClipPreprocessor preprocessor;
    private final String modelName;
    private final String modelId;
    private final int batchSize;
    private final ExecutorService decoders;
    private final AtomicBoolean closed = new AtomicBoolean();

    private Clip(ClipModel model, ClipTokenizer tokenizer, ClipPreprocessor preprocessor, String modelName,
                 String modelId, int batchSize, int decodeThreads) {
        this.model = model;
        this.tokenizer = tokenizer;
        this.preprocessor = preprocessor;
        this.modelName = modelName;
        this.modelId = modelId;
        this.batchSize = batchSize;
        this.decoders = Executors.newFixedThreadPool(decodeThreads, r -> {
            Thread t = new Thread(r, "clip4j-decode");
            t.setDaemon(true);
            return t;
        });
    }

    /** Loads {@value #DEFAULT_MODEL} on the CPU in fp32, downloading it into the cache on first use. */
    public static Clip load() {
        return builder().build();
    }

    /**
     * Loads a model by name ({@code "RN50"}, {@code "ViT-B/32"}, ...), checkpoint file path or Hugging Face
     * folder path, on the CPU in fp32.
     */
    public static Clip load(String model) {
        return builder().model(model).build();
    }

    /** Loads the checkpoint file or Hugging Face folder at {@code model}, on the CPU in fp32. */
    public static Clip load(Path model) {
        return builder().model(model).build();
    }

    /** A builder with the defaults: {@value #DEFAULT_MODEL}, CPU, fp32, all cores, batches of 16. */
    public static Builder builder() {
        return new Builder();
    }

    /** The model as it was named (a released name, or a file or folder name). */
    public String modelName() {
        return modelName;
    }

    /** The underlying encoders, for advanced use (raw tensors, training). Owned by this {@code Clip}. */
    public ClipModel model() {
        return model;
    }

    /** The tokenizer texts go through. */
    public ClipTokenizer tokenizer() {
        return tokenizer;
    }

    /** The image transform images go through (the model's resolution, CLIP's mean and std). */
    public ClipPreprocessor preprocessor() {
        return preprocessor;
    }

    @Override
    public String modelId() {
        return modelId;
    }

    @Override
    public int dimension() {
        return model.embedDim();
    }

    @Override
    public float logitScale() {
        return model.logitScale();
    }

    @Override
    public List<Embedding> embedTexts(List<String> texts) {
        return normalizeAll(textFeatures(texts));
    }

    @Override
    public List<Embedding> embedImages(List<Path> images) {
        return normalizeAll(imageFeatures(images));
    }

    /**
     * The text encoder's raw features (before L2 normalization), one row per text. Texts longer than the context
     * are truncated like the reference's {@code tokenize(..., truncate=True)}.
     */
    public float[][] textFeatures(List<String> texts) {
        requireNonNull(texts, "texts");
        checkOpen();
        float[][] out = new float[texts.size()][];
        for (int start = 0; start < texts.size(); start += batchSize) {
            List<String> batch = texts.subList(start, Math.min(texts.size(), start + batchSize));
            int[][] tokens = tokenizer.tokenize(batch, model.contextLength(), true);
            float[][] features = model.encodeTexts(tokens);
            System.arraycopy(features, 0, out, start, features.length);
        }
        return out;
    }

    /**
     * The image encoder's raw features (before L2 normalization), one row per image file.
     *
     * @throws io.github.clip4j.image.InvalidImageException if a file cannot be decoded (the message names it)
     */
    public float[][] imageFeatures(List<Path> images) {
        requireNonNull(images, "images");
        checkOpen();
        float[][] out = new float[images.size()][];
        int pixels = preprocessor.pixelCount();
        for (int start = 0; start < images.size(); start += batchSize) {
            List<Path> batch = images.subList(start, Math.min(images.size(), start + batchSize));
            float[] input = new float[batch.size() * pixels];
            // Decoding and resampling dominate for small models: spread them over threads, each writing its own
            // slice of the batch.
            List<Future<?>> jobs = new ArrayList<>(batch.size());
            for (int i = 0; i < batch.size(); i++) {
                Path path = requireNonNull(batch.get(i), "images[" + (start + i) + "]");
                int offset = i * pixels;
                jobs.add(decoders.submit(() -> preprocessor.pixels(ImageDecoder.decode(path), input, offset)));
            }
            await(jobs);
            float[][] features = model.encodeImages(input, batch.size());
            System.arraycopy(features, 0, out, start, features.length);
        }
        return out;
    }

    /** The cosine similarity between an image file and a text. */
    public float similarity(Path image, String text) {
        return embedImage(image).dot(embedText(text));
    }

    /**
     * Which of {@code labels} fits the image best, each label put into CLIP's default prompt
     * {@code "a photo of a {}"}. For other
     * templates, ensembles, top-k or many images, build a {@link #classifier()} once and reuse it.
     *
     * @throws IllegalArgumentException if there are no labels, or one is blank or repeated
     */
    public Classification classify(Path image, String... labels) {
        return classifier().labels(labels).templates(DEFAULT_TEMPLATES).build().classify(image);
    }

    /** A builder for a reusable zero-shot classifier on this model (label embeddings computed once). */
    public ZeroShotClassifier.Builder classifier() {
        checkOpen();
        return ZeroShotClassifier.builder(this);
    }

    /** Frees the model's native memory. Further calls fail with {@link IllegalStateException}. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            decoders.shutdownNow();
            model.close();
        }
    }

    @Override
    public String toString() {
        return "Clip[" + modelName + ", " + model.config() + ", " + model.device() + ", " + model.precision() + "]";
    }

    private void checkOpen() {
        if (closed.get()) {
            throw new IllegalStateException("this Clip (" + modelName + ") is closed");
        }
    }

    private static List<Embedding> normalizeAll(float[][] features) {
        List<Embedding> out = new ArrayList<>(features.length);
        for (float[] row : features) {
            out.add(Embedding.normalize(row));
        }
        return out;
    }

    private static void await(List<Future<?>> jobs) {
        try {
            for (Future<?> job : jobs) {
                job.get();
            }
        } catch (ExecutionException e) {
            jobs.forEach(j -> j.cancel(true));
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException("image decoding failed", e.getCause());
        } catch (InterruptedException e) {
            jobs.forEach(j -> j.cancel(true));
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while decoding images", e);
        }
    }

    /**
     * A format-independent fingerprint of the weights (the same model read from a TorchScript archive, a state
     * dict or safetensors gets the same id): the architecture and a hash of the values of a few tensors.
     */
    static String fingerprint(String architecture, StateDict weights) {
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
        digest.update(architecture.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        for (String name : List.of("logit_scale", "text_projection", "token_embedding.weight",
                "positional_embedding", "visual.proj", "visual.attnpool.c_proj.weight")) {
            if (!weights.contains(name)) {
                continue;
            }
            HostTensor t = weights.get(name);
            float[] values = t.toFloatArray();
            int n = Math.min(values.length, 4096);
            ByteBuffer bytes = ByteBuffer.allocate(name.length() + 4 * n).order(ByteOrder.LITTLE_ENDIAN);
            bytes.put(name.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            bytes.asFloatBuffer().put(values, 0, n);
            digest.update(bytes.array());
        }
        return HexFormat.of().formatHex(digest.digest(), 0, 8);
    }

    /**
     * Configures and loads a {@link Clip}. Every setter validates its argument; {@link #build()} does the work
     * (locating or downloading the model, reading it, copying the weights into libtorch).
     */
    public static final class Builder {
        private String modelName = DEFAULT_MODEL;
        private Path modelPath;
        private Device device = Device.CPU;
        private Precision precision = Precision.FP32;
        private int threads = 0;
        private int batchSize = 16;
        private ModelCache cache;
        private DownloadListener listener = DownloadListener.NONE;
        private ClipTokenizer tokenizer;

        private Builder() {}

        /** A released name ({@code "ViT-B/32"}), or the path of a checkpoint file or Hugging Face folder. */
        public Builder model(String model) {
            requireNonNull(model, "model");
            if (model.isBlank()) {
                throw new IllegalArgumentException("model name is blank; use one of the released names such as "
                        + DEFAULT_MODEL + ", a checkpoint file or a Hugging Face folder");
            }
            this.modelName = model;
            this.modelPath = null;
            return this;
        }

        /** A checkpoint file ({@code .pt}, {@code .safetensors}) or a Hugging Face folder. */
        public Builder model(Path model) {
            this.modelPath = requireNonNull(model, "model");
            this.modelName = null;
            return this;
        }

        /** Where the model runs (default {@link Device#CPU}). */
        public Builder device(Device device) {
            this.device = requireNonNull(device, "device");
            return this;
        }

        /** The compute precision (default {@link Precision#FP32}). */
        public Builder precision(Precision precision) {
            this.precision = requireNonNull(precision, "precision");
            return this;
        }

        /** libtorch's intra-op threads for this process (default: all cores). */
        public Builder threads(int threads) {
            if (threads < 1) {
                throw new IllegalArgumentException("threads must be at least 1, got " + threads);
            }
            this.threads = threads;
            return this;
        }

        /** How many images or texts go through the encoder at once (default 16). */
        public Builder batchSize(int batchSize) {
            if (batchSize < 1) {
                throw new IllegalArgumentException("batch size must be at least 1, got " + batchSize);
            }
            this.batchSize = batchSize;
            return this;
        }

        /** The folder released models are downloaded to (default {@code ~/.cache/clip}). */
        public Builder cacheFolder(Path folder) {
            this.cache = ModelCache.at(requireNonNull(folder, "folder"));
            return this;
        }

        /** Receives download progress when a released model is fetched. */
        public Builder progress(DownloadListener listener) {
            this.listener = requireNonNull(listener, "listener");
            return this;
        }

        /** The tokenizer to use (default: {@link ClipTokenizer#load()}, which finds or downloads the vocabulary). */
        public Builder tokenizer(ClipTokenizer tokenizer) {
            this.tokenizer = requireNonNull(tokenizer, "tokenizer");
            return this;
        }

        /**
         * Locates (downloading if needed), reads and loads the model.
         *
         * @throws io.github.clip4j.common.ClipException if the model is unknown, cannot be downloaded or read, or
         *     is not a CLIP checkpoint; the message says which and what to do
         */
        public Clip build() {
            long start = System.nanoTime();
            NativeRuntime.ensureLoaded();
            if (threads > 0) {
                NativeRuntime.setThreads(threads);
            }
            ModelLocator.Builder locatorBuilder = ModelLocator.builder().listener(listener);
            if (cache != null) {
                locatorBuilder.cache(cache);
            }
            ModelLocator locator = locatorBuilder.build();
            ModelSource source = modelPath != null ? locator.locate(modelPath) : locator.locate(modelName);
            StateDict weights = CheckpointReader.read(source.path());
            ClipModel model = ClipModel.load(weights, device, precision);
            try {
                ClipPreprocessor preprocessor = preprocessorFor(source, model.imageResolution());
                ClipTokenizer tok = tokenizer != null ? tokenizer : ClipTokenizer.load();
                String id = source.name() + "#" + fingerprint(model.config().toString(), weights);
                int decodeThreads = Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors()));
                Clip clip = new Clip(model, tok, preprocessor, source.name(), id, batchSize, decodeThreads);
                LOG.info("loaded {} on {} ({}) in {} ms", source.name(), device, precision,
                        (System.nanoTime() - start) / 1_000_000);
                return clip;
            } catch (RuntimeException | Error e) {
                model.close();
                throw e;
            }
        }

        private static ClipPreprocessor preprocessorFor(ModelSource source, int resolution) {
            if (source.isFolder()) {
                Optional<PreprocessorConfig> config = HuggingFaceReader.preprocessor(source.path());
                if (config.isPresent()) {
                    float[] mean = config.get().mean();
                    float[] std = config.get().std();
                    return ClipPreprocessor.of(resolution, toDoubles(mean), toDoubles(std));
                }
            }
            return ClipPreprocessor.of(resolution);
        }

        private static double[] toDoubles(float[] values) {
            double[] out = new double[values.length];
            for (int i = 0; i < values.length; i++) {
                out[i] = values[i];
            }
            return out;
        }

        @Override
        public String toString() {
            return "Clip.Builder[" + (modelPath != null ? modelPath : modelName) + ", " + device + ", " + precision
                    + ", batch " + batchSize + "]";
        }
    }
}
