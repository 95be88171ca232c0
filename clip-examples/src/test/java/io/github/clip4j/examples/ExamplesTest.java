package io.github.clip4j.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.clip4j.testsupport.Fixtures;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The example programs run end to end on the tiny fixture model and draw their pictures. */
class ExamplesTest {
    @TempDir
    Path dir;

    @BeforeAll
    static void vocabulary() {
        // The examples load their tokenizer the way users' programs do: -Dclip4j.bpe, then the cache.
        System.setProperty("clip4j.bpe", Fixtures.bpeVocabulary().toString());
    }

    private static String model() {
        return Fixtures.file("models/vit-tiny.jit.pt").toString();
    }

    /** Runs {@code program} with System.out captured. */
    private static String run(ThrowingRunnable program) throws Exception {
        PrintStream original = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            program.run();
        } finally {
            System.setOut(original);
        }
        return captured.toString(StandardCharsets.UTF_8);
    }

    @FunctionalInterface
    private interface ThrowingRunnable {
        void run() throws Exception;
    }

    @Test
    void zeroShotExamplePrintsBothMethodsAndDrawsTheChart() throws Exception {
        Path chart = dir.resolve("chart.png");
        String image = Fixtures.file("images/chelsea.png").toString();
        String out = run(() -> ZeroShotExample.main(new String[] {model(), image, chart.toString(),
                "cat", "dog", "一只猫"}));

        assertThat(out).contains("SEED ensemble").contains("a photo of a {}").contains("best: ");
        assertThat(out.lines().filter(l -> l.startsWith("cat ") || l.startsWith("dog ") || l.startsWith("一只猫")))
                .hasSize(3)
                .allSatisfy(l -> assertThat(l).containsPattern("-?\\d\\.\\d{4} \\( *\\d+\\.\\d%\\).*"
                        + "-?\\d\\.\\d{4} \\( *\\d+\\.\\d%\\)"));
        BufferedImage png = ImageIO.read(chart.toFile());
        assertThat(png).isNotNull();
        assertThat(png.getWidth()).isEqualTo(1080);
        assertThat(png.getHeight()).isEqualTo(64 + 360 + 24);
    }

    @Test
    void zeroShotExampleUsesTheArticlesLabelsByDefault() throws Exception {
        Path chart = dir.resolve("default.png");
        String image = Fixtures.file("images/rocket.jpg").toString();
        String out = run(() -> ZeroShotExample.main(new String[] {model(), image, chart.toString()}));
        for (String label : ZeroShotExample.DEFAULT_LABELS) {
            assertThat(out).containsPattern("(?m)^" + label + " ");
        }
        assertThat(ImageIO.read(chart.toFile())).isNotNull();
    }

    @Test
    void imageSearchExamplePrintsTheTopThreeAndDrawsTheGrid() throws Exception {
        Path photos = Files.createDirectories(dir.resolve("photos"));
        for (String name : new String[] {"camera.png", "chelsea.png", "coffee.png", "rocket.jpg"}) {
            Files.copy(Fixtures.file("images/" + name), photos.resolve(name));
        }
        Path grid = dir.resolve("grid.png");
        String out = run(() -> ImageSearchExample.main(new String[] {model(), photos.toString(), "a cat",
                grid.toString()}));

        assertThat(out).contains("indexed 4 images");
        assertThat(out.lines().filter(l -> l.matches("[123]\\. .*similarity -?\\d\\.\\d{4} .*of the best\\)")))
                .hasSize(3);
        assertThat(out).contains("(100% of the best)");
        BufferedImage png = ImageIO.read(grid.toFile());
        assertThat(png).isNotNull();
        assertThat(png.getWidth()).isEqualTo(2 * 24 + 3 * 200 + 2 * 16);
        assertThat(png.getHeight()).isEqualTo(64 + 200 + 44 + 24);
    }
}
