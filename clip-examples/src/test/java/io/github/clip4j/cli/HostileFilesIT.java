package io.github.clip4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.clip4j.testsupport.Fixtures;
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
 * The memory-bound hostile cases of issue 18 against the packaged tool in a 512 MB JVM: each ends within 10 s
 * (plus the JVM's and libtorch's start) with exit 1 and one {@code clip: error:} line, no stack trace.
 */
class HostileFilesIT {
    @TempDir
    Path dir;

    @Test
    void aHugeImageWithinPillowsLimitIsRefusedNotAnOutOfMemoryError() throws IOException {
        Path huge = Files.write(dir.resolve("huge.png"), HostileFiles.hugePng());
        Path folder = Files.createDirectories(dir.resolve("photos"));
        List<String> args = new ArrayList<>(List.of("embed", "--model", CliFixtures.tinyModel().toString()));
        for (int i = 0; i < 8; i++) { // eight in parallel decoders once took 8 x 3 GB
            args.addAll(List.of("--image", Files.copy(huge, folder.resolve(i + ".png")).toString()));
        }
        assertOneLineError(clipJar(args), "decoding budget");
    }

    @Test
    void strideZeroViewsAndEndlessInputsEndQuickly() throws IOException {
        Path model = HostileFiles.strideZero(dir.resolve("stride0.pt"));
        assertOneLineError(clipJar(List.of("embed", "--model", model.toString(), "--text", "a")),
                "strided tensor view");
        if (Files.exists(Path.of("/dev/zero"))) {
            assertOneLineError(clipJar(List.of("embed", "--model", CliFixtures.tinyModel().toString(), "--image",
                    "/dev/zero")), "not a regular file");
        }
    }

    private static void assertOneLineError(Run run, String fragment) {
        assertThat(run.status()).as(run.err()).isEqualTo(1);
        assertThat(run.out()).isEmpty();
        assertThat(run.err().lines().toList()).as(run.err()).hasSize(1);
        assertThat(run.err()).startsWith("clip: error: ").contains(fragment).doesNotContain("\tat ");
        assertThat(run.seconds()).as("seconds").isLessThan(40);
    }

    private record Run(int status, String out, String err, double seconds) {}

    private static Run clipJar(List<String> args) {
        Path jar = Path.of("target", "clip.jar");
        assertThat(jar).as("built by the package phase").isRegularFile();
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx512m",
                "-Dclip4j.bpe=" + Fixtures.bpeVocabulary(), "-jar", jar.toString()));
        command.addAll(args);
        long start = System.nanoTime();
        try {
            Process process = new ProcessBuilder(command).start();
            CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> readAll(process.getErrorStream()));
            String out = readAll(process.getInputStream());
            assertThat(process.waitFor(120, TimeUnit.SECONDS)).as("clip.jar finished").isTrue();
            return new Run(process.exitValue(), out, err.join(), (System.nanoTime() - start) / 1e9);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static String readAll(InputStream in) {
        try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
