package io.github.clip4j.cli;

import static io.github.clip4j.cli.CliFixtures.assertFails;
import static io.github.clip4j.cli.CliFixtures.clip;
import static io.github.clip4j.cli.CliFixtures.cosine;
import static io.github.clip4j.cli.CliFixtures.floats;
import static io.github.clip4j.cli.CliFixtures.image;
import static io.github.clip4j.cli.CliFixtures.norm;
import static io.github.clip4j.cli.CliFixtures.ok;
import static io.github.clip4j.cli.CliFixtures.tinyModel;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.clip4j.testsupport.Fixtures;
import io.github.clip4j.internal.weights.HostTensor;
import io.github.clip4j.internal.weights.SafetensorsReader;
import io.github.clip4j.internal.weights.StateDict;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code clip embed} on the tiny model, against the reference's features. */
class EmbedCommandTest {
    @TempDir
    Path dir;

    /** The reference's outputs for the tiny model, with the images and prompts they came from. */
    private static final class Reference {
        final List<String> images;
        final List<String> prompts;
        final float[][] imageFeatures;
        final float[][] textFeatures;

        Reference() throws Exception {
            StateDict expected = SafetensorsReader.read(Fixtures.file("models/vit-tiny.expected.safetensors"));
            images = Arrays.asList(CliFixtures.JSON.readValue(expected.metadata().get("images"), String[].class));
            prompts = Arrays.asList(CliFixtures.JSON.readValue(expected.metadata().get("prompts"), String[].class));
            imageFeatures = rows(expected.get("image_features"));
            textFeatures = rows(expected.get("text_features"));
        }

        private static float[][] rows(HostTensor t) {
            int n = (int) t.dim(0);
            int d = (int) t.dim(1);
            float[] all = t.toFloatArray();
            float[][] out = new float[n][];
            for (int i = 0; i < n; i++) {
                out[i] = Arrays.copyOfRange(all, i * d, (i + 1) * d);
            }
            return out;
        }
    }

    private static List<String> embedArgs(List<String> images, List<String> texts, String... extra) {
        List<String> args = new ArrayList<>(List.of("embed", "--model", tinyModel().toString()));
        images.forEach(name -> args.addAll(List.of("--image", image(name).toString())));
        texts.forEach(text -> args.addAll(List.of("--text", text)));
        args.addAll(List.of(extra));
        return args;
    }

    @Test
    void rawFeaturesMatchTheReferenceAndNormalizedOnesAreTheirDirection() throws Exception {
        Reference reference = new Reference();
        // The PNGs decode exactly as Pillow does; rocket.jpg goes through another JPEG decoder, so it is left out.
        List<String> images = CliFixtures.PNG_IMAGES;

        JsonNode raw = ok(embedArgs(images, reference.prompts, "--raw").toArray(String[]::new));
        JsonNode unit = ok(embedArgs(images, reference.prompts).toArray(String[]::new));

        for (JsonNode json : List.of(raw, unit)) {
            assertThat(json.fieldNames()).toIterable().containsExactly("model", "dim", "images", "texts");
            assertThat(json.get("model").asText()).isEqualTo(tinyModel().toString());
            assertThat(json.get("dim").asInt()).isEqualTo(64);
            assertThat(json.get("images")).hasSize(images.size());
            assertThat(json.get("texts")).hasSize(reference.prompts.size());
        }
        for (int i = 0; i < images.size(); i++) {
            JsonNode rawEntry = raw.get("images").get(i);
            assertThat(rawEntry.get("path").asText()).isEqualTo(image(images.get(i)).toString());
            float[] want = reference.imageFeatures[reference.images.indexOf(images.get(i))];
            assertFeatures(images.get(i), floats(rawEntry.get("embedding")),
                    floats(unit.get("images").get(i).get("embedding")), want);
        }
        for (int i = 0; i < reference.prompts.size(); i++) {
            JsonNode rawEntry = raw.get("texts").get(i);
            assertThat(rawEntry.get("text").asText()).isEqualTo(reference.prompts.get(i));
            assertFeatures("text " + i, floats(rawEntry.get("embedding")),
                    floats(unit.get("texts").get(i).get("embedding")), reference.textFeatures[i]);
        }
    }

