package io.github.clip4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.clip4j.testsupport.Fixtures;
import io.github.clip4j.tokenizer.ClipTokenizer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Runs the packaged tool as a user does ({@code java -jar clip-examples/target/clip.jar ...}). An integration
 * test: Failsafe runs it after {@code package}, so the jar and its {@code lib/} folder are the ones just built.
 */
class ClipJarIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void theBuiltJarTokenizes() throws Exception {
        Path jar = Path.of("target", "clip.jar");
        assertThat(jar).as("built by the package phase").isRegularFile();
        assertThat(Path.of("target", "lib")).isDirectory();
        Path vocabulary = Fixtures.bpeVocabulary();
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process process = new ProcessBuilder(java.toString(), "-Dclip4j.bpe=" + vocabulary,
                "-jar", jar.toString(), "tokenize", "--context-length", "10", "a photo of a cat")
                .start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(err).isZero();
        int[] expected = ClipTokenizer.load(vocabulary).tokenize(List.of("a photo of a cat"), 10, false)[0];
        assertThat(JSON.readValue(out.strip(), int[].class)).containsExactly(expected);
        assertThat(Files.size(jar)).isPositive();
    }
}
