package io.github.clip4j.cli;

import static io.github.clip4j.cli.CliFixtures.assertFails;
import static io.github.clip4j.cli.CliFixtures.clip;
import static io.github.clip4j.cli.CliFixtures.image;
import static io.github.clip4j.cli.CliFixtures.tinyModel;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.clip4j.internal.weights.SafetensorsReader;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --decode exact|fast} on preprocess, embed, classify and index. */
class DecodeOptionTest {
    @TempDir
    Path dir;

    @Test
    void badValuesAreUsageErrorsBeforeAnyWork() {
        String model = tinyModel().toString();
        Path out = dir.resolve("p.safetensors");
        String png = image("chelsea.png").toString();
        assertFails(clip("preprocess", "--size", "224", "--out", out.toString(), "--decode", "quick", png), 2, "--decode");
        assertFails(clip("embed", "--model", model, "--image", png, "--decode", "quick"), 2, "--decode");
        assertFails(clip("classify", "--model", model, "--labels", "a,b", "--decode", "", png), 2, "--decode");
        assertFails(clip("index", "--model", model, "--dir", dir.toString(), "--index", dir.resolve("i").toString(),
                "--decode", "slow"), 2, "--decode");
        assertThat(out).doesNotExist();
    }

    @Test
    void fastPreprocessEqualsExactForSmallImagesAndStaysCloseForLargeJpegs() throws Exception {
        Path big = dir.resolve("big.jpg");
        ImageIO.write(noisy(1800, 1200), "jpeg", big.toFile());
        String[] inputs = {image("rocket.jpg").toString(), image("chelsea.png").toString(), big.toString()};
        float[] exact = preprocess("exact", inputs);
        float[] fast = preprocess("FAST", inputs);
        int per = 3 * 224 * 224;
        for (int i = 0; i < 2 * per; i++) {
            assertThat(fast[i]).isEqualTo(exact[i]);
        }
        double sum = 0;
        for (int i = 2 * per; i < 3 * per; i++) {
            double d = (fast[i] - exact[i]) * 0.27 * 255; // roughly back to 8-bit levels
            sum += d * d;
        }
        double psnr = 10 * Math.log10(255 * 255 / (sum / per));
        assertThat(psnr).isGreaterThan(30);
    }

    @Test
    void embedAndIndexAcceptFast() throws Exception {
        Path big = dir.resolve("big.jpg");
        ImageIO.write(noisy(1000, 960), "jpeg", big.toFile());
        String model = tinyModel().toString();
        JsonNode exact = CliFixtures.ok("embed", "--model", model, "--image", big.toString());
        JsonNode fast = CliFixtures.ok("embed", "--model", model, "--image", big.toString(), "--decode", "fast");
        double cosine = CliFixtures.cosine(CliFixtures.floats(exact.get("images").get(0).get("embedding")),
                CliFixtures.floats(fast.get("images").get(0).get("embedding")));
        assertThat(cosine).isGreaterThan(0.99);
        Path photos = Files.createDirectories(dir.resolve("photos"));
        Files.copy(big, photos.resolve("a.jpg"));
        JsonNode update = CliFixtures.ok("index", "--model", model, "--dir", photos.toString(), "--index",
                dir.resolve("photos.clipindex").toString());
        assertThat(update.get("added").asInt()).isEqualTo(1);
    }

    private float[] preprocess(String mode, String... inputs) {
        Path out = dir.resolve("pixels-" + mode + ".safetensors");
        String[] args = new String[6 + inputs.length];
        String[] head = {"preprocess", "--size", "224", "--out", out.toString(), "--decode=" + mode};
        System.arraycopy(head, 0, args, 0, head.length);
        System.arraycopy(inputs, 0, args, head.length, inputs.length);
        CliFixtures.ok(args);
        return SafetensorsReader.read(out).get("pixels").toFloatArray();
    }

    private static BufferedImage noisy(int width, int height) {
        Random random = new Random(7);
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                int r = (int) (128 + 90 * Math.sin(x * 0.01) + random.nextGaussian() * 10);
                int g = (int) (128 + 90 * Math.cos(y * 0.013));
                int b = (int) (128 + 60 * Math.sin((x + y) * 0.05) + random.nextGaussian() * 10);
                image.setRGB(x, y, (clamp(r) << 16) | (clamp(g) << 8) | clamp(b));
            }
        }
        return image;
    }

    private static int clamp(int v) {
        return Math.max(0, Math.min(255, v));
    }
}
