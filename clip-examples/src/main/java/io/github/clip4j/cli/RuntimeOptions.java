package io.github.clip4j.cli;

import io.github.clip4j.Device;
import io.github.clip4j.Precision;
import picocli.CommandLine.Option;

/**
 * Where and how a model runs: {@code --precision}, {@code --device}, {@code --threads}. Every command that loads a
 * model has them: {@link ModelOptions} adds the encoder {@code --batch-size}; {@code train}, whose
 * {@code --batch-size} means pairs per step, mixes in these alone.
 */
class RuntimeOptions {
    @Option(names = "--precision", paramLabel = "P", defaultValue = "fp32",
            description = "Compute precision: fp32 (default, matches the reference), bf16, fp16 or int8 (inference only).")
    Precision precision = Precision.FP32;

    @Option(names = "--device", paramLabel = "D", defaultValue = "cpu",
            description = "Where the model runs: cpu (default) or cuda.")
    Device device = Device.CPU;

    @Option(names = "--threads", paramLabel = "N",
            description = "Threads per encoder call (default: all cores; fp32 gives them to the matrix library).")
    Integer threads;
}
