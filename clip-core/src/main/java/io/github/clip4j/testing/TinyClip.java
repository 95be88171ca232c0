package io.github.clip4j.testing;

import static java.util.Objects.requireNonNull;

import io.github.clip4j.Clip;
import io.github.clip4j.tokenizer.ClipTokenizer;
import io.github.clip4j.tokenizer.VocabularyLocator;
import io.github.clip4j.internal.ClipAccess;
import io.github.clip4j.internal.weights.SafetensorsWriter;
import io.github.clip4j.internal.weights.StateDict;
import io.github.clip4j.internal.weights.TorchCheckpointWriter;
import java.nio.file.Path;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real {@link Clip} small enough for unit tests: a Vision Transformer and a text transformer with weights
 * generated from a seed, built in memory in well under a second, with no files and no network.
 *
 * <pre>{@code
 * void searchReturnsEveryPhoto() {                               // a JUnit test of your code
 *     try (Clip clip = TinyClip.create(42)) {                    // same seed, same embeddings
 *         PhotoSearch search = new PhotoSearch(clip);            // your class, given an EmbeddingModel or Clip
 *         search.add(Path.of("src/test/resources/red.png"));
 *         search.add(Path.of("src/test/resources/blue.png"));
 *         assertThat(search.query("red")).hasSize(2);
 *     }
 * }
 * }</pre>
 *
 * <p><b>What it is.</b> The architecture is OpenAI's (the same encoders, preprocessing, tokenizer and facade as a
 * released model) at toy size: {@value #IMAGE_SIZE} px images in {@value #PATCH_SIZE} px patches, width
 * {@value #WIDTH} (one attention head), {@value #VISION_LAYERS} vision and {@value #TEXT_LAYERS} text layers,
 * {@value #EMBED_DIM}-dimensional embeddings, a context of {@value #CONTEXT_LENGTH} tokens and CLIP's vocabulary of
 * {@value #VOCABULARY_SIZE} ids. The weights are random: the model understands nothing, so test plumbing (shapes,
 * normalization, ordering, persistence, concurrency), not accuracy. Every call exercises the real native code.
 *
 * <p><b>Determinism.</b> The weights are a pure function of the seed (a SplitMix64 stream per tensor, independent
 * of the JDK's {@code Random}), so the same seed gives identical weights everywhere and identical embeddings on one
 * machine; across CPUs libtorch may round differently in the last bits. Different seeds give different models.
 *
 * <p><b>Tokenizer.</b> {@link #create(long)} uses CLIP's real tokenizer, {@link ClipTokenizer#load()}, whose
 * vocabulary is bundled in the clip-tokenizer jar: the same ids, and so the same text embeddings, on every machine,
 * with no file to configure.
 *
 * <p>Each {@code Clip} it returns owns about 15 MB of native memory: close it (try-with-resources) or share one
 * per test class.
 */
public final class TinyClip {
    /** The side of the square images the image encoder takes. */
    public static final int IMAGE_SIZE = 32;
    /** The side of the square patches the image is cut into (a 4 x 4 grid). */
    public static final int PATCH_SIZE = 8;
    /** The width of both transformers (one attention head each). */
    public static final int WIDTH = 64;
    /** Residual blocks in the vision transformer. */
    public static final int VISION_LAYERS = 2;
    /** Residual blocks in the text transformer. */
    public static final int TEXT_LAYERS = 1;
    /** The embedding dimension: {@code clip.dimension()}. */
    public static final int EMBED_DIM = 32;
    /** Tokens per text, as in every released model. */
    public static final int CONTEXT_LENGTH = 77;
    /** Token ids the text encoder accepts: CLIP's vocabulary size, so either tokenizer fits. */
    public static final int VOCABULARY_SIZE = 49408;


    private TinyClip() {}

    /**
     * A tiny CLIP with weights generated from {@code seed}, using {@link #tokenizer()}.
     *
     * <pre>{@code
     * try (Clip clip = TinyClip.create(1)) {
     *     Embedding cat = clip.embedText("a cat");     // 32 dimensions, unit length
     * }
     * }</pre>
     *
     * @param seed any value; the same seed gives the same weights, and so the same embeddings, on every machine
     * @return an open model (a few megabytes of native memory); close it
     * @throws io.github.clip4j.common.ClipException if libtorch cannot be loaded, or {@code clip4j.bpe} /
     *     {@code CLIP4J_BPE} names a file that does not exist
     */
    public static Clip create(long seed) {
        return create(seed, tokenizer());
    }

    /**
     * A tiny CLIP with weights generated from {@code seed} and the given tokenizer (its ids must be below
     * {@value #VOCABULARY_SIZE}).
     *
     * <pre>{@code
     * Clip custom = TinyClip.create(7, ClipTokenizer.load(Path.of("bpe_simple_vocab_16e6.txt.gz")));
     * }</pre>
     *
     * @param seed any value; the same seed gives the same weights
     * @param tokenizer the tokenizer, not null
     * @return an open model; close it
     * @throws IllegalArgumentException if the tokenizer's vocabulary is larger than {@value #VOCABULARY_SIZE}
     */
    public static Clip create(long seed, ClipTokenizer tokenizer) {
        requireNonNull(tokenizer, "tokenizer");
        return ClipAccess.builder(weights(seed)).tokenizer(tokenizer).build();
    }

    /**
     * Writes the weights {@link #create(long)} loads to a checkpoint file, with OpenAI's parameter names in
     * float32: for tests of code that loads, converts or caches checkpoint files.
     *
     * <pre>{@code
     * Path file = TinyClip.writeCheckpoint(3, dir.resolve("tiny.safetensors"));
     * Clip fromFile = Clip.load(file);     // the same model as TinyClip.create(3)
     * }</pre>
     *
     * @param seed any value; the same seed gives the same values
     * @param file a {@code .safetensors} or {@code .pt} path in an existing folder; replaced atomically if present
     * @return {@code file}
     * @throws io.github.clip4j.CheckpointException if the file cannot be written
     * @throws IllegalArgumentException if the extension is neither {@code .safetensors} nor {@code .pt}
     */
    public static Path writeCheckpoint(long seed, Path file) {
        requireNonNull(file, "file");
        String name = file.getFileName().toString().toLowerCase(java.util.Locale.ROOT);
        if (name.endsWith(".safetensors")) {
            SafetensorsWriter.write(weights(seed), file, java.util.Map.of());
        } else if (name.endsWith(".pt") || name.endsWith(".pth")) {
            TorchCheckpointWriter.write(weights(seed), file);
        } else {
            throw new IllegalArgumentException("cannot tell the checkpoint format of " + file
                    + ": name it .safetensors or .pt");
        }
        return file;
    }

    /** The weights {@link #create(long)} loads. */
    static StateDict weights(long seed) {
        return TinyWeights.generate(seed, "TinyClip(seed=" + seed + ")");
    }

    /**
     * CLIP's tokenizer, {@link ClipTokenizer#load()} (the vocabulary bundled in the clip-tokenizer jar, unless
     * {@code clip4j.bpe} or {@code CLIP4J_BPE} names another copy). Loaded once per JVM.
     *
     * @return the shared tokenizer
     * @throws io.github.clip4j.tokenizer.VocabularyException if {@code clip4j.bpe} or {@code CLIP4J_BPE} names a
     *     file that does not exist, or the clip-tokenizer jar was built without its bundled vocabulary
     */
    public static ClipTokenizer tokenizer() {
        return DefaultTokenizer.INSTANCE;
    }

    private static final class DefaultTokenizer {
        static final ClipTokenizer INSTANCE = ClipTokenizer.load();
    }
}