    private static void assertFeatures(String what, float[] raw, float[] unit, float[] reference) {
        assertThat(raw).as(what).hasSize(64);
        assertThat(cosine(raw, reference)).as(what + " cosine with the reference").isGreaterThanOrEqualTo(0.99999);
        assertThat(norm(raw) / norm(reference)).as(what + " norm ratio").isCloseTo(1.0, within(1e-4));
        assertThat(norm(unit)).as(what + " normalized norm").isCloseTo(1.0, within(1e-5));
        double rawNorm = norm(raw);
        for (int j = 0; j < raw.length; j++) {
            assertThat((double) unit[j]).as(what + " component " + j).isCloseTo(raw[j] / rawNorm, within(1e-6));
        }
    }

    @Test
    void textFileTextsFollowTheTextOptions() throws Exception {
        Path plain = Files.writeString(dir.resolve("texts.txt"), "\uFEFFa dog\n\n  a red car\r\n",
                StandardCharsets.UTF_8);
        Path jsonl = Files.writeString(dir.resolve("texts.jsonl"), "\"two\\nlines\"\n", StandardCharsets.UTF_8);
        JsonNode fromPlain = ok("embed", "--model", tinyModel().toString(), "--text", "first",
                "--text-file", plain.toString());
        assertThat(fromPlain.get("texts").findValuesAsText("text")).containsExactly("first", "a dog", "  a red car");
        assertThat(fromPlain.get("images")).isEmpty();
        JsonNode fromJsonl = ok("embed", "--model", tinyModel().toString(), "--text-file", jsonl.toString());
        assertThat(fromJsonl.get("texts").findValuesAsText("text")).containsExactly("two\nlines");
    }

    @Test
    void longTextsAreTruncatedNotRefused() {
        JsonNode json = ok("embed", "--model", tinyModel().toString(), "--text", "word ".repeat(200));
        assertThat(norm(floats(json.get("texts").get(0).get("embedding")))).isCloseTo(1.0, within(1e-5));
    }

    @Test
    void batchSizeDoesNotChangeTheResult() {
        List<String> images = List.of("chelsea.png", "coffee.png", "camera.png", "logo.png");
        JsonNode one = ok(embedArgs(images, List.of(), "--batch-size", "1").toArray(String[]::new));
        JsonNode four = ok(embedArgs(images, List.of(), "--batch-size", "4").toArray(String[]::new));
        for (int i = 0; i < images.size(); i++) {
            assertThat(cosine(floats(one.get("images").get(i).get("embedding")),
                    floats(four.get("images").get(i).get("embedding")))).isGreaterThan(0.99999);
        }
    }

    @Test
    void unknownModelsListTheKnownNames() {
        CliRun run = clip("embed", "--model", "ViT-Q/99", "--text", "a cat");
        assertFails(run, 1, "ViT-Q/99", "ViT-B/32", "RN50");
        assertThat(run.err()).doesNotContain("\tat ");
        CliRun verbose = clip("--verbose", "embed", "--model", "ViT-Q/99", "--text", "a cat");
        assertThat(verbose.status()).isEqualTo(1);
        assertThat(verbose.errLines().get(0)).startsWith("clip: error: ");
        assertThat(verbose.err()).contains("\tat ");
        assertThat(verbose.out()).isEmpty();
    }

    @Test
    void badImagesFailNamingTheFile() throws Exception {
        Path missing = dir.resolve("missing.jpg");
        assertFails(clip("embed", "--model", tinyModel().toString(), "--text", "a cat", "--image",
                missing.toString()), 1, missing.toString());
        Path notAnImage = Files.writeString(dir.resolve("notes.jpg"), "hello");
        assertFails(clip("embed", "--model", tinyModel().toString(), "--image", image("camera.png").toString(),
                "--image", notAnImage.toString()), 1, notAnImage.toString());
        Path missingTexts = dir.resolve("texts.txt");
        assertFails(clip("embed", "--model", tinyModel().toString(), "--text-file", missingTexts.toString()), 1,
                missingTexts.toString());
    }

    @Test
    void badUsageExitsWithTwo() {
        String model = tinyModel().toString();
        assertFails(clip("embed", "--model", model), 2, "nothing to embed");
        assertFails(clip("embed", "--text", "a cat"), 2, "--model");
        assertFails(clip("embed", "--model", model, "--text", "a cat", "--precision", "fp8"), 2, "fp8");
        assertFails(clip("embed", "--model", model, "--text", "a cat", "--device", "tpu"), 2, "tpu");
        assertFails(clip("embed", "--model", model, "--text", "a cat", "--batch-size", "0"), 2, "batch size must be at least 1");
        assertFails(clip("embed", "--model", model, "--text", "a cat", "--frobnicate"), 2, "--frobnicate");
    }
}
