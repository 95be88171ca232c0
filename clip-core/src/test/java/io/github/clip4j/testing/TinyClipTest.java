package io.github.clip4j.testing;

import io.github.clip4j.internal.ClipAccess;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.offset;

import io.github.clip4j.Clip;
import io.github.clip4j.ClipClosedException;
import io.github.clip4j.Embedding;
import io.github.clip4j.InvalidImageException;
import io.github.clip4j.internal.model.ModelConfig;
import io.github.clip4j.testsupport.Fixtures;
import io.github.clip4j.tokenizer.BpeVocabulary;
import io.github.clip4j.tokenizer.ClipTokenizer;
import io.github.clip4j.tokenizer.VocabularyLocator;
import io.github.clip4j.internal.weights.HostTensor;
import io.github.clip4j.internal.weights.SafetensorsWriter;
import io.github.clip4j.internal.weights.StateDict;
import io.github.clip4j.zeroshot.Classification;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TinyClipTest {
    private static final List<String> TEXTS = List.of("a photo of a cat", "a red square", "", "一只猫",
            "a very long caption ".repeat(20));

    private static Clip clip;

    @TempDir
    Path dir;

    @BeforeAll
    static void create() {
        clip = TinyClip.create(42, TinyClip.tokenizer());
    }

    @AfterAll
    static void close() {
        clip.close();
    }

    @Test
    void hasTheDocumentedShape() {
        ModelConfig config = ClipAccess.model(clip).config();
        assertThat(config.isVisionTransformer()).isTrue();
        assertThat(config.embedDim()).isEqualTo(TinyClip.EMBED_DIM).isEqualTo(clip.dimension());
        assertThat(config.imageResolution()).isEqualTo(TinyClip.IMAGE_SIZE).isEqualTo(ClipAccess.preprocessor(clip).size());
        assertThat(config.visionPatchSize()).isEqualTo(TinyClip.PATCH_SIZE);
        assertThat(config.visionWidth()).isEqualTo(TinyClip.WIDTH);
        assertThat(config.transformerWidth()).isEqualTo(TinyClip.WIDTH);
        assertThat(config.visionLayers()).containsExactly(TinyClip.VISION_LAYERS);
        assertThat(config.transformerLayers()).isEqualTo(TinyClip.TEXT_LAYERS);
        assertThat(config.contextLength()).isEqualTo(TinyClip.CONTEXT_LENGTH);
        assertThat(config.vocabSize()).isEqualTo(TinyClip.VOCABULARY_SIZE);
        assertThat(clip.logitScale()).isCloseTo(1 / 0.07f, offset(1e-3f));
        assertThat(clip.modelName()).isEqualTo("TinyClip(seed=42)");
    }

    @Test
    void embeddingsAreUnitVectorsAndDistinct() {
        List<Embedding> texts = clip.embedTexts(TEXTS);
        List<Embedding> images = clip.embedBufferedImages(List.of(square(Color.RED), square(Color.BLUE),
                noise(1, 50, 70), noise(2, 20, 20)));
        List<Embedding> all = new ArrayList<>(texts);
        all.addAll(images);
        for (int i = 0; i < all.size(); i++) {
            assertThat(all.get(i).dimension()).isEqualTo(TinyClip.EMBED_DIM);
            assertThat(all.get(i).dot(all.get(i))).as("squared norm %d", i).isCloseTo(1f, offset(1e-5f));
            for (int j = 0; j < i; j++) {
                assertThat(all.get(i).dot(all.get(j))).as("cosine %d, %d", i, j).isLessThan(0.9999f);
            }
        }
        // Alone, the text runs over fewer positions than in the batch (the text tower stops at the batch's longest
        // text): the same embedding up to float rounding.
        float[][] raw = clip.textFeatures(TEXTS.subList(0, 1));
        assertThat(Embedding.normalize(raw[0]).dot(texts.get(0))).isCloseTo(1f, offset(1e-6f));
    }

    @Test
    void theSameSeedGivesTheSameModelAndAnotherSeedAnother() {
        StateDict a = TinyClip.weights(42);
        StateDict b = TinyClip.weights(42);
        StateDict c = TinyClip.weights(43);
        assertThat(a.names()).isEqualTo(c.names());
        for (String name : a.names()) {
            assertThat(a.get(name).toFloatArray()).as(name).isEqualTo(b.get(name).toFloatArray());
        }
        assertThat(a.get("visual.proj").toFloatArray()).isNotEqualTo(c.get("visual.proj").toFloatArray());

        BufferedImage image = noise(3, 40, 30);
        try (Clip again = TinyClip.create(42, TinyClip.tokenizer());
             Clip other = TinyClip.create(43, TinyClip.tokenizer())) {
            assertThat(again.embedTexts(TEXTS)).isEqualTo(clip.embedTexts(TEXTS));
            assertThat(again.embedImage(image)).isEqualTo(clip.embedImage(image));
            assertThat(again.modelId()).isEqualTo(clip.modelId());
            assertThat(other.embedImage(image)).isNotEqualTo(clip.embedImage(image));
            assertThat(other.embedText("a cat")).isNotEqualTo(clip.embedText("a cat"));
            assertThat(other.modelId()).isNotEqualTo(clip.modelId());
        }
    }

    @Test
    void theWeightsLoadFromAFileLikeFromMemory() {
        Path file = dir.resolve("tiny.safetensors");
        SafetensorsWriter.write(TinyClip.weights(42), file, Map.of());
        BufferedImage image = noise(4, 33, 33);
        try (Clip fromFile = Clip.builder().model(file).tokenizer(TinyClip.tokenizer()).build()) {
            assertThat(fromFile.embedTexts(TEXTS)).isEqualTo(clip.embedTexts(TEXTS));
            assertThat(fromFile.embedImage(image)).isEqualTo(clip.embedImage(image));
        }
    }

    @Test
    void usesClipsBundledTokenizerWithNothingConfigured() {
        ClipTokenizer tokenizer = TinyClip.tokenizer();
        assertThat(TinyClip.tokenizer()).isSameAs(tokenizer);
        assertThat(tokenizer.vocabulary().size()).isEqualTo(ClipTokenizer.VOCABULARY_SIZE);
        assertThat(tokenizer.vocabulary().source()).startsWith("bundled ");
        ClipTokenizer reference = ClipTokenizer.load(Fixtures.bpeVocabulary());
        for (String text : TEXTS) {
            assertThat(tokenizer.tokenize(List.of(text), 77, true)).isEqualTo(reference.tokenize(List.of(text), 77, true));
        }
    }

    @Test
    void anotherTokenizerChangesTextEmbeddingsOnly() {
        ClipTokenizer bytes = ClipTokenizer.of(BpeVocabulary.byteLevel());
        BufferedImage image = noise(5, 64, 48);
        try (Clip withByteIds = TinyClip.create(42, bytes)) {
            assertThat(withByteIds.embedImage(image)).isEqualTo(clip.embedImage(image));
            assertThat(withByteIds.embedText("a photo of a cat")).isNotEqualTo(clip.embedText("a photo of a cat"));
            assertThat(withByteIds.embedTexts(TEXTS)).hasSize(TEXTS.size());
        }
    }

    @Test
    void isSafeToShareBetweenThreads() throws Exception {
        List<BufferedImage> images = List.of(noise(6, 32, 32), noise(7, 100, 20), square(Color.GREEN));
        List<Embedding> expectedImages = clip.embedBufferedImages(images);
        List<Embedding> expectedTexts = clip.embedTexts(TEXTS);
        Classification expectedClass = clip.classify(images.get(0), "red", "green", "blue");
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<?>> runs = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                runs.add(pool.submit(() -> {
                    start.await();
                    for (int i = 0; i < 5; i++) {
                        assertThat(clip.embedBufferedImages(images)).isEqualTo(expectedImages);
                        assertThat(clip.embedTexts(TEXTS)).isEqualTo(expectedTexts);
                        assertThat(clip.classify(images.get(0), "red", "green", "blue")).isEqualTo(expectedClass);
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> run : runs) {
                run.get(2, TimeUnit.MINUTES);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void refusesBadInputLikeAnyClip() {
        Path missing = dir.resolve("missing.png");
        assertThatThrownBy(() -> clip.embedImage(missing)).isInstanceOf(InvalidImageException.class)
                .hasMessageContaining(missing.toString());
        assertThatThrownBy(() -> TinyClip.create(1, null)).isInstanceOf(NullPointerException.class);
        Clip closed = TinyClip.create(1, TinyClip.tokenizer());
        closed.close();
        assertThatThrownBy(() -> closed.embedText("a cat")).isInstanceOf(ClipClosedException.class)
                .hasMessageContaining("TinyClip(seed=1)");
    }

    @Test
    void weightsCoverEveryParameterWithNonTrivialValues() {
        StateDict weights = TinyClip.weights(9);
        for (String name : weights.names()) {
            HostTensor t = weights.get(name);
            float[] values = t.toFloatArray();
            assertThat(values).as(name).isNotEmpty();
            double mean = 0;
            for (float v : values) {
                assertThat(Float.isFinite(v)).isTrue();
                mean += v;
            }
            mean /= values.length;
            double variance = 0;
            for (float v : values) {
                variance += (v - mean) * (v - mean);
            }
            if (values.length > 1) {
                assertThat(variance).as("%s varies", name).isPositive();
            }
        }
        assertThat(weights.names()).contains("visual.transformer.resblocks.1.ln_2.bias", "token_embedding.weight");
    }

    private static BufferedImage square(Color colour) {
        BufferedImage image = new BufferedImage(48, 48, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setColor(colour);
        g.fillRect(8, 8, 32, 32);
        g.dispose();
        return image;
    }

    private static BufferedImage noise(long seed, int width, int height) {
        java.util.Random random = new java.util.Random(seed);
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                image.setRGB(x, y, random.nextInt(1 << 24));
            }
        }
        return image;
    }
}
