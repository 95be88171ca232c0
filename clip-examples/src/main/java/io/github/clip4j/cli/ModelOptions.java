package io.github.clip4j.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import picocli.CommandLine.Option;

/**
 * How a command runs its model: precision, device and threads ({@link RuntimeOptions}) and the encoder batch size
 * (shared by the model commands).
 */
final class ModelOptions extends RuntimeOptions {
    /** The help of every command's {@code --model}. */
    static final String MODEL_DESCRIPTION =
            "A released model name (ViT-B/32, RN50, ...), a checkpoint file or a Hugging Face folder.";

    @Option(names = "--batch-size", paramLabel = "B", defaultValue = "16",
            description = "Images or texts per encoder call (default: ${DEFAULT-VALUE}).")
    int batchSize = 16;

    /**
     * {@code work} applied to {@code items} {@link #batchSize} at a time, the results in order; {@code progress}
     * hears after each batch.
     */
    <T, R> List<R> inBatches(List<T> items, Progress progress, Function<List<T>, List<R>> work) {
        List<R> results = new ArrayList<>(items.size());
        for (int from = 0; from < items.size(); from += batchSize) {
            int to = Math.min(items.size(), from + batchSize);
            results.addAll(work.apply(items.subList(from, to)));
            progress.stepTo(to);
        }
        return results;
    }
}
