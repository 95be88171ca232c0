package io.github.clip4j.benchmarks;

import io.github.clip4j.internal.model.ClipModel;
import io.github.clip4j.Device;
import io.github.clip4j.internal.runtime.NativeRuntime;
import io.github.clip4j.Precision;
import io.github.clip4j.internal.weights.CheckpointReader;
import io.github.clip4j.internal.weights.StateDict;
import java.nio.file.Path;

/**
 * Loads one checkpoint in a fresh JVM and prints {@code seconds peakBeforeKb peakAfterKb}: the load time
 * (reading + building + converting) and the process's peak resident memory ({@code VmHWM}) before and after.
 * {@link ClipBenchmark} runs it as a child process so every load starts from a clean peak.
 *
 * <pre>java -cp benchmarks.jar io.github.clip4j.benchmarks.LoadProbe FILE fp32|bf16|fp16</pre>
 */
public final class LoadProbe {
    private LoadProbe() {}

    public static void main(String[] args) {
        Path file = Path.of(args[0]);
        Precision precision = Precision.valueOf(args[1].toUpperCase(java.util.Locale.ROOT));
        NativeRuntime.ensureLoaded();
        long before = ProcessMemory.peakResidentKb();
        long start = System.nanoTime();
        StateDict weights = CheckpointReader.read(file);
        try (ClipModel model = ClipModel.load(weights, Device.CPU, precision)) {
            double seconds = (System.nanoTime() - start) / 1e9;
            System.out.printf(java.util.Locale.ROOT, "%.3f %d %d%n", seconds, before, ProcessMemory.peakResidentKb());
        }
    }
}
