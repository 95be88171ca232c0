package io.github.clip4j;

import io.github.clip4j.internal.image.InMemoryImages;
import static java.util.Objects.requireNonNull;

import io.github.clip4j.common.ClipException;
import io.github.clip4j.download.DownloadListener;
import io.github.clip4j.hub.ModelCache;
import io.github.clip4j.internal.ClipAccess;
import io.github.clip4j.internal.loading.ClipLoader;
import io.github.clip4j.internal.hub.ModelLocator;
import io.github.clip4j.internal.hub.ModelSource;
import io.github.clip4j.internal.image.ClipPreprocessor;
import io.github.clip4j.internal.image.DecodedImage;
import io.github.clip4j.internal.image.ImageDecoder;
import io.github.clip4j.InvalidImageException;
import io.github.clip4j.internal.model.ClipModel;
import io.github.clip4j.Device;
import io.github.clip4j.internal.runtime.NativeRuntime;
import io.github.clip4j.Precision;
import io.github.clip4j.tokenizer.ClipTokenizer;
import io.github.clip4j.tokenizer.TextTokenizer;
import io.github.clip4j.internal.weights.CheckpointReader;
import io.github.clip4j.internal.weights.HostTensor;
import io.github.clip4j.internal.weights.HuggingFaceReader;
import io.github.clip4j.internal.weights.PreprocessorConfig;
import io.github.clip4j.internal.weights.StateDict;
import io.github.clip4j.zeroshot.Classification;
import io.github.clip4j.zeroshot.PromptTemplates;
import io.github.clip4j.zeroshot.ZeroShotClassifier;
import java.awt.image.BufferedImage;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Supplier;
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
    /**
     * The template {@link #classify(Path, String...)} puts each label in for OpenAI's models: CLIP's own default
     * prompt. (Chinese-CLIP's models use {@link PromptTemplates#CHINESE_DEFAULT}.)
     */
    public static final PromptTemplates DEFAULT_TEMPLATES = PromptTemplates.of("a photo of a {}");

    private static final Logger LOG = LoggerFactory.getLogger(Clip.class);
    private static final AtomicInteger DECODER_THREADS = new AtomicInteger();

    static {
        ClipAccess.register(new ClipAccess.Accessor() {
            @Override
            public ClipModel model(Clip clip) {
                return clip.model;
            }

            @Override
            public ClipPreprocessor preprocessor(Clip clip) {
                return clip.preprocessor;
            }

            @Override
            public Builder weights(Builder builder, StateDict weights) {
                return builder.weights(weights);
            }
        });
    }

    private final ClipModel model;
    private final TextTokenizer tokenizer;
    private final ClipPreprocessor preprocessor;
    private final String modelName;
    private final String modelId;
    private volatile float lastLogitScale;
    private final int dimension;
    private final int batchSize;
    private final ThreadPoolExecutor decoders;
    /** Encoder calls hold the read lock; {@link #close()} takes the write lock, so it never frees weights in use. */
    private final ReentrantReadWriteLock lifecycle = new ReentrantReadWriteLock();
    private volatile boolean closed;

    private Clip(ClipModel model, TextTokenizer tokenizer, ClipPreprocessor preprocessor, String modelName,
                 String modelId, int batchSize, int decodeThreads) {
        this.model = model;
        this.tokenizer = tokenizer;
        this.preprocessor = preprocessor;
        this.modelName = modelName;
        this.modelId = modelId;
        this.lastLogitScale = model.logitScale();
        this.dimension = model.embedDim();
        this.batchSize = batchSize;
        // Idle decoding threads end after a while, so a Clip that is never closed does not pin threads forever.
        this.decoders = new ThreadPoolExecutor(decodeThreads, decodeThreads, 10, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), r -> {
                    Thread t = new Thread(r, "clip4j-decode-" + DECODER_THREADS.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        this.decoders.allowCoreThreadTimeOut(true);
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
        return modelName;
    }

    /**
     * {@return the tokenizer texts go through} For example, to count tokens:
     * {@code clip.tokenizer().encode(text).length}. A {@link ClipTokenizer} for OpenAI's models, a
     * {@link io.github.clip4j.tokenizer.BertWordPieceTokenizer} (52 tokens, always truncating) for Chinese-CLIP's.
     * Thread-safe, and usable after {@link #close()}.
     */
    public TextTokenizer tokenizer() {
        return tokenizer;
    }

    /**
     * The tokenizer a model takes, without loading the model (nor downloading a released one): what
     * {@code clip tokenize --model M} uses.
     *
     * <pre>{@code
     * TextTokenizer cn = Clip.tokenizerFor("cn-clip/ViT-B-16");   // BertWordPieceTokenizer, contextLength() 52
     * }</pre>
     *
     * @param model a released name, a checkpoint file or a Hugging Face folder; not null
     * @return Chinese-CLIP's WordPiece tokenizer for a Chinese-CLIP model, else CLIP's BPE tokenizer
     * @throws io.github.clip4j.hub.UnknownModelException if {@code model} is neither a released name nor an existing
     *     path
     * @throws CheckpointException if the checkpoint file cannot be read
     */
    public static TextTokenizer tokenizerFor(String model) {
        return ClipLoader.tokenizerFor(model);
    }

    /** {@inheritDoc} For example {@code "ViT-B/32#3f2a...."}: the name and a fingerprint of the weights. */
    @Override
    public String modelId() {
        return modelId;
    }

    /** {@inheritDoc} */
    @Override
    public int dimension() {
        return dimension;
    }

    /** {@inheritDoc} */
    @Override
    public float logitScale() {
        // Read from the model while it is open (fine-tuning changes it); after close(), the last value read.
        lifecycle.readLock().lock();
        try {
            if (!closed) {
                lastLogitScale = model.logitScale();
            }
            return lastLogitScale;
        } finally {
            lifecycle.readLock().unlock();
        }
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
        List<ImageInput> inputs = new ArrayList<>(images.size());
        for (int i = 0; i < images.size(); i++) {
            BufferedImage image = requireNonNull(images.get(i), "images[" + i + "]");
            String name = "in-memory image " + i + " (" + image.getWidth() + "x" + image.getHeight() + ")";
            inputs.add(new ImageInput(name, () -> InMemoryImages.toDecoded(image)));
        }
        return normalizeAll(features(inputs));
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
        checkOpen();
        if (texts.isEmpty()) {
            return new float[0][];
        }
        int[][] tokens = tokenizer.tokenize(texts, model.contextLength(), true);
        // The model groups texts of similar length into batches: short prompts are not padded to long ones.
        return whileOpen(() -> model.encodeTexts(tokens, batchSize));
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
        List<ImageInput> inputs = new ArrayList<>(images.size());
        for (int i = 0; i < images.size(); i++) {
            Path path = requireNonNull(images.get(i), "images[" + i + "]");
            inputs.add(new ImageInput(path.toString(), () -> ImageDecoder.decode(path)));
        }
        return features(inputs);
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
     * <p>The builder starts with {@link #defaultTemplates()}: {@link PromptTemplates#SEED} for OpenAI's models,
     * {@link PromptTemplates#CHINESE_DEFAULT} ({@code {}的照片。}) for Chinese-CLIP's.
     *
     * @return a new classifier builder bound to this {@code Clip}
     * @throws ClipClosedException if this {@code Clip} is closed
     */
    public ZeroShotClassifier.Builder classifier() {
        checkOpen();
        return ZeroShotClassifier.builder(this).templates(defaultTemplates());
    }

    /**
     * {@return the prompt templates this model's labels go into unless others are given} English photo captions
     * ({@link PromptTemplates#SEED}) for OpenAI's models, {@link PromptTemplates#CHINESE_DEFAULT}
     * ({@code {}的照片。}) for Chinese-CLIP's, whose text tower was trained on Chinese.
     */
    public PromptTemplates defaultTemplates() {
        return isChineseClip() ? PromptTemplates.CHINESE_DEFAULT : PromptTemplates.SEED;
    }

    private boolean isChineseClip() {
        return tokenizer instanceof io.github.clip4j.tokenizer.BertWordPieceTokenizer;
    }

    /** {@return whether {@link #close()} has been called} */
    public boolean isClosed() {
        return closed;
    }

    /**
     * Frees the model's native memory and stops the decoding threads. Waits for the encoder batches in progress
     * on other threads to finish; later calls fail with {@link ClipClosedException}. Idempotent.
     */
    @Override
    public void close() {
        Lock lock = lifecycle.writeLock();
        lock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            // Running decodes finish undisturbed (an interrupt would turn into a misleading read error); queued
            // ones will never run: cancel them so that no caller waits for them forever.
            decoders.shutdown();
            List<Runnable> queued = new ArrayList<>();
            decoders.getQueue().drainTo(queued);
            for (Runnable job : queued) {
                if (job instanceof Future<?> future) {
                    future.cancel(false);
                }
            }
            model.close();
            LOG.debug("closed {}", modelName);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public String toString() {
        return "Clip[" + modelName + ", " + model.config() + ", " + model.device() + ", " + model.precision()
                + (closed ? ", closed" : "") + "]";
    }

    private ZeroShotClassifier defaultClassifier(String... labels) {
        return classifier().labels(labels).templates(isChineseClip() ? PromptTemplates.CHINESE_DEFAULT
                : DEFAULT_TEMPLATES).build();
    }

    private void checkOpen() {
        if (closed) {
            throw closedException();
        }
    }

    private ClipClosedException closedException() {
        return new ClipClosedException("this Clip (" + modelName + ") is closed; its weights were freed by close()."
                + " Keep it open while embedding, or load a new one");
    }

    /** Runs {@code work} on the native model, which close() cannot free meanwhile. */
    private <T> T whileOpen(Supplier<T> work) {
        Lock lock = lifecycle.readLock();
        lock.lock();
        try {
            checkOpen();
            return work.get();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Encodes images batch by batch; batch {@code k + 1} is decoded on the pool while batch {@code k} runs
     * through the encoder, so decoding and inference overlap.
     */
    private float[][] features(List<ImageInput> inputs) {
        checkOpen();
        float[][] out = new float[inputs.size()][];
        DecodingBatch next = inputs.isEmpty() ? null : startDecoding(inputs, 0);
        try {
            for (int start = 0; start < inputs.size(); start += batchSize) {
                DecodingBatch current = next;
                int following = start + batchSize;
                next = following < inputs.size() ? startDecoding(inputs, following) : null;
                FloatBuffer pixels = current.await();
                float[][] features = whileOpen(() -> model.encodeImages(pixels, current.count()));
                System.arraycopy(features, 0, out, start, features.length);
            }
        } finally {
            if (next != null) {
                next.cancel();
            }
        }
        return out;
    }

    private DecodingBatch startDecoding(List<ImageInput> inputs, int start) {
        int count = Math.min(batchSize, inputs.size() - start);
        int pixelCount = preprocessor.pixelCount();
        // Decoded straight into native memory that libtorch reads in place: no copy of the batch.
        FloatBuffer pixels = ByteBuffer.allocateDirect(Math.multiplyExact(count * pixelCount, Float.BYTES))
                .order(ByteOrder.nativeOrder()).asFloatBuffer();
        List<Future<?>> jobs = new ArrayList<>(count);
        try {
            for (int i = 0; i < count; i++) {
                ImageInput input = inputs.get(start + i);
                int offset = i * pixelCount;
                jobs.add(decoders.submit(() -> input.preprocess(preprocessor, pixels, offset)));
            }
        } catch (RejectedExecutionException e) {
            jobs.forEach(job -> job.cancel(false));
            throw closedException();
        }
        return new DecodingBatch(pixels, count, jobs);
    }

    private static List<Embedding> normalizeAll(float[][] features) {
        List<Embedding> out = new ArrayList<>(features.length);
        for (float[] row : features) {
            out.add(Embedding.normalize(row));
        }
        return out;
    }

    /** An image to decode, and the name its errors mention. */
    private record ImageInput(String name, Supplier<DecodedImage> decoder) {
        void preprocess(ClipPreprocessor preprocessor, FloatBuffer dst, int offset) {
            try {
                preprocessor.pixels(decoder.get(), dst, offset);
            } catch (ClipException e) {
                throw e;
            } catch (RuntimeException e) {
                throw new InvalidImageException("Cannot preprocess " + name + ": " + e, e);
            }
        }
    }

    /** One batch's pixels, filled in by decoding jobs on the pool. */
    private final class DecodingBatch {
        private final FloatBuffer pixels;
        private final int count;
        private final List<Future<?>> jobs;

        DecodingBatch(FloatBuffer pixels, int count, List<Future<?>> jobs) {
            this.pixels = pixels;
            this.count = count;
            this.jobs = jobs;
        }

        int count() {
            return count;
        }

        /** The pixels once every job is done; the first failure (in input order) is rethrown as it was. */
        FloatBuffer await() {
            try {
                for (Future<?> job : jobs) {
                    job.get();
                }
                return pixels;
            } catch (ExecutionException e) {
                cancel();
                if (closed) {
                    throw closedException();
                }
                Throwable cause = e.getCause();
                if (cause instanceof RuntimeException r) {
                    throw r;
                }
                if (cause instanceof Error error) {
                    throw error;
                }
                throw new ClipException("image decoding failed: " + cause, cause);
            } catch (CancellationException e) {
                cancel();
                throw closedException();
            } catch (InterruptedException e) {
                cancel();
                Thread.currentThread().interrupt();
                throw new ClipException("interrupted while decoding images for " + modelName, e);
            }
        }

        void cancel() {
            jobs.forEach(job -> job.cancel(false));
        }
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
        private TextTokenizer tokenizer;

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
         * The tokenizer to use (default: the model family's, with the vocabulary bundled in the clip-tokenizer jar:
         * {@link ClipTokenizer#load()} for OpenAI's models, {@code BertWordPieceTokenizer.load()} for
         * Chinese-CLIP's). Its ids must fit the model's vocabulary.
         *
         * @param tokenizer the tokenizer, not null, e.g. {@code ClipTokenizer.load(path)} for another copy of the file
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
            try {
                Clip clip = new Clip(loaded.model(), loaded.tokenizer(), loaded.preprocessor(), loaded.name(),
                        loaded.id(), batchSize, decodeThreads);
                LOG.info("loaded {} on {} ({}) in {} ms", loaded.name(), device, precision,
                        (System.nanoTime() - start) / 1_000_000);
                return clip;
            } catch (RuntimeException | Error e) {
                loaded.model().close();
                throw e;
            }
        }

        @Override
        public String toString() {
            Object model = weights != null ? weights.source() : modelPath != null ? modelPath : modelName;
            return "Clip.Builder[" + model + ", " + device + ", " + precision + ", batch " + batchSize + "]";
        }
    }
}
