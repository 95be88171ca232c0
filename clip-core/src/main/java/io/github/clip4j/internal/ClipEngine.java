package io.github.clip4j.internal;

import static java.util.Objects.requireNonNull;

import io.github.clip4j.ClipClosedException;
import io.github.clip4j.Embedding;
import io.github.clip4j.ImageDecoding;
import io.github.clip4j.common.ClipException;
import io.github.clip4j.internal.image.ClipPreprocessor;
import io.github.clip4j.internal.image.DecodedImage;
import io.github.clip4j.internal.image.FastJpegDecoder;
import io.github.clip4j.internal.image.ImageDecoder;
import io.github.clip4j.internal.image.InMemoryImages;
import io.github.clip4j.internal.loading.ClipLoader;
import io.github.clip4j.internal.model.ClipModel;
import io.github.clip4j.internal.pipeline.DecodePipeline;
import io.github.clip4j.internal.pipeline.DecodedBatch;
import io.github.clip4j.internal.pipeline.ItemDecoder;
import io.github.clip4j.tokenizer.BertWordPieceTokenizer;
import io.github.clip4j.tokenizer.TextTokenizer;
import java.awt.image.BufferedImage;
import java.io.InputStream;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.IntFunction;
import java.util.function.Supplier;

/**
 * What a {@code Clip} runs: the loaded model, its tokenizer and image transform, the decode-ahead pipeline, and
 * the lock that keeps {@link #close()} from freeing weights an encoder call is using. The public facade validates
 * arguments, normalizes and documents; this class encodes.
 *
 * <p>Thread-safe. Encoder calls hold the read lock; {@code close()} takes the write lock.
 */
public final class ClipEngine implements AutoCloseable {
    private final ClipModel model;
    private final TextTokenizer tokenizer;
    private final ClipPreprocessor preprocessor;
    private final String name;
    private final String id;
    private final int batchSize;
    /** The model's resolution when large JPEGs are decoded at a reduced size (ImageDecoding.FAST), else 0. */
    private final int draftSize;
    /** Decodes batch k + 1 while batch k runs through the encoder; one batch ahead keeps memory small. */
    private final DecodePipeline decoders;
    private final ReentrantReadWriteLock lifecycle = new ReentrantReadWriteLock();
    private volatile boolean closed;
    private volatile float lastLogitScale;

    /**
     * Takes ownership of a loaded model.
     *
     * @param loaded what {@link ClipLoader} loaded; closed by {@link #close()}
     * @param batchSize items per encoder call, at least 1
     * @param decodeThreads threads decoding image files, at least 1
     * @param decoding how image files are decoded (see {@link #checkDecoding})
     */
    public ClipEngine(ClipLoader.Loaded loaded, int batchSize, int decodeThreads, ImageDecoding decoding) {
        this.draftSize = decoding == ImageDecoding.FAST ? loaded.preprocessor().size() : 0;
        this.model = loaded.model();
        this.tokenizer = loaded.tokenizer();
        this.preprocessor = loaded.preprocessor();
        this.name = loaded.name();
        this.id = loaded.id();
        this.batchSize = batchSize;
        this.lastLogitScale = model.logitScale();
        this.decoders = new DecodePipeline(decodeThreads, 1, DecodePipeline.OnFailure.FAIL);
    }

    /**
     * {@return {@code value}} (a builder setting that must be positive)
     *
     * @param value the setting
     * @param what its name in the message
     * @throws IllegalArgumentException if {@code value < 1}
     */
    public static int atLeastOne(int value, String what) {
        if (value < 1) {
            throw new IllegalArgumentException(what + " must be at least 1, got " + value);
        }
        return value;
    }

    /**
     * Checks that a decoding mode can run here: {@code FAST} needs OpenCV, an optional dependency.
     *
     * @param decoding the mode
     * @return {@code decoding}
     * @throws io.github.clip4j.common.ClipException if {@code FAST} is asked for and OpenCV cannot be loaded (the
     *     message names the artifacts to add)
     */
    public static ImageDecoding checkDecoding(ImageDecoding decoding) {
        if (decoding == ImageDecoding.FAST) {
            FastJpegDecoder.requireAvailable();
        }
        return decoding;
    }

