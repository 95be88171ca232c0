package io.github.clip4j.internal.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The very first load of libtorch, with an empty JavaCPP cache, works: each case forks fresh JVMs whose cache
 * folder ({@code org.bytedeco.javacpp.cachedir}) is a new empty directory.
 */
class NativeRuntimeFirstLoadTest {
    private static final String EXPECTED = "matmul=[[4.0, 5.0], [10.0, 11.0]]";

    @TempDir
    Path temp;

    /** Removes the caches first: JUnit warns about every symbolic link JavaCPP made to system libraries. */
    @org.junit.jupiter.api.AfterEach
    void deleteCaches() throws IOException {
        try (Stream<Path> files = Files.walk(temp)) {
            for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    private Process fork(Path cache, Path log) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new ArrayList<>(List.of(java, "-Xmx256m",
                "-Dorg.bytedeco.javacpp.cachedir=" + cache,
                "-cp", System.getProperty("java.class.path"), FirstLoadMain.class.getName()));
        return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    private static String finish(Process process, Path log) throws Exception {
        boolean done = process.waitFor(180, TimeUnit.SECONDS);
        if (!done) {
            process.destroyForcibly();
        }
        String output = Files.readString(log, StandardCharsets.UTF_8);
        assertThat(done).as("JVM finished in time; output:%n%s", output).isTrue();
        assertThat(process.exitValue()).as("exit status; output:%n%s", output).isZero();
        return output;
    }

    @Test
    void firstLoadWithAnEmptyCacheWorks() throws Exception {
        Path cache = Files.createDirectory(temp.resolve("cache"));
        Path log = temp.resolve("first.log");
        String output = finish(fork(cache, log), log);
        assertThat(output).contains(EXPECTED);
        try (Stream<Path> files = Files.walk(cache)) {
            assertThat(files.map(p -> p.getFileName().toString())).as("libraries extracted to the fresh cache")
                    .contains(System.mapLibraryName("torch_cpu"));
        }
    }

    @Test
    void twoJvmsStartingTogetherOnOneEmptyCacheBothWork() throws Exception {
        Path cache = Files.createDirectory(temp.resolve("shared-cache"));
        Path log1 = temp.resolve("a.log");
        Path log2 = temp.resolve("b.log");
        Process a = fork(cache, log1);
        Process b = fork(cache, log2);
        assertThat(finish(a, log1)).contains(EXPECTED);
        assertThat(finish(b, log2)).contains(EXPECTED);
        assertThat(new File(cache.toFile(), ".lock")).exists();
    }
}
