package io.github.clip4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.clip4j.testsupport.Fixtures;
import io.github.clip4j.tokenizer.ClipTokenizer;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
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
        Run run = clipJar("tokenize", "--context-length", "10", "a photo of a cat");
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
        Run run = clipJar("index", "--model", CliFixtures.tinyModel().toString(), "--dir", photos.toString(),
                "--index", dir.resolve("photos.clipindex").toString(), "--batch-size", "2");
        assertThat(run.status()).as(run.err()).isZero();
        assertThat(run.out().lines().toList()).hasSize(1);
        assertThat(readJson(run.out()).get("total").asInt()).isEqualTo(6);
        assertThat(run.err()).contains("Indexing").contains("7/7").contains("broken.jpg").endsWith("\n");
    }

    @Test
    void theBuiltJarReportsErrorsOnOneLine() {
        Run run = clipJar("embed", "--model", "ViT-B/33", "--text", "a cat");
        assertThat(run.status()).isEqualTo(1);
        assertThat(run.out()).isEmpty();
        assertThat(run.err().lines().toList()).hasSize(1);
        assertThat(run.err()).startsWith("clip: error: ").contains("ViT-B/33").doesNotContain("\tat ");
    }

    private record Run(int status, String out, String err) {}

    private static Run clipJar(String... args) {
        Path jar = Path.of("target", "clip.jar");
        assertThat(jar).as("built by the package phase").isRegularFile();
        assertThat(Path.of("target", "lib")).isDirectory();
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dclip4j.bpe=" + Fixtures.bpeVocabulary(), "-jar", jar.toString()));
        command.addAll(List.of(args));
        try {
            Process process = new ProcessBuilder(command).start();
            CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> readAll(process.getErrorStream()));
            String out = readAll(process.getInputStream());
            assertThat(process.waitFor(180, TimeUnit.SECONDS)).as("clip.jar finished").isTrue();
            return new Run(process.exitValue(), out, err.join());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    private static String readAll(InputStream in) {
        try {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
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
