package io.github.clip4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.clip4j.testsupport.Fixtures;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
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

    private static void assertOneLineError(ChildProcess.Result run, String fragment) {
        assertThat(run.status()).as(run.err()).isEqualTo(1);
        assertThat(run.out()).isEmpty();
        assertThat(run.err().lines().toList()).as(run.err()).hasSize(1);
        assertThat(run.err()).startsWith("clip: error: ").contains(fragment).doesNotContain("\tat ");
        assertThat(run.seconds()).as("seconds").isLessThan(40);
    }


    private static ChildProcess.Result clipJar(List<String> args) {
        Path jar = Path.of("target", "clip.jar");
        assertThat(jar).as("built by the package phase").isRegularFile();
        List<String> command = new ArrayList<>(List.of(
                ChildProcess.java(), "-Xmx512m",
                "-Dclip4j.bpe=" + Fixtures.bpeVocabulary(), "-jar", jar.toString()));
        command.addAll(args);
        return ChildProcess.run(new ProcessBuilder(command), 120, "clip.jar");
    }

}
