package io.github.clip4j.internal.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.github.clip4j.internal.runtime.NativeRuntime;
import io.github.clip4j.testsupport.Fixtures;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * clip4j's inference prints no libtorch warning: "... is deprecated" the first time each legacy fbgemm operator
 * runs in a process (fp32 on fp16-packed weights and INT8; {@link LegacyFbgemm#prepare}), and "Could not initialize
 * NNPACK" at every convolution where NNPACK cannot start (NNPACK is switched off at bootstrap). A fresh JVM is
 * needed: the fbgemm warnings are once per process. Native code writes them to file descriptor 2, so the child's
 * output is read, not {@code System.err}.
 */
class QuietLibtorchTest {
    @TempDir
    Path temp;

    @Test
    void inferencePrintsNoLibtorchWarnings() throws Exception {
        NativeRuntime.ensureLoaded();
        assumeTrue(LegacyFbgemm.available(), "fbgemm needs an x86-64 CPU with AVX2");
        Path log = temp.resolve("child.log");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process child = new ProcessBuilder(List.of(java, "-Xmx512m", "-cp", System.getProperty("java.class.path"),
                QuietLibtorchMain.class.getName(), Fixtures.file("models/vit-tiny.f16.safetensors").toString(),
                Fixtures.file("models/rn-tiny.safetensors").toString()))
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        boolean done = child.waitFor(180, TimeUnit.SECONDS);
        if (!done) {
            child.destroyForcibly();
        }
        String output = Files.readString(log, StandardCharsets.UTF_8);
        assertThat(done).as("finished; output:%n%s", output).isTrue();
        assertThat(child.exitValue()).as("exit status; output:%n%s", output).isZero();
        assertThat(output).contains("ViT FP32 features", "ViT INT8 features", "ResNet FP32 features",
                QuietLibtorchMain.MARKER);
        int marker = output.indexOf(QuietLibtorchMain.MARKER);
        assertThat(output.substring(0, marker)).as("clip4j's own calls").doesNotContain("deprecated", "NNPACK",
                "Warning:");
        // libtorch's log level is back: its warnings print again, which also shows the check above can fail
        assertThat(output.substring(marker)).contains("Warning: An output with one or more elements was resized");
    }
}
