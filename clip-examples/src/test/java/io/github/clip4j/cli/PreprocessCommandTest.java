package io.github.clip4j.cli;

import static io.github.clip4j.cli.CliFixtures.assertFails;
import static io.github.clip4j.cli.CliFixtures.clip;
import static io.github.clip4j.cli.CliFixtures.image;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.clip4j.internal.image.ClipPreprocessor;
import io.github.clip4j.internal.image.ImageDecoder;
import io.github.clip4j.testsupport.Fixtures;
import io.github.clip4j.internal.weights.HostTensor;
import io.github.clip4j.internal.weights.SafetensorsReader;
import io.github.clip4j.internal.weights.StateDict;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code clip preprocess}. */
class PreprocessCommandTest {
    private static final List<String> IMAGES =
            List.of("camera.png", "chelsea.png", "coffee.png", "logo.png", "palette_color.png", "rocket.jpg");

    @TempDir
    Path dir;

    @Test
    void writesThePreprocessorsPixelsInArgumentOrder() {
        for (int size : new int[] {224, 336}) {
            Path out = dir.resolve("pixels-" + size + ".safetensors");
            List<String> args = new ArrayList<>(List.of("preprocess", "--size", "" + size, "--out", out.toString()));
            IMAGES.forEach(name -> args.add(image(name).toString()));

            JsonNode json = CliFixtures.ok(args.toArray(String[]::new));

            assertThat(json.toString()).isEqualTo("{\"images\":" + IMAGES.size() + "}");
            HostTensor pixels = SafetensorsReader.read(out).get("pixels");
            assertThat(pixels.shape()).containsExactly(IMAGES.size(), 3, size, size);
            float[] all = pixels.toFloatArray();
            ClipPreprocessor preprocessor = ClipPreprocessor.of(size);
            for (int i = 0; i < IMAGES.size(); i++) {
                float[] expected = preprocessor.pixels(ImageDecoder.decode(image(IMAGES.get(i))));
                float[] actual = java.util.Arrays.copyOfRange(all, i * expected.length, (i + 1) * expected.length);
                assertThat(actual).as(IMAGES.get(i) + " at " + size).containsExactly(expected);
            }
        }
    }

    @Test
    void pngPixelsAt224EqualTheReferenceTransform() {
        List<String> pngs = IMAGES.stream().filter(n -> n.endsWith(".png")).toList();
        Path out = dir.resolve("pixels.safetensors");
        List<String> args = new ArrayList<>(List.of("preprocess", "--size", "224", "--out", out.toString()));
        pngs.forEach(name -> args.add(image(name).toString()));
        CliFixtures.ok(args.toArray(String[]::new));

        StateDict reference = SafetensorsReader.read(Fixtures.file("images/expected.safetensors"));
        float[] all = SafetensorsReader.read(out).get("pixels").toFloatArray();
        int n = 3 * 224 * 224;
        for (int i = 0; i < pngs.size(); i++) {
            float[] expected = reference.get(pngs.get(i) + "/224/pixels").toFloatArray();
            for (int j = 0; j < n; j++) {
                assertThat(all[i * n + j]).as("%s value %d", pngs.get(i), j).isCloseTo(expected[j], within(1e-6f));
            }
        }
    }

    @Test
    void aBadImageFailsNamingItAndWritesNothing() throws Exception {
        Path out = dir.resolve("pixels.safetensors");
        Path missing = dir.resolve("missing.png");
        assertFails(clip("preprocess", "--size", "224", "--out", out.toString(), image("camera.png").toString(),
                missing.toString()), 1, missing.toString());
        Path text = Files.writeString(dir.resolve("notes.png"), "not a picture");
        assertFails(clip("preprocess", "--size", "224", "--out", out.toString(), text.toString()), 1,
                text.toString());
        assertThat(out).doesNotExist();
    }

    @Test
    void badUsageExitsWithTwo() {
        String camera = image("camera.png").toString();
        String out = dir.resolve("x.safetensors").toString();
        assertFails(clip("preprocess", "--size", "0", "--out", out, camera), 2, "--size");
        assertFails(clip("preprocess", "--out", out, camera), 2, "--size");
        assertFails(clip("preprocess", "--size", "224", "--out", out), 2, "IMAGE");
    }
}
