package io.github.clip4j.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.clip4j.Clip;
import io.github.clip4j.ClipClosedException;
import io.github.clip4j.Embedding;
import io.github.clip4j.EmbeddingModel;
import io.github.clip4j.common.ClipException;
import io.github.clip4j.testing.TinyClip;
import io.github.clip4j.zeroshot.Classification;
import io.github.clip4j.zeroshot.Ensemble;
import io.github.clip4j.zeroshot.Prediction;
import io.github.clip4j.zeroshot.PromptTemplates;
import io.github.clip4j.zeroshot.ZeroShotClassifier;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * How a project that depends on clip4j tests its own code: with {@link TinyClip} only (no model download, no
 * fixtures), through the public API, the way the README's "Testing your code with TinyClip" section shows.
 */
class DownstreamUsageTest {
    /** One tiny model for the whole class: creating one is cheap, sharing one is cheaper. */
    private static Clip clip;

    @TempDir
    static Path photos;

    private static Path red;
    private static Path blue;
    private static Path gray;

    @BeforeAll
    static void setUp() throws IOException {
        clip = TinyClip.create(2024);
        red = write("red.png", Color.RED, BufferedImage.TYPE_INT_RGB);
        blue = write("blue.jpg", Color.BLUE, BufferedImage.TYPE_INT_RGB);
        gray = write("gray.png", Color.GRAY, BufferedImage.TYPE_BYTE_GRAY);
    }

    @AfterAll
    static void tearDown() {
        clip.close();
    }

    /** The code under test: a downstream class that only knows {@link EmbeddingModel}. */
    record PhotoRanker(EmbeddingModel model) {
        List<Path> rank(String query, List<Path> files) {
            Embedding text = model.embedText(query);
            List<Embedding> images = model.embedImages(files);
            return files.stream()
                    .sorted(Comparator.comparingDouble((Path f) -> -images.get(files.indexOf(f)).dot(text)))
                    .toList();
        }
    }

    @Test
    void embedsFilesInMemoryImagesAndTexts() {
        List<Embedding> files = clip.embedImages(List.of(red, blue, gray));
        assertThat(files).hasSize(3).allSatisfy(e -> {
            assertThat(e.dimension()).isEqualTo(clip.dimension()).isEqualTo(TinyClip.EMBED_DIM);
            assertThat(e.dot(e)).isBetween(0.9999f, 1.0001f);
        });
        BufferedImage drawn = image(Color.RED, BufferedImage.TYPE_INT_RGB);
        assertThat(clip.embedImage(drawn).dot(files.get(0))).isGreaterThan(0.9999f); // same pixels as red.png
        assertThat(files.get(0).dot(files.get(1))).isLessThan(0.9999f);
        assertThat(clip.embedTexts(List.of("red", "blue", ""))).hasSize(3);
    }

    @Test
    void similarityIsTheCosineOfTheEmbeddings() {
        float similarity = clip.similarity(red, "a red square");
        assertThat(similarity).isBetween(-1f, 1f)
                .isEqualTo(clip.embedImage(red).dot(clip.embedText("a red square")));
    }

    @Test
    void classifiesWithProbabilitiesThatSumToOne() {
        Classification quick = clip.classify(red, "red", "blue", "gray");
        assertThat(quick.predictions()).extracting(Prediction::label).containsExactlyInAnyOrder("red", "blue", "gray");
        assertThat(quick.predictions().stream().mapToDouble(Prediction::probability).sum()).isCloseTo(1.0,
                org.assertj.core.data.Offset.offset(1e-9));
        assertThat(quick.best()).isEqualTo(quick.predictions().get(0));

        ZeroShotClassifier classifier = clip.classifier()
                .labels("red", "blue", "gray")
                .templates(PromptTemplates.SEED)
                .ensemble(Ensemble.SCORES)
                .topK(2)
                .build();
        List<Classification> results = classifier.classify(List.of(red, blue, gray));
        assertThat(results).hasSize(3).allSatisfy(c -> assertThat(c.predictions()).hasSize(2));
        assertThat(results.get(1).image()).contains(blue);
        // Deterministic: the same seed classifies the same way every time.
        try (Clip again = TinyClip.create(2024)) {
            assertThat(again.classifier().labels("red", "blue", "gray").templates(PromptTemplates.SEED)
                    .ensemble(Ensemble.SCORES).topK(2).build().classify(List.of(red, blue, gray)))
                    .isEqualTo(results);
        }
    }

    @Test
    void testsDownstreamCodeThroughTheEmbeddingModelInterface() {
        List<Path> files = List.of(red, blue, gray);
        List<Path> ranked = new PhotoRanker(clip).rank("a red square", files);
        assertThat(ranked).containsExactlyInAnyOrderElementsOf(files);
        assertThat(new PhotoRanker(clip).rank("a red square", files)).isEqualTo(ranked);
    }

    @Test
    void reportsBadInputAsClipExceptions() throws IOException {
        Path broken = Files.writeString(photos.resolve("broken.png"), "not a png");
        assertThatThrownBy(() -> clip.embedImage(broken)).isInstanceOf(ClipException.class)
                .hasMessageContaining("broken.png");
        Clip closed = TinyClip.create(1);
        closed.close();
        assertThatThrownBy(() -> closed.embedText("a cat")).isInstanceOf(ClipClosedException.class);
    }

    private static Path write(String name, Color colour, int type) throws IOException {
        Path file = photos.resolve(name);
        String format = name.endsWith(".jpg") ? "jpg" : "png";
        if (!ImageIO.write(image(colour, type), format, file.toFile())) {
            throw new IOException("no " + format + " writer");
        }
        return file;
    }

    private static BufferedImage image(Color colour, int type) {
        BufferedImage image = new BufferedImage(64, 48, type);
        Graphics2D g = image.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, 64, 48);
        g.setColor(colour);
        g.fillRect(16, 8, 32, 32);
        g.dispose();
        return image;
    }
}
