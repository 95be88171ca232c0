package io.github.clip4j;

import static java.util.Objects.requireNonNull;

import io.github.clip4j.common.ClipException;
import io.github.clip4j.download.DownloadListener;
import io.github.clip4j.hub.ModelCache;
import io.github.clip4j.internal.ClipAccess;
import io.github.clip4j.internal.ClipEngine;
import io.github.clip4j.internal.loading.ClipLoader;
import io.github.clip4j.internal.weights.StateDict;
import io.github.clip4j.tokenizer.TextTokenizer;
import io.github.clip4j.zeroshot.Classification;
import io.github.clip4j.zeroshot.PromptTemplates;
import io.github.clip4j.zeroshot.ZeroShotClassifier;
import java.awt.image.BufferedImage;
import java.io.InputStream;
import java.nio.file.Path;
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
 * <p>Thread-safe: share one instance; image files are decoded on a few daemon threads while the previous batch
 * is encoded. It owns native memory (the weights): {@link #close()} frees it once calls in progress finish, and
 * every later call fails with a {@link ClipClosedException}. What it refuses is a {@link ClipException} naming the
 * input ({@link InvalidImageException}, {@link CheckpointException}, {@code UnknownModelException}, ...); a
 * {@code null} argument or an empty label is a {@code NullPointerException} or {@code IllegalArgumentException}.
 */
public final class Clip implements EmbeddingModel, AutoCloseable {
    /** The model {@link #load()} uses. */
    public static final String DEFAULT_MODEL = "ViT-B/32";
    /** The prompt {@link #classify(Path, String...)} uses for OpenAI's models (Chinese-CLIP: {@code {}的照片。}). */
    public static final PromptTemplates DEFAULT_TEMPLATES = PromptTemplates.of("a photo of a {}");

    private static final Logger LOG = LoggerFactory.getLogger(Clip.class);

    static {
        ClipAccess.register(clip -> clip.engine, Builder::weights);
    }

    private final ClipEngine engine;

    private Clip(ClipEngine engine) {
        this.engine = engine;
    }

    /**
     * {@return {@value #DEFAULT_MODEL} on the CPU in fp32, downloaded into the cache on first use; close it}
     *
     * @throws ClipException if the model can be neither found nor downloaded
     */
    public static Clip load() {
        return builder().build();
    }

    /**
     * Loads a model on the CPU in fp32: {@code Clip.load("ViT-B/16")}, {@code Clip.load("my-finetuned.pt")}.
     *
     * @param model a released name ({@code "RN50"}, {@code "ViT-B/32"}, ...), a checkpoint file or a Hugging
     *     Face folder
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
     * @param model a checkpoint file or Hugging Face folder, not null
     * @return an open model; close it to free its native memory
     * @throws ClipException if nothing is there or it is not a readable CLIP checkpoint (the message names it)
     */
    public static Clip load(Path model) {
        return builder().model(model).build();
    }

    /** {@return a builder with the defaults: {@value #DEFAULT_MODEL}, CPU, fp32, all cores, batches of 16} */
    public static Builder builder() {
        return new Builder();
    }

    /** {@return the model as it was named (a released name, or a file or folder name), e.g. {@code "ViT-B/32"}} */
    public String modelName() {
        return engine.name();
    }

    /**
     * {@return the tokenizer texts go through, e.g. to count tokens: {@code tokenizer().encode(text).length}} A
     * {@code ClipTokenizer} for OpenAI's models, a {@code BertWordPieceTokenizer} (52 tokens) for Chinese-CLIP's.
     */
    public TextTokenizer tokenizer() {
        return engine.tokenizer();
    }

    /**
     * {@return the tokenizer of {@code model}, found without loading it (nor downloading a released one)}
     *
     * @param model a released name ({@code "cn-clip/ViT-B-16"}), a checkpoint file or a Hugging Face folder
     * @throws io.github.clip4j.hub.UnknownModelException if {@code model} is neither released nor an existing path
     */
    public static TextTokenizer tokenizerFor(String model) {
        return ClipLoader.tokenizerFor(model);
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

    /** {@inheritDoc} Encoded in batches of similar length; the empty text is allowed. */
    @Override
    public List<Embedding> embedTexts(List<String> texts) {
        return ClipEngine.normalized(textFeatures(texts));
    }

    /** {@inheritDoc} Files are decoded on the decode threads while the previous batch is encoded. */
    @Override
    public List<Embedding> embedImages(List<Path> images) {
        return ClipEngine.normalized(imageFeatures(images));
    }

    /**
     * The L2-normalized embedding of an image already in memory (e.g. rendered or received), preprocessed like a
     * file with the same pixels: 8-bit gray images stay gray until after the resize, other types are read as sRGB
     * and any alpha channel is dropped.
     *
     * @param image the image, not null; it is read, not changed
     * @return a unit-length embedding of {@link #dimension()} floats
     */
    public Embedding embedImage(BufferedImage image) {
        return embedBufferedImages(List.of(requireNonNull(image, "image"))).get(0);
    }

    /**
     * The L2-normalized embeddings of images in memory, in order (see {@link #embedImage(BufferedImage)}).
     *
     * @param images the images, not null and without null elements; run in batches of the configured size
     * @return one unit-length embedding per image, in the same order
     */
    public List<Embedding> embedBufferedImages(List<BufferedImage> images) {
        return ClipEngine.normalized(engine.imageFeatures(ClipEngine.ImageSource.ofImages(images)));
    }

    /**
     * The L2-normalized embedding of an encoded image in memory (PNG, JPEG, GIF, BMP or WebP bytes: an upload,
     * an object-store blob, a ZIP entry), decoded and preprocessed exactly like a file with the same bytes.
     *
     * @param image the encoded file, not null; not modified
     * @return a unit-length embedding of {@link #dimension()} floats
     * @throws InvalidImageException if the bytes are not a supported, intact image within the size limits
     */
    public Embedding embedImage(byte[] image) {
        requireNonNull(image, "image");
        return embed(ClipEngine.ImageSource.of(image, "in-memory image (" + image.length + " bytes)"));
    }

    /**
     * Like {@link #embedImage(byte[])}, reading {@code image} to its end (not closing it), e.g. a ZIP entry.
     *
     * @param image the stream, not null
     * @return a unit-length embedding of {@link #dimension()} floats
     * @throws InvalidImageException if the stream cannot be read or holds no supported, intact image
     */
    public Embedding embedImage(InputStream image) {
        requireNonNull(image, "image");
        return embed(ClipEngine.ImageSource.of(image, "image stream"));
    }

    /**
     * The text encoder's raw features (before L2 normalization, like the reference's {@code encode_text}), one
     * row of {@link #dimension()} floats per text; long texts are truncated as by {@code tokenize(..., truncate=True)}.
     *
     * @param texts the texts, not null and without null elements
     * @return a new {@code [texts.size()][dimension()]} array, rows in the order of {@code texts}
     */
    public float[][] textFeatures(List<String> texts) {
        return engine.textFeatures(texts);
    }

    /**
     * The image encoder's raw features (before L2 normalization), one row of {@link #dimension()} floats per
     * image file.
     *
     * @param images the image files, not null and without null elements
     * @return a new {@code [images.size()][dimension()]} array, rows in the order of {@code images}
     * @throws InvalidImageException if a file cannot be decoded (the message names it)
     */
    public float[][] imageFeatures(List<Path> images) {
        return engine.imageFeatures(ClipEngine.ImageSource.ofPaths(images));
    }

    /**
     * The cosine similarity between an image file and a text, in [-1, 1].
     *
     * @param image the image file, not null
     * @param text the text, not null; truncated to the context if too long
     * @return the cosine of the two embeddings; CLIP's cosines are small, typically 0.2 to 0.35 for a good match
     * @throws InvalidImageException if the file cannot be decoded (the message names it)
     */
    public float similarity(Path image, String text) {
        return embedImage(image).dot(embedText(text));
    }

    /**
     * Which of {@code labels} fits the image best, each label put into CLIP's default prompt
     * {@code "a photo of a {}"}; all labels are returned, best first. For other templates, ensembles, top-k or
     * many images, build a {@link #classifier()} once and reuse it.
     *
     * @param image the image file, not null
     * @param labels the candidate labels, e.g. {@code "cat"}, at least one, distinct and not blank
     * @return every label with its probability and score, best first
     * @throws IllegalArgumentException if there are no labels, or one is blank or repeated
     * @throws InvalidImageException if the file cannot be decoded (the message names it)
     */
    public Classification classify(Path image, String... labels) {
        requireNonNull(image, "image");
        return defaultClassifier(labels).classify(image);
    }

    /**
     * Which of {@code labels} fits an image in memory best, like {@link #classify(Path, String...)}; the result
     * has no image path.
     *
     * @param image the image, not null
     * @param labels the candidate labels, at least one, distinct and not blank
     * @return every label with its probability and score, best first
     * @throws IllegalArgumentException if there are no labels, or one is blank or repeated
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
     * ZeroShotClassifier classifier = clip.classifier().labels("cat", "dog", "car")
     *         .templates(PromptTemplates.OPENAI_IMAGENET).build();
     * List<Classification> results = classifier.classify(List.of(path1, path2));
     * }</pre>
     *
     * @return a new classifier builder bound to this {@code Clip}
     */
    public ZeroShotClassifier.Builder classifier() {
        engine.checkOpen();
        return ZeroShotClassifier.builder(this).templates(defaultTemplates());
    }

    /**
     * {@return the templates {@link #classifier()} starts with: {@link PromptTemplates#SEED} for OpenAI's models,
     * {@link PromptTemplates#CHINESE_DEFAULT} for Chinese-CLIP's, whose text tower was trained on Chinese}
     */
    public PromptTemplates defaultTemplates() {
        return engine.isChineseClip() ? PromptTemplates.CHINESE_DEFAULT : PromptTemplates.SEED;
    }

    /** {@return whether {@link #close()} has been called} */
    public boolean isClosed() {
        return engine.isClosed();
    }

    /** Frees the weights and stops the decode threads, after calls in progress finish; idempotent. */
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
        return classifier().labels(labels)
                .templates(engine.isChineseClip() ? PromptTemplates.CHINESE_DEFAULT : DEFAULT_TEMPLATES).build();
    }

    private Embedding embed(ClipEngine.ImageSource image) {
        return Embedding.normalize(engine.imageFeatures(List.of(image))[0]);
    }

    /**
     * Configures and loads a {@link Clip}. Every setter checks its argument at once; {@link #build()} does the
     * work (locating or downloading the model, reading it, copying the weights into libtorch). The last of
     * {@link #model(String)} and {@link #model(Path)} wins. Not thread-safe; each {@code build()} loads a new model.
     *
     * <pre>{@code
     * Clip clip = Clip.builder()
     *         .model(Path.of("checkpoints/ViT-B-32.pt"))
     *         .precision(Precision.BF16).threads(2).batchSize(32)
     *         .build();
     * }</pre>
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
        private ImageDecoding decoding = ImageDecoding.EXACT;
        private ModelCache cache;
        private DownloadListener listener = DownloadListener.NONE;
        private TextTokenizer tokenizer;

        private Builder() {}

        /**
         * @param model a released name ({@code "ViT-B/32"}), or the path of a checkpoint file or Hugging Face
         *     folder; checked by {@link #build()}, whose error lists the released names
         * @return this builder
         * @throws IllegalArgumentException if {@code model} is blank
         */
        public Builder model(String model) {
            if (requireNonNull(model, "model").isBlank()) {
                throw new IllegalArgumentException("model name is blank; use one of the released names such as "
                        + DEFAULT_MODEL + ", a checkpoint file or a Hugging Face folder");
            }
            return source(model, null, null);
        }

        /**
         * @param model a checkpoint file ({@code .pt}, {@code .safetensors}) or a Hugging Face folder; it must
         *     exist when {@link #build()} runs
         * @return this builder
         */
        public Builder model(Path model) {
            return source(null, requireNonNull(model, "model"), null);
        }

        /** Weights already in memory (TinyClip, tests); reached from other clip4j packages through ClipAccess. */
        Builder weights(StateDict stateDict) {
            return source(null, null, requireNonNull(stateDict, "weights"));
        }

        /**
         * @param device where the model runs (default {@link Device#CPU})
         * @return this builder
         */
        public Builder device(Device device) {
            this.device = requireNonNull(device, "device");
            return this;
        }

        /**
         * @param precision what the weights are converted to and computed in (default {@link Precision#FP32},
         *     which matches the reference exactly)
         * @return this builder
         */
        public Builder precision(Precision precision) {
            this.precision = requireNonNull(precision, "precision");
            return this;
        }

        /**
         * The threads one encoder call may use (default: libtorch's choice, all cores). On the CPU a batch of
         * several images or texts is cut into that many slices, each encoded on its own thread; a single image
         * or text uses them inside its operations (its fp32 matrix products on one thread). A process-wide
         * setting: it applies to every model in the process.
         *
         * @param threads at least 1
         * @return this builder
         */
        public Builder threads(int threads) {
            this.threads = ClipEngine.atLeastOne(threads, "threads");
            return this;
        }

        /**
         * @param batchSize images or texts per encoder call (default 16); larger batches are faster per item and
         *     hold more memory ({@code 12 * resolution^2} bytes per image); at least 1
         * @return this builder
         */
        public Builder batchSize(int batchSize) {
            this.batchSize = ClipEngine.atLeastOne(batchSize, "batch size");
            return this;
        }

        /**
         * @param threads threads decoding and preprocessing image files (default: the cores, at most 4); at
         *     least 1; idle ones end after 10 seconds
         * @return this builder
         */
        public Builder decodeThreads(int threads) {
            this.decodeThreads = ClipEngine.atLeastOne(threads, "decode threads");
            return this;
        }

        /**
         * @param decoding {@link ImageDecoding#EXACT} (default: reference parity) or FAST (photo folders; needs OpenCV)
         * @return this builder
         */
        public Builder decoding(ImageDecoding decoding) {
            this.decoding = ClipEngine.checkDecoding(requireNonNull(decoding, "decoding"));
            return this;
        }

        /**
         * @param folder where released models are downloaded to and looked up in (default: {@link ModelCache},
         *     i.e. {@code clip4j.cache}, {@code CLIP4J_CACHE} or {@code ~/.cache/clip})
         * @return this builder
         */
        public Builder cacheFolder(Path folder) {
            this.cache = ModelCache.at(requireNonNull(folder, "folder"));
            return this;
        }

        /**
         * @param listener receives download progress of a released model, on the thread running {@link #build()}
         * @return this builder
         */
        public Builder progress(DownloadListener listener) {
            this.listener = requireNonNull(listener, "listener");
            return this;
        }

        /**
         * @param tokenizer the tokenizer (default: the model family's, with the vocabulary bundled in
         *     clip-tokenizer); its ids must fit the model's vocabulary
         * @return this builder
         */
        public Builder tokenizer(TextTokenizer tokenizer) {
            this.tokenizer = requireNonNull(tokenizer, "tokenizer");
            return this;
        }

        /**
         * Locates (downloading if needed), reads and loads the model.
         *
         * @return an open {@code Clip}; the caller closes it
         * @throws io.github.clip4j.hub.UnknownModelException if the name is neither released nor an existing path
         * @throws CheckpointException if the checkpoint is truncated, corrupt or not a complete CLIP model
         * @throws ClipException if the model cannot be downloaded, or libtorch cannot be loaded
         * @throws IllegalArgumentException if the tokenizer's ids do not fit the model's vocabulary
         */
        public Clip build() {
            long start = System.nanoTime();
            ClipLoader.Loaded loaded = ClipLoader.load(new ClipLoader.Request(modelName, modelPath, weights, device,
                    precision, threads, cache, listener, tokenizer));
            Clip clip = new Clip(new ClipEngine(loaded, batchSize, decodeThreads, decoding));
            LOG.info("loaded {} on {} ({}) in {} ms", loaded.name(), device, precision,
                    (System.nanoTime() - start) / 1_000_000);
            return clip;
        }

        @Override
        public String toString() {
            Object model = weights != null ? weights.source() : modelPath != null ? modelPath : modelName;
            return "Clip.Builder[" + model + ", " + device + ", " + precision + ", batch " + batchSize + "]";
        }

        private Builder source(String name, Path path, StateDict stateDict) {
            this.modelName = name;
            this.modelPath = path;
            this.weights = stateDict;
            return this;
        }
    }
}