    /**
     * An image to decode, and the name its errors mention.
     *
     * @param name what errors call it
     * @param decoder decodes it, given the engine's draft size (0: exact; else large JPEGs may be reduced)
     */
    public record ImageSource(String name, IntFunction<DecodedImage> decoder) {
        /**
         * {@return an image file}
         *
         * @param path the file
         */
        public static ImageSource of(Path path) {
            return new ImageSource(path.toString(), draft -> ImageDecoder.decode(path, draft));
        }

        /**
         * {@return an image in memory, read as a file with the same pixels would be}
         *
         * @param image the image
         * @param index its position in the caller's list, for messages
         */
        public static ImageSource of(BufferedImage image, int index) {
            return new ImageSource("in-memory image " + index + " (" + image.getWidth() + "x" + image.getHeight()
                    + ")", draft -> InMemoryImages.toDecoded(image));
        }

        /**
         * {@return an encoded image (PNG, JPEG, ...) in memory}
         *
         * @param bytes the file's bytes; not copied, so the caller must not change them during the call
         * @param name what messages call it
         */
        public static ImageSource of(byte[] bytes, String name) {
            return new ImageSource(name, draft -> ImageDecoder.decode(bytes, name, draft));
        }

        /**
         * {@return an encoded image read from a stream when it is decoded}
         *
         * @param in the stream; read to its end, not closed
         * @param name what messages call it
         */
        public static ImageSource of(InputStream in, String name) {
            return new ImageSource(name, draft -> ImageDecoder.decode(in, name, draft));
        }

        /**
         * {@return image files, checked for nulls}
         *
         * @param paths the files
         */
        public static List<ImageSource> ofPaths(List<Path> paths) {
            requireNonNull(paths, "images");
            List<ImageSource> sources = new ArrayList<>(paths.size());
            for (int i = 0; i < paths.size(); i++) {
                sources.add(of(requireNonNull(paths.get(i), "images[" + i + "]")));
            }
            return sources;
        }

        /**
         * {@return images in memory, checked for nulls}
         *
         * @param images the images
         */
        public static List<ImageSource> ofImages(List<BufferedImage> images) {
            requireNonNull(images, "images");
            List<ImageSource> sources = new ArrayList<>(images.size());
            for (int i = 0; i < images.size(); i++) {
                sources.add(of(requireNonNull(images.get(i), "images[" + i + "]"), i));
            }
            return sources;
        }
    }

    /**
     * {@return each row L2-normalized}
     *
     * @param features raw features
     */
    public static List<Embedding> normalized(float[][] features) {
        List<Embedding> out = new ArrayList<>(features.length);
        for (float[] row : features) {
            out.add(Embedding.normalize(row));
        }
        return out;
    }

    /** {@return the model; owned by this engine} */
    public ClipModel model() {
        return model;
    }

    /** {@return the tokenizer texts go through} */
    public TextTokenizer tokenizer() {
        return tokenizer;
    }

    /** {@return whether this is a Chinese-CLIP model (a BERT text tower, WordPiece tokens)} */
    public boolean isChineseClip() {
        return tokenizer instanceof BertWordPieceTokenizer;
    }

    /** {@return the image transform} */
    public ClipPreprocessor preprocessor() {
        return preprocessor;
    }

    /** {@return the model's name as the user gave it} */
    public String name() {
        return name;
    }

    /** {@return the name and a fingerprint of the weights} */
    public String id() {
        return id;
    }

    /** {@return the embedding dimension} */
    public int dimension() {
        return model.embedDim();
    }

