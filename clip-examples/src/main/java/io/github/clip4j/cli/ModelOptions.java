package io.github.clip4j.cli;

import io.github.clip4j.runtime.Device;
import io.github.clip4j.runtime.Precision;
import picocli.CommandLine.Option;

/** How a command runs its model: precision, device, batch size and threads (shared by the model commands). */
final class ModelOptions {
    @Option(names = "--precision", paramLabel = "P", defaultValue = "fp32",
            description = "Compute precision: fp32 (default, matches the reference), bf16 or fp16.")
    Precision precision = Precision.FP32;

    @Option(names = "--device", paramLabel = "D", defaultValue = "cpu",
            description = "Where the model runs: cpu (default) or cuda.")
    Device device = Device.CPU;

    @Option(names = "--batch-size", paramLabel = "B", defaultValue = "16",
            description = "Images or texts per encoder call (default: ${DEFAULT-VALUE}).")
    int batchSize = 16;

    @Option(names = "--threads", paramLabel = "N",
            description = "libtorch threads (default: all cores).")
    Integer threads;
}
