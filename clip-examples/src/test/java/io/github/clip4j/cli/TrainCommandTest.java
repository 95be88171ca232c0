package io.github.clip4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.clip4j.testsupport.Fixtures;
import io.github.clip4j.tokenizer.ClipTokenizer;
import io.github.clip4j.internal.weights.CheckpointReader;
import io.github.clip4j.internal.weights.StateDict;
import java.awt.Color;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Supplier;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code clip train} run in-process on the tiny fixture model, and its refusals before any training. */
class TrainCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String[] COLOURS = {"red", "green", "blue", "yellow"};
    private static final Color[] RGB = {Color.RED, Color.GREEN, Color.BLUE, Color.YELLOW};

    @TempDir
    Path dir;

    private static CliRun clip(Supplier<ClipTokenizer> tokenizer, String... args) {
        return CliRun.run(tokenizer, args);
    }

    private static CliRun clipWithFixtureVocabulary(String... args) {
        ClipTokenizer tokenizer = ClipTokenizer.load(Fixtures.bpeVocabulary());
        return clip(() -> tokenizer, args);
    }

    /** Fails or finishes before a vocabulary is needed. */
    private static CliRun clipWithoutVocabulary(String... args) {
        return clip(() -> {
            throw new AssertionError("the vocabulary should not be needed");
        }, args);
    }

    /** Two plain-colour images per colour, a CSV, plus a row without its image and one with an empty caption. */
    private Path dataset() throws IOException {
        StringBuilder csv = new StringBuilder("image,caption\n");
        for (int c = 0; c < COLOURS.length; c++) {
            for (int v = 0; v < 2; v++) {
                BufferedImage image = new BufferedImage(40 + 8 * v, 40, BufferedImage.TYPE_INT_RGB);
                for (int y = 0; y < image.getHeight(); y++) {
                    for (int x = 0; x < image.getWidth(); x++) {
                        image.setRGB(x, y, RGB[c].getRGB());
                    }
                }
                String name = COLOURS[c] + v + ".png";
                ImageIO.write(image, "png", dir.resolve(name).toFile());
                csv.append(name).append(",a ").append(COLOURS[c]).append(" picture\n");
            }
        }
        csv.append("missing.png,a photo that is not there\n");
        csv.append("red0.png,\n");
        return Files.writeString(dir.resolve("data.csv"), csv, StandardCharsets.UTF_8);
    }

    @Test
    void trainsSavesAndPrintsTheSummary() throws IOException {
        Path data = dataset();
        Path out = dir.resolve("tuned.safetensors");
        CliRun run = clipWithFixtureVocabulary("train", "--model",
                Fixtures.file("models/vit-tiny.state_dict.pt").toString(), "--data", data.toString(), "--out",
                out.toString(), "--epochs", "2", "--batch-size", "4", "--lr", "1e-4", "--seed", "5");

        assertThat(run.status()).as(run.err()).isZero();
        assertThat(run.outLines()).hasSize(1);
        JsonNode summary = JSON.readTree(run.outLines().get(0));
        assertThat(summary.get("epochs").asInt()).isEqualTo(2);
        assertThat(summary.get("steps").asInt()).isEqualTo(4); // 8 pairs, batches of 4, 2 epochs
        assertThat(summary.get("loss_first").isNumber()).isTrue();
        assertThat(summary.get("loss_last").isNumber()).isTrue();
        assertThat(summary.get("train_pairs").asInt()).isEqualTo(8);
        assertThat(summary.get("held_out_pairs").asInt()).isZero(); // fewer than 10 pairs: nothing held out
        assertThat(summary.get("before").isNull()).isTrue();
        assertThat(summary.get("skipped")).hasSize(2);
        assertThat(summary.get("skipped").get(0).get("line").asInt()).isEqualTo(10);
        assertThat(summary.get("skipped").get(0).get("reason").asText()).contains("missing.png");
        assertThat(summary.get("skipped").get(1).get("reason").asText()).contains("empty caption");
        assertThat(summary.get("out").asText()).isEqualTo(out.toString());
        assertThat(run.err()).contains("skipped line 10").contains("step 4/4");

        StateDict saved = CheckpointReader.read(out);
        assertThat(saved.names()).containsExactlyElementsOf(
                CheckpointReader.read(Fixtures.file("models/vit-tiny.state_dict.pt")).names());
        assertThat(saved.metadata()).containsEntry("steps", "4").containsEntry("seed", "5");
    }

    @Test
    void takesTheModelCommandsPrecisionDeviceAndThreads() throws IOException {
        Path data = dataset();
        Path out = dir.resolve("tuned-bf16.safetensors");
        CliRun run = clipWithFixtureVocabulary("train", "--model",
                Fixtures.file("models/vit-tiny.state_dict.pt").toString(), "--data", data.toString(), "--out",
                out.toString(), "--epochs", "1", "--batch-size", "4", "--lr", "1e-4", "--held-out", "0",
                "--precision", "bf16", "--device", "cpu", "--threads", "1");

        assertThat(run.status()).as(run.err()).isZero();
        JsonNode summary = JSON.readTree(run.outLines().get(0));
        assertThat(summary.get("steps").asInt()).isEqualTo(2); // 8 pairs, batches of 4, 1 epoch
        assertThat(summary.get("loss_last").isNumber()).isTrue();
        // bf16 trains under autocast: the saved weights stay float32, the names those of the base model
        StateDict saved = CheckpointReader.read(out);
        assertThat(saved.names()).containsExactlyElementsOf(
                CheckpointReader.read(Fixtures.file("models/vit-tiny.state_dict.pt")).names());
    }

    @Test
    void skipsAnImageThatCannotBeDecodedAndListsItOnce() throws IOException {
        Path data = dataset();
        Path broken = Files.writeString(dir.resolve("broken.png"), "not a PNG at all");
        Files.writeString(data, "broken.png,a broken picture\n", StandardCharsets.UTF_8,
                java.nio.file.StandardOpenOption.APPEND);
        CliRun run = clipWithFixtureVocabulary("train", "--model",
                Fixtures.file("models/vit-tiny.state_dict.pt").toString(), "--data", data.toString(), "--out",
                dir.resolve("tuned.safetensors").toString(), "--epochs", "2", "--batch-size", "3", "--lr", "1e-4");

        assertThat(run.status()).as(run.err()).isZero();
        JsonNode summary = JSON.readTree(run.outLines().get(0));
        assertThat(summary.get("train_pairs").asInt()).isEqualTo(9);
        // 9 pairs in batches of 3: the batch holding broken.png keeps 2 pairs and is still a step
        assertThat(summary.get("steps").asInt()).isEqualTo(6);
        JsonNode skipped = summary.get("skipped");
        assertThat(skipped).hasSize(3);
        assertThat(skipped.get(0).get("line").asInt()).isEqualTo(10);
        assertThat(skipped.get(1).get("line").asInt()).isEqualTo(11);
        assertThat(skipped.get(2).has("line")).isFalse();
        assertThat(Path.of(skipped.get(2).get("image").asText())).isEqualTo(broken.toAbsolutePath());
        assertThat(skipped.get(2).get("reason").asText()).contains("broken.png").contains("not a supported image");
        assertThat(run.errLines()).filteredOn(line -> line.contains("skipped image")).hasSize(1);
    }

    @Test
    void refusesBadOptionsAsUsageErrors() throws IOException {
        Path data = dataset();
        String model = "no-such-model.pt";
        for (String[] bad : new String[][] {{"--batch-size", "1"}, {"--lr", "0"}, {"--epochs", "0"},
                {"--precision", "fp16"}}) {
            CliRun run = clipWithoutVocabulary("train", "--model", model, "--data", data.toString(), "--out",
                    dir.resolve("o.pt").toString(), bad[0], bad[1]);
            assertThat(run.status()).as(String.join(" ", bad)).isEqualTo(2);
            assertThat(run.out()).isEmpty();
            assertThat(run.errLines()).hasSize(1);
            assertThat(run.errLines().get(0)).startsWith("clip: error: " + bad[0]);
        }
        CliRun missing = clipWithoutVocabulary("train", "--data", data.toString(), "--out", "o.pt");
        assertThat(missing.status()).isEqualTo(2);
        assertThat(missing.errLines().get(0)).startsWith("clip: error:").contains("--model");
    }

    @Test
    void refusesBadInputBeforeLoadingTheModel() throws IOException {
        Path data = dataset();
        String model = dir.resolve("model-never-read.pt").toString();
        Path noFolder = dir.resolve("nowhere/tuned.pt");
        assertFailure(clipWithoutVocabulary("train", "--model", model, "--data", data.toString(), "--out",
                noFolder.toString()), noFolder.toString(), "does not exist");
        assertFailure(clipWithoutVocabulary("train", "--model", model, "--data", data.toString(), "--out",
                dir.resolve("tuned.bin").toString()), "tuned.bin", ".safetensors");
        assertFailure(clipWithoutVocabulary("train", "--model", model, "--data", data.toString(), "--out",
                dir.toString()), dir.toString(), "directory");

        Path empty = Files.writeString(dir.resolve("empty.csv"), "image,caption\n", StandardCharsets.UTF_8);
        assertFailure(clipWithoutVocabulary("train", "--model", model, "--data", empty.toString(), "--out",
                dir.resolve("t.pt").toString()), "empty.csv", "no usable image/caption pair");
        Path onlyBad = Files.writeString(dir.resolve("bad.csv"), "image,caption\nnope.png,a cat\n",
                StandardCharsets.UTF_8);
        assertFailure(clipWithoutVocabulary("train", "--model", model, "--data", onlyBad.toString(), "--out",
                dir.resolve("t.pt").toString()), "bad.csv", "image not found: nope.png");
        Path onePair = Files.writeString(dir.resolve("one.csv"), "image,caption\nred0.png,a red picture\n",
                StandardCharsets.UTF_8);
        assertFailure(clipWithoutVocabulary("train", "--model", model, "--data", onePair.toString(), "--out",
                dir.resolve("t.pt").toString()), "one.csv", "at least 2");
        assertThat(dir.resolve("t.pt")).doesNotExist();
    }

    private static void assertFailure(CliRun run, String... fragments) {
        assertThat(run.status()).as(run.err()).isEqualTo(1);
        assertThat(run.out()).isEmpty();
        assertThat(run.errLines()).hasSize(1);
        assertThat(run.errLines().get(0)).startsWith("clip: error: ").contains(fragments);
    }
}