    /** {@return {@code exp(logit_scale)}, read from the model while open (fine-tuning changes it)} */
    public float logitScale() {
        Lock lock = lifecycle.readLock();
        lock.lock();
        try {
            if (!closed) {
                lastLogitScale = model.logitScale();
            }
            return lastLogitScale;
        } finally {
            lock.unlock();
        }
    }

    /**
     * The text encoder's raw features; texts longer than the context are truncated like the reference's
     * {@code tokenize(..., truncate=True)}.
     *
     * @param texts the texts, without nulls
     * @return one row per text
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
        float[][] features = whileOpen(() -> model.encodeTexts(tokens, batchSize));
        for (int i = 0; i < features.length; i++) {
            requireFinite(features[i], "text " + i + " (\"" + abbreviate(texts.get(i)) + "\")");
        }
        return features;
    }

    /**
     * The image encoder's raw features, batch by batch; batch {@code k + 1} is decoded on the pool while batch
     * {@code k} runs through the encoder. The first undecodable input (in input order) fails the call.
     *
     * @param inputs the images
     * @return one row per image
     */
    public float[][] imageFeatures(List<ImageSource> inputs) {
        checkOpen();
        float[][] out = new float[inputs.size()][];
        try (DecodePipeline.Batches<ImageSource> batches = decoders.stream(DecodePipeline.partition(inputs, batchSize),
                preprocessor.pixelCount(), new Sources(preprocessor, draftSize))) {
            int start = 0;
            while (batches.hasNext()) {
                DecodedBatch<ImageSource> batch = batches.next();
                float[][] features = whileOpen(() -> model.encodeImages(batch.pixels(), batch.count()));
                for (int i = 0; i < features.length; i++) {
                    requireFinite(features[i], inputs.get(start + i).name());
                }
                System.arraycopy(features, 0, out, start, features.length);
                start += features.length;
            }
        } catch (CancellationException e) {
            throw closedException();
        } catch (RuntimeException e) {
            // A decode that failed because close() pulled the pool away is not the input's fault.
            if (closed) {
                throw closedException();
            }
            throw e;
        }
        return out;
    }

    /** @throws ClipClosedException if {@link #close()} has been called */
    public void checkOpen() {
        if (closed) {
            throw closedException();
        }
    }

    /** {@return whether {@link #close()} has been called} */
    public boolean isClosed() {
        return closed;
    }

    /** Waits for encoder calls in progress, then frees the model and stops the decoding threads. Idempotent. */
    @Override
    public void close() {
        Lock lock = lifecycle.writeLock();
        lock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            // Running decodes finish undisturbed; queued ones are cancelled so that no caller waits for them.
            decoders.close();
            model.close();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public String toString() {
        return name + ", " + model.config() + ", " + model.device() + ", " + model.precision()
                + (closed ? ", closed" : "");
    }

    /** NaN or infinite features mean broken weights: say so, naming the input, before anyone normalizes them. */
    private void requireFinite(float[] row, String input) {
        for (float v : row) {
            if (!Float.isFinite(v)) {
                throw new ClipException("model " + name + " produced non-finite features (" + v + ") for " + input
                        + ": its weights hold NaN or infinite values (a broken checkpoint); check or re-download it");
            }
        }
    }

    private static String abbreviate(String text) {
        return text.length() <= 40 ? text : text.substring(0, 40) + "...";
    }

    private ClipClosedException closedException() {
        return new ClipClosedException("this Clip (" + name + ") is closed; its weights were freed by close()."
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

    /** Decodes and preprocesses {@link ImageSource}s into a batch buffer (the pipeline names failed inputs). */
    private record Sources(ClipPreprocessor preprocessor, int draftSize) implements ItemDecoder<ImageSource> {
        Sources {
            requireNonNull(preprocessor, "preprocessor");
        }

        @Override
        public void decode(ImageSource input, FloatBuffer dst, int offset) {
            preprocessor.pixels(input.decoder().apply(draftSize), dst, offset);
        }

        @Override
        public String name(ImageSource input) {
            return input.name();
        }
    }
}
