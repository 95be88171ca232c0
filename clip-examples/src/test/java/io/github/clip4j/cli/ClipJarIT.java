package io.github.clip4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.clip4j.testsupport.Fixtures;
import io.github.clip4j.tokenizer.ClipTokenizer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the packaged tool as a user does ({@code java -jar clip-examples/target/clip.jar ...}). An integration
 * test: Failsafe runs it after {@code package}, so the jar and its {@code lib/} folder are the ones just built.
 */
class ClipJarIT {
    @TempDir
    Path dir;

    @Test
    void theBuiltJarTokenizes() {
        ChildProcess.Result run = clipJar("tokenize", "--context-length", "10", "a photo of a cat");
        assertThat(run.status()).as(run.err()).isZero();
        int[] expected = ClipTokenizer.load(Fixtures.bpeVocabulary())
                .tokenize(List.of("a photo of a cat"), 10, false)[0];
        assertThat(ints(readJson(run.out()))).containsExactly(expected);
    }

    @Test
    void theBuiltJarPrintsOnlyJsonOnStdoutAndProgressOnStderr() throws IOException {
        Path photos = Files.createDirectories(dir.resolve("photos"));
        for (String name : List.of("camera.png", "chelsea.png", "coffee.png", "logo.png", "palette_color.png",
                "rocket.jpg")) {
            Files.copy(CliFixtures.image(name), photos.resolve(name));
        }
        Files.writeString(photos.resolve("broken.jpg"), "this is not a JPEG");
        ChildProcess.Result run = clipJar("index", "--model", CliFixtures.tinyModel().toString(), "--dir", photos.toString(),
                "--index", dir.resolve("photos.clipindex").toString(), "--batch-size", "2");
        assertThat(run.status()).as(run.err()).isZero();
        assertThat(run.out().lines().toList()).hasSize(1);
        assertThat(readJson(run.out()).get("total").asInt()).isEqualTo(6);
        assertThat(run.err()).contains("Indexing").contains("7/7").contains("broken.jpg").endsWith("\n");
    }

    @Test
    void theBuiltJarReportsErrorsOnOneLine() {
        ChildProcess.Result run = clipJar("embed", "--model", "ViT-B/33", "--text", "a cat");
        assertThat(run.status()).isEqualTo(1);
        assertThat(run.out()).isEmpty();
        assertThat(run.err().lines().toList()).hasSize(1);
        assertThat(run.err()).startsWith("clip: error: ").contains("ViT-B/33").doesNotContain("\tat ");
    }


    private static ChildProcess.Result clipJar(String... args) {
        Path jar = Path.of("target", "clip.jar");
        assertThat(jar).as("built by the package phase").isRegularFile();
        assertThat(Path.of("target", "lib")).isDirectory();
        List<String> command = new ArrayList<>(List.of(
                ChildProcess.java(),
                "-Dclip4j.bpe=" + Fixtures.bpeVocabulary(), "-jar", jar.toString()));
        command.addAll(List.of(args));
        return ChildProcess.run(new ProcessBuilder(command), 180, "clip.jar");
    }


    private static JsonNode readJson(String text) {
        try {
            return CliFixtures.JSON.readTree(text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static int[] ints(JsonNode array) {
        int[] out = new int[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).intValue();
        }
        return out;
    }
}
