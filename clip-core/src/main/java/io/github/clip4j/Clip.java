package io.github.clip4j;

import static java.util.Objects.requireNonNull;

import io.github.clip4j.common.ClipException;
import io.github.clip4j.download.DownloadListener;
import io.github.clip4j.hub.ModelCache;
import io.github.clip4j.internal.ClipAccess;
import io.github.clip4j.internal.ClipEngine;
import io.github.clip4j.internal.image.ClipPreprocessor;
import io.github.clip4j.internal.loading.ClipLoader;
import io.github.clip4j.internal.model.ClipModel;
import io.github.clip4j.internal.weights.StateDict;
import io.github.clip4j.tokenizer.ClipTokenizer;
import io.github.clip4j.zeroshot.Classification;
import io.github.clip4j.zeroshot.PromptTemplates;
import io.github.clip4j.zeroshot.ZeroShotClassifier;
import java.awt.image.BufferedImage;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * CLIP in one object: loads a model, embeds images and texts into one space, and classifies images by labels.
 *
 * <pre>{@code
 * try (Clip clip = Clip.load()) {                                    // ViT-B/32, cached in ~/.cache/clip
 *     Classification c = clip.classify(Path.of("street.jpg"), "cat", "dog", "car");
 *     System.out.println(c.best());                                  // Prediction[label=car, ...]
 *
 *     Embedding image = clip.embedImage(Path.of("cat.jpg"));        // L2-normalized
 *     Embedding text = clip.embedText("a cute cat");
 *     float cosine = image.dot(text);                                // same as clip.similarity(path, text)
 * }
 *
 * Clip clip = Clip.builder()
 *         .model("ViT-B/16")                     // a released name, a checkpoint file or a Hugging Face folder
 *         .device(Device.CPU).precision(Precision.FP32).threads(2)
 *         .build();
 * }</pre>
 *
 * <p><b>Threads.</b> A {@code Clip} is thread-safe: share one instance; many threads may embed and classify
 * through it at once, and get the same results as one thread would. Image files are decoded and preprocessed on
 * a small pool of daemon threads while the previous batch runs through the encoder.
 *
 * <p><b>Lifetime.</b> It owns native memory (the weights); {@link #close()} frees it. {@code close()} waits for
 * the batches in progress to finish, then every further call fails with a {@link ClipClosedException}.
 *
 * <p><b>Errors.</b> Everything it refuses is a {@link ClipException} whose message names the input: an
 * {@link InvalidImageException} for an image that is missing, empty, truncated or not an image; a
 * {@code CheckpointException}, {@code UnknownModelException} or {@code DownloadException} from {@link Builder#build()}.
 * Programming errors (a {@code null} argument, an empty label) are {@code NullPointerException}s and
 * {@code IllegalArgumentException}s.
 */
public final class Clip implements EmbeddingModel, AutoCloseable {
    /** The model {@link #load()} uses. */
    public static final String DEFAULT_MODEL = "ViT-B/32";
    /** The template {@link #classify(Path, String...)} puts each label in: CLIP's own default prompt. */
    public static final PromptTemplates DEFAULT_TEMPLATES = PromptTemplates.of("a photo of a {}");

    private static final Logger LOG = LoggerFactory.getLogger(Clip.class);

    static {
        ClipAccess.register(new ClipAccess.Accessor() {
            @Override
            public ClipModel model(Clip clip) {
                return clip.engine.model();
            }

            @Override
            public ClipPreprocessor preprocessor(Clip clip) {
                return clip.engine.preprocessor();
            }

            @Override
            public Builder weights(Builder builder, StateDict weights) {
                return builder.weights(weights);
            }
        });
    }

    private final ClipEngine engine;

    private Clip(ClipEngine engine) {
        this.engine = engine;
    }

    /**
     * Loads {@value #DEFAULT_MODEL} on the CPU in fp32, downloading it into the cache on first use.
     *
     * <pre>{@code
     * try (Clip clip = Clip.load()) { ... }
     * }</pre>
     *
     * @return an open model; close it to free its native memory
     * @throws ClipException if the model or the tokenizer's vocabulary can be neither found nor downloaded
     */
    public static Clip load() {
        return builder().build();
    }

    /**
     * Loads a model by name ({@code "RN50"}, {@code "ViT-B/32"}, ...), checkpoint file path or Hugging Face
     * folder path, on the CPU in fp32.
     *
     * <pre>{@code
     * Clip clip = Clip.load("ViT-B/16");
     * Clip local = Clip.load("models/my-finetuned.safetensors");
     * }</pre>
     *
     * @param model a released name, a checkpoint file ({@code .pt}, {@code .safetensors}) or a Hugging Face
     *     folder; not null
     * @return an open model; close it to free its native memory
     * @throws io.github.clip4j.hub.UnknownModelException if {@code model} is neither a released name nor an
     *     existing path (the message lists the released names)
     * @throws ClipException if the checkpoint cannot be downloaded or read
     */
    public static Clip load(String model) {
        return builder().model(model).build();
    }

    /**
     * Loads the checkpoint file or Hugging Face folder at {@code model}, on the CPU in fp32.
     *
     * <pre>{@code
     * Clip clip = Clip.load(Path.of("ViT-B-32.pt"));
     * }</pre>
     *
     * @param model a checkpoint file or Hugging Face folder, not null
     * @return an open model; close it to free its native memory
     * @throws ClipException if nothing is there or it is not a readable CLIP checkpoint (the message names it)
     */
    public static Clip load(Path model) {
        return builder().model(model).build();
    }

    /**
     * A builder with the defaults: {@value #DEFAULT_MODEL}, CPU, fp32, all cores, batches of 16.
     *
     * <pre>{@code
     * Clip clip = Clip.builder().model("RN50").batchSize(32).build();
     * }</pre>
     *
     * @return a new builder; nothing is loaded until {@link Builder#build()}
     */
    public static Builder builder() {
        return new Builder();
    }

    /** {@return the model as it was named (a released name, or a file or folder name), e.g. {@code "ViT-B/32"}} */
    public String modelName() {
        return engine.name();
    }

    /**
     * {@return the tokenizer texts go through} For example, to count tokens:
     * {@code clip.tokenizer().encode(text).length}. Thread-safe, and usable after {@link #close()}.
     */
    public ClipTokenizer tokenizer() {
        return engine.tokenizer();
    }

    /** {@inheritDoc} For example {@code "ViT-B/32#3f2a...."}: the name and a fingerprint of the weights. */
    @Override
    public String modelId() {
        return engine.id();
    }

    /** {@inheritDoc} */
    @Override
    public int dimension() {
        return engine.dimension();
    }

    /** {@inheritDoc} */
    @Override
    public float logitScale() {
        // Read from the model while it is open (fine-tuning changes it); after close(), the last value read.
        return engine.logitScale();
    }

    /**
     * The L2-normalized embedding of one text (truncated to the model's context if longer).
     *
     * <pre>{@code
     * Embedding cat = clip.embedText("a photo of a cat");
     * }</pre>
     *
     * @throws ClipClosedException if this {@code Clip} is closed
     */
    @Override
    public Embedding embedText(String text) {
        return embedTexts(List.of(requireNonNull(text, "text"))).get(0);
    }

    /**
     * The L2-normalized embedding of one image file.
     *
     * <pre>{@code
     * Embedding photo = clip.embedImage(Path.of("cat.jpg"));
     * }</pre>
     *
     * @throws InvalidImageException if the file is missing, empty, truncated or not a supported image (the
     *     message names it)
     * @throws ClipClosedException if this {@code Clip} is closed
     */
    @Override
    public Embedding embedImage(Path image) {
        return embedImages(List.of(requireNonNull(image, "image"))).get(0);
    }

    /**
     * L2-normalized embeddings of {@code texts}, in order, encoded in batches. Texts longer than the model's
     * context are truncated like the reference's {@code tokenize(..., truncate=True)}; the empty text is allowed.
     *
     * <pre>{@code
     * List<Embedding> texts = clip.embedTexts(List.of("a cat", "a dog"));
     * }</pre>
     *
     * @throws ClipClosedException if this {@code Clip} is closed
     */
    @Override
    public List<Embedding> embedTexts(List<String> texts) {
        return normalizeAll(textFeatures(texts));
    }

    /**
     * L2-normalized embeddings of image files, in order, decoded and preprocessed like the reference.
     *
     * <pre>{@code
     * List<Embedding> photos = clip.embedImages(List.of(Path.of("a.jpg"), Path.of("b.png")));
     * }</pre>
     *
     * @throws InvalidImageException if a file is missing, empty, truncated or not a supported image (the message
     *     names it); no embedding is returned then
     * @throws ClipClosedException if this {@code Clip} is closed
     */
    @Override
    public List<Embedding> embedImages(List<Path> images) {
        return normalizeAll(imageFeatures(images));
    }

    /**
     * The L2-normalized embedding of an image already in memory (e.g. rendered or received), preprocessed like a
     * file with the same pixels: 8-bit gray images stay gray until after the resize, other types are read as sRGB
     * and any alpha channel is dropped.
     *
     * <pre>{@code
     * BufferedImage screenshot = robot.createScreenCapture(area);
     * Embedding e = clip.embedImage(screenshot);
     * }</pre>
     *
     * @param image the image, not null; it is read, not changed
     * @return a unit-length embedding of {@link #dimension()} floats
     * @throws ClipClosedException if this {@code Clip} is closed
     */
    public Embedding embedImage(BufferedImage image) {
        return embedBufferedImages(List.of(requireNonNull(image, "image"))).get(0);
    }

    /**
     * The L2-normalized embeddings of images in memory, in order (see {@link #embedImage(BufferedImage)}).
     *
     * <pre>{@code
     * List<Embedding> frames = clip.embedBufferedImages(List.of(frame1, frame2));
     * }</pre>
     *
     * @param images the images, not null and without null elements; run in batches of the configured size
     * @return one unit-length embedding per image, in the same order
     * @throws ClipClosedException if this {@code Clip} is closed
     */
    public List<Embedding> embedBufferedImages(List<BufferedImage> images) {
        requireNonNull(images, "images");
        List<ClipEngine.ImageSource> inputs = new ArrayList<>(images.size());
        for (int i = 0; i < images.size(); i++) {
            inputs.add(ClipEngine.ImageSource.of(requireNonNull(images.get(i), "images[" + i + "]"), i));
        }
        return normalizeAll(engine.imageFeatures(inputs));
    }

    /**
     * The text encoder's raw features (before L2 normalization), one row of {@link #dimension()} floats per
     * text. Texts longer than the context are truncated like the reference's {@code tokenize(..., truncate=True)}.
     *
     * <pre>{@code
     * float[][] raw = clip.textFeatures(List.of("a photo of a cat"));   // as the reference's encode_text
     * }</pre>
     *
     * @param texts the texts, not null and without null elements
     * @return a new {@code [texts.size()][dimension()]} array, rows in the order of {@code texts}
     * @throws ClipClosedException if this {@code Clip} is closed
     */
    public float[][] textFeatures(List<String> texts) {
        requireNonNull(texts, "texts");
        for (int i = 0; i < texts.size(); i++) {
            requireNonNull(texts.get(i), "texts[" + i + "]");
        }
        return engine.textFeatures(texts);
    }

    /**
     * The image encoder's raw features (before L2 normalization), one row of {@link #dimension()} floats per
     * image file.
     *
     * <pre>{@code
     * float[][] raw = clip.imageFeatures(List.of(Path.of("cat.jpg")));  // as the reference's encode_image
     * }</pre>
     *
     * @param images the image files, not null and without null elements
     * @return a new {@code [images.size()][dimension()]} array, rows in the order of {@code images}
     * @throws InvalidImageException if a file cannot be decoded (the message names it)
     * @throws ClipClosedException if this {@code Clip} is closed
     */
    public float[][] imageFeatures(List<Path> images) {
        requireNonNull(images, "images");
        List<ClipEngine.ImageSource> inputs = new ArrayList<>(images.size());
        for (int i = 0; i < images.size(); i++) {
            inputs.add(ClipEngine.ImageSource.of(requireNonNull(images.get(i), "images[" + i + "]")));
        }
        return engine.imageFeatures(inputs);
    }

    /**
     * The cosine similarity between an image file and a text, in [-1, 1].
     *
     * <pre>{@code
     * float s = clip.similarity(Path.of("cat.jpg"), "a photo of a cat");
     * }</pre>
     *
     * @param image the image file, not null
     * @param text the text, not null; truncated to the context if too long
     * @return the cosine of the two embeddings; CLIP's cosines are small, typically 0.2 to 0.35 for a good match
     * @throws InvalidImageException if the file cannot be decoded (the message names it)
     * @throws ClipClosedException if this {@code Clip} is closed
     */
    public float similarity(Path image, String text) {
        return embedImage(image).dot(embedText(text));
    }

    /**
     * The cosine similarity between an image in memory and a text, in [-1, 1].
     *
     * <pre>{@code
     * float s = clip.similarity(thumbnail, "a diagram");
     * }</pre>
     *
     * @param image the image, not null
     * @param text the text, not null; truncated to the context if too long
     * @return the cosine of the two embeddings
     * @throws ClipClosedException if this {@code Clip} is closed
     */
    public float similarity(BufferedImage image, String text) {
        return embedImage(image).dot(embedText(text));
    }

    /**
     * Which of {@code labels} fits the image best, each label put into CLIP's default prompt
     * {@code "a photo of a {}"}; all labels are returned, best first. For other templates, ensembles, top-k or
     * many images, build a {@link #classifier()} once and reuse it.
     *
     * <pre>{@code
     * Classification c = clip.classify(Path.of("street.jpg"), "cat", "dog", "car");
     * Prediction best = c.best();            // label, probability (softmax of logitScale * score), score (cosine)
     * }</pre>
     *
     * @param image the image file, not null
     * @param labels the candidate labels, e.g. {@code "cat"}, at least one, distinct and not blank
     * @return every label with its probability and score, best first
     * @throws IllegalArgumentException if there are no labels, or one is blank or repeated
     * @throws InvalidImageException if the file cannot be decoded (the message names it)
     * @throws ClipClosedException if this {@code Clip} is closed
     */
    public Classification classify(Path image, String... labels) {
        requireNonNull(image, "image");
        return defaultClassifier(labels).classify(image);
    }

    /**
     * Which of {@code labels} fits an image in memory best, like {@link #classify(Path, String...)}; the result
     * has no image path.
     *
     * <pre>{@code
     * Classification c = clip.classify(upload, "invoice", "receipt", "photo");
     * }</pre>
     *
     * @param image the image, not null
     * @param labels the candidate labels, at least one, distinct and not blank
     * @return every label with its probability and score, best first
     * @throws IllegalArgumentException if there are no labels, or one is blank or repeated
     * @throws ClipClosedException if this {@code Clip} is closed
     */
    public Classification classify(BufferedImage image, String... labels) {
        requireNonNull(image, "image");
        return defaultClassifier(labels).classify(embedImage(image));
    }

    /**
     * A builder for a reusable zero-shot classifier on this model: the label embeddings are computed once, in
     * {@code build()}. The classifier uses this {@code Clip} and stops working when it is closed.
     *
     * <pre>{@code
     * ZeroShotClassifier classifier = clip.classifier()
     *         .labels("cat", "dog", "car")
     *         .templates(PromptTemplates.OPENAI_IMAGENET)
     *         .build();
     * List<Classification> results = classifier.classify(List.of(path1, path2));
     * }</pre>
     *
     * @return a new classifier builder bound to this {@code Clip}
     * @throws ClipClosedException if this {@code Clip} is closed
     */
    public ZeroShotClassifier.Builder classifier() {
        engine.checkOpen();
        return ZeroShotClassifier.builder(this);
    }

    /** {@return whether {@link #close()} has been called} */
    public boolean isClosed() {
        return engine.isClosed();
    }

    /**
     * Frees the model's native memory and stops the decoding threads. Waits for the encoder batches in progress
     * on other threads to finish; later calls fail with {@link ClipClosedException}. Idempotent.
     */
    @Override
    public void close() {
        engine.close();
        LOG.debug("closed {}", engine.name());
    }

    @Override
    public String toString() {
        return "Clip[" + engine + "]";
    }

    private ZeroShotClassifier defaultClassifier(String... labels) {
        return classifier().labels(labels).templates(DEFAULT_TEMPLATES).build();
    }

    private static List<Embedding> normalizeAll(float[][] features) {
        List<Embedding> out = new ArrayList<>(features.length);
        for (float[] row : features) {
            out.add(Embedding.normalize(row));
        }
        return out;
    }

    /**
     * Configures and loads a {@link Clip}. Every setter validates its argument; {@link #build()} does the work
     * (locating or downloading the model, reading it, copying the weights into libtorch). The model is given one
     * way: {@link #model(String)} or {@link #model(Path)}; the last call wins.
     *
     * <pre>{@code
     * Clip clip = Clip.builder()
     *         .model(Path.of("checkpoints/ViT-B-32.pt"))
     *         .tokenizer(ClipTokenizer.load(Path.of("bpe_simple_vocab_16e6.txt.gz")))
     *         .batchSize(32)
     *         .build();
     * }</pre>
     *
     * <p>Not thread-safe; {@code build()} may be called more than once (each call loads a new model).
     */
    public static final class Builder {
        private String modelName = DEFAULT_MODEL;
        private Path modelPath;
        private StateDict weights;
        private Device device = Device.CPU;
        private Precision precision = Precision.FP32;
        private int threads = 0;
        private int batchSize = 16;
        private int decodeThreads = Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors()));
        private ModelCache cache;
        private DownloadListener listener = DownloadListener.NONE;
        private ClipTokenizer tokenizer;

        private Builder() {}

        /**
         * A released name ({@code "ViT-B/32"}), or the path of a checkpoint file or Hugging Face folder.
         *
         * @param model the name or path, not null; checked by {@link #build()}, which lists the released names
         * @return this builder
         * @throws IllegalArgumentException if {@code model} is blank
         */
        public Builder model(String model) {
            requireNonNull(model, "model");
            if (model.isBlank()) {
                throw new IllegalArgumentException("model name is blank; use one of the released names such as "
                        + DEFAULT_MODEL + ", a checkpoint file or a Hugging Face folder");
            }
            this.modelName = model;
            this.modelPath = null;
            this.weights = null;
            return this;
        }

        /**
         * A checkpoint file ({@code .pt}, {@code .safetensors}) or a Hugging Face folder.
         *
         * @param model the file or folder, not null; it must exist when {@link #build()} runs
         * @return this builder
         */
        public Builder model(Path model) {
            this.modelPath = requireNonNull(model, "model");
            this.modelName = null;
            this.weights = null;
            return this;
        }

        /** Weights already in memory (TinyClip, tests); reached from other clip4j packages through ClipAccess. */
        Builder weights(StateDict weights) {
            this.weights = requireNonNull(weights, "weights");
            this.modelName = null;
            this.modelPath = null;
            return this;
        }

        /**
         * Where the model runs (default {@link Device#CPU}).
         *
         * @param device the device, not null
         * @return this builder
         */
        public Builder device(Device device) {
            this.device = requireNonNull(device, "device");
            return this;
        }

        /**
         * The compute precision (default {@link Precision#FP32}, which matches the reference exactly).
         *
         * @param precision the precision the weights are converted to and computed in, not null
         * @return this builder
         */
        public Builder precision(Precision precision) {
            this.precision = requireNonNull(precision, "precision");
            return this;
        }

        /**
         * The threads one encoder call may use (default: libtorch's choice, all cores). In fp32 they go to the
         * matrix library (OpenBLAS) and libtorch's own pool gets one; in bf16 and fp16 libtorch gets them all.
         * This is a process-wide setting: it applies to every model in the process.
         *
         * @param threads at least 1, usually the number of cores to give this process's inference
         * @return this builder
         * @throws IllegalArgumentException if {@code threads < 1}
         */
        public Builder threads(int threads) {
            if (threads < 1) {
                throw new IllegalArgumentException("threads must be at least 1, got " + threads);
            }
            this.threads = threads;
            return this;
        }

        /**
         * How many images or texts go through the encoder at once (default 16). Larger batches are faster per
         * item and hold more memory: a batch of images takes {@code 12 * resolution^2} bytes per image.
         *
         * @param batchSize items per encoder call, at least 1
         * @return this builder
         * @throws IllegalArgumentException if {@code batchSize < 1}
         */
        public Builder batchSize(int batchSize) {
            if (batchSize < 1) {
                throw new IllegalArgumentException("batch size must be at least 1, got " + batchSize);
            }
            this.batchSize = batchSize;
            return this;
        }

        /**
         * How many threads decode and preprocess image files (default: the number of cores, at most 4).
         *
         * @param threads at least 1; the daemon threads end after 10 idle seconds
         * @return this builder
         * @throws IllegalArgumentException if {@code threads < 1}
         */
        public Builder decodeThreads(int threads) {
            if (threads < 1) {
                throw new IllegalArgumentException("decode threads must be at least 1, got " + threads);
            }
            this.decodeThreads = threads;
            return this;
        }

        /**
         * The folder released models are downloaded to (default {@code ~/.cache/clip}).
         *
         * @param folder the cache folder, not null; created when a download needs it
         * @return this builder
         */
        public Builder cacheFolder(Path folder) {
            this.cache = ModelCache.at(requireNonNull(folder, "folder"));
            return this;
        }

        /**
         * Receives download progress when a released model is fetched (default: none).
         *
         * @param listener the listener, not null; called on the thread running {@link #build()}
         * @return this builder
         */
        public Builder progress(DownloadListener listener) {
            this.listener = requireNonNull(listener, "listener");
            return this;
        }

        /**
         * The tokenizer to use (default: {@link ClipTokenizer#load()}, with the vocabulary bundled in the
         * clip-tokenizer jar). Its ids must fit the model's vocabulary.
         *
         * @param tokenizer the tokenizer, not null, e.g. {@code ClipTokenizer.load(path)} for another copy of the file
         * @return this builder
         */
        public Builder tokenizer(ClipTokenizer tokenizer) {
            this.tokenizer = requireNonNull(tokenizer, "tokenizer");
            return this;
        }

        /**
         * Locates (downloading if needed), reads and loads the model.
         *
         * @return an open {@code Clip}; the caller closes it
         * @throws io.github.clip4j.hub.UnknownModelException if the name is neither released nor an existing path
         *     (the message lists the released names)
         * @throws io.github.clip4j.CheckpointException if the checkpoint is truncated, corrupt or not a
         *     complete CLIP model (the message names the file and the tensors)
         * @throws ClipException if the model or the vocabulary cannot be downloaded, or libtorch cannot be loaded
         * @throws IllegalArgumentException if the tokenizer's ids do not fit the model's vocabulary
         */
        public Clip build() {
            long start = System.nanoTime();
            ClipLoader.Loaded loaded = ClipLoader.load(new ClipLoader.Request(modelName, modelPath, weights, device,
                    precision, threads, cache, listener, tokenizer));
            Clip clip = new Clip(new ClipEngine(loaded, batchSize, decodeThreads));
            LOG.info("loaded {} on {} ({}) in {} ms", loaded.name(), device, precision,
                    (System.nanoTime() - start) / 1_000_000);
            return clip;
        }

        @Override
        public String toString() {
            Object model = weights != null ? weights.source() : modelPath != null ? modelPath : modelName;
            return "Clip.Builder[" + model + ", " + device + ", " + precision + ", batch " + batchSize + "]";
        }
    }
}
