package io.github.clip4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Runs a child process to its end for the jar and distribution ITs: exit status, stdout, stderr and wall time. */
final class ChildProcess {
    /** What the process did. */
    record Result(int status, String out, String err, double seconds) {}

    private ChildProcess() {}

    /** {@return the {@code java} launcher of the JVM running the tests} */
    static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /**
     * Starts {@code builder}, reads both streams (stderr on another thread, so neither pipe fills up) and waits.
     *
     * @param builder the command, its folder and environment
     * @param timeoutSeconds how long the process may take; longer fails the test
     * @param what the process, for the failure message
     * @return the exit status, the outputs and the wall time
     */
    static Result run(ProcessBuilder builder, long timeoutSeconds, String what) {
        long start = System.nanoTime();
        try {
            Process process = builder.start();
            CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> readAll(process.getErrorStream()));
            String out = readAll(process.getInputStream());
            assertThat(process.waitFor(timeoutSeconds, TimeUnit.SECONDS)).as(what + " finished").isTrue();
            return new Result(process.exitValue(), out, err.join(), (System.nanoTime() - start) / 1e9);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
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
