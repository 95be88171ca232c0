package io.github.clip4j.cli;

import io.github.clip4j.Clip;
import io.github.clip4j.Precision;
import io.github.clip4j.training.ContrastiveTrainer;
import io.github.clip4j.training.DatasetReport;
import io.github.clip4j.training.FineTunedWeights;
import io.github.clip4j.training.ImageTextDataset;
import io.github.clip4j.internal.training.OutputFiles;
import io.github.clip4j.training.RetrievalMetrics;
import io.github.clip4j.training.StepProgress;
import io.github.clip4j.training.TrainingException;
import io.github.clip4j.training.TrainingListener;
import io.github.clip4j.training.TrainingResult;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code clip train --model M --data FILE --out CHECKPOINT [--epochs E] [--batch-size B] [--lr X] [--seed S]
 * [--held-out F] [--precision fp32|bf16] [--device D] [--threads N]}: contrastive fine-tuning of a CLIP model on image/caption pairs, saved as a checkpoint.
 *
 * <p>Everything that can be checked is checked before the model is loaded or any step is taken: the options, the
 * output path (writable, {@code .safetensors} or {@code .pt}), the dataset (rows with a missing image or an empty
 * caption are reported on stderr and skipped; a dataset without a usable pair is an error). An image that exists
 * but cannot be decoded (corrupt, truncated, not an image) is skipped during training: its pair is left out of its
 * batch (a batch left with fewer than 2 pairs is not a step), and it is reported on stderr and in {@code skipped}
 * with its {@code image} instead of a {@code line}. Progress (one line per step, the held-out figures per epoch)
 * goes to stderr; stdout gets one JSON object:
 *
 * <pre>{@code
 * {"epochs": 3, "steps": 42, "loss_first": 2.1, "loss_last": 0.4, "train_pairs": 900, "held_out_pairs": 100,
 *  "skipped": [{"line": 7, "reason": "image not found: a.jpg (looked at /data/a.jpg)"},
 *              {"image": "/data/b.png", "reason": "Cannot decode /data/b.png as PNG: ..."}],
 *  "before": {"image_to_text_r1": 0.31, ...}, "after": {"image_to_text_r1": 0.52, ...},
 *  "out": "fine-tuned.safetensors"}
 * }</pre>
 *
 * <p>{@code before}/{@code after} hold the held-out retrieval figures ({@code image_to_text_r1},
 * {@code image_to_text_r5}, {@code text_to_image_r1}, {@code text_to_image_r5} and {@code zero_shot_accuracy},
 * null when every caption is distinct); both are null when nothing is held out.
 *
 * <p>{@code --precision bf16} keeps the weights in float32 (the optimizer needs them) and runs the encoders under
 * bf16 autocast; fp16 is refused (exit 2).
 */
@Command(name = "train",
        mixinStandardHelpOptions = true,
        versionProvider = ClipCli.Version.class,
        description = {"Fine-tune a CLIP model on image/caption pairs (contrastive loss, AdamW, warm-up + cosine"
                + " schedule) and save it as a checkpoint.",
            "FILE is a CSV with an image,caption header or JSON Lines of {\"image\": ..., \"caption\": ...};"
                + " image paths are relative to FILE's folder.",
            "--precision bf16 keeps float32 weights and runs the encoders under bf16 autocast; fp16 cannot train.",
            "Prints a JSON summary on stdout; progress goes to stderr."})
final class TrainCommand implements Callable<Integer> {
    @ParentCommand
    private ClipCli cli;

    @Spec
    private CommandLine.Model.CommandSpec spec;

    @Mixin
    private ModelName model;

    /** {@code --precision}, {@code --device}, {@code --threads}; not ModelOptions, whose --batch-size is the encoder's. */
    @Mixin
    private RuntimeOptions runtime;

    @Option(names = "--data", paramLabel = "FILE", required = true,
            description = "Image/caption pairs: .csv (image,caption header) or .jsonl.")
    private Path data;

    @Option(names = "--out", paramLabel = "CHECKPOINT", required = true,
            description = "Where to save the fine-tuned weights: .safetensors or .pt (torch.save state dict).")
    private Path out;

    @Option(names = "--epochs", paramLabel = "E", defaultValue = "1",
            description = "Passes over the training pairs (default: ${DEFAULT-VALUE}).")
    private int epochs;

    @Option(names = "--batch-size", paramLabel = "B", defaultValue = "32",
            description = "Pairs per step, at least 2: each pair's negatives are the others (default: ${DEFAULT-VALUE}).")
    private int batchSize;

    @Option(names = "--lr", paramLabel = "X", defaultValue = "1e-5",
            description = "Peak learning rate (default: ${DEFAULT-VALUE}).")
    private double learningRate;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "0",
            description = "Seed of the held-out split and the shuffling (default: ${DEFAULT-VALUE}).")
    private long seed;

    @Option(names = "--held-out", paramLabel = "F", defaultValue = "0.1",
            description = "Share of the pairs held out to measure retrieval before and after training, 0 for none"
                    + " (default: ${DEFAULT-VALUE}; nothing is held out from fewer than 10 pairs).")
    private double heldOut;

    @Option(names = "--warmup", paramLabel = "STEPS", defaultValue = "-1",
            description = "Linear warm-up steps (default: 5%% of the steps).")
    private long warmup;

    @Override
    public Integer call() {
        checkOptions();
        OutputFiles.requireWritable(out, "output checkpoint");
        FineTunedWeights.requireSupported(out);
        PrintWriter err = spec.commandLine().getErr();
        ImageTextDataset dataset = ImageTextDataset.read(data);
        DatasetReport report = dataset.report();
        report.skipped().forEach(row -> err.println("clip: warning: " + data + ": skipped " + row));
        boolean evaluate = heldOut > 0 && dataset.size() >= MIN_PAIRS_TO_HOLD_OUT;
        ImageTextDataset.Split split = evaluate ? dataset.split(heldOut, seed) : null;
        ImageTextDataset train = evaluate ? split.train() : dataset;
        if (train.size() < 2) {
            throw new TrainingException("dataset " + data + " has " + train.size()
                    + " usable pair(s); contrastive training needs at least 2");
        }
        long steps = epochs * ContrastiveTrainer.stepsPerEpoch(train.size(), batchSize);
        err.printf(Locale.ROOT, "training on %d pairs (%d held out, %d skipped), %d epochs, %d steps%n",
                train.size(), evaluate ? split.heldOut().size() : 0, report.skipped().size(), epochs, steps);
        err.flush();

        // Fine-tuning keeps float32 weights (the optimizer's updates need them); bf16 runs the encoders under
        // bf16 autocast instead.
        try (Clip clip = cli.loadModel(model.value, runtime, Precision.FP32, null)) {
            ContrastiveTrainer.Builder builder = ContrastiveTrainer.builder(clip)
                    .bf16Autocast(runtime.precision == Precision.BF16)
                    .epochs(epochs).batchSize(batchSize).learningRate(learningRate)
                    .warmupSteps(warmup >= 0 ? warmup : steps / 20).seed(seed)
                    .listener(new Progress(err));
            if (evaluate) {
                builder.evaluateOn(split.heldOut());
            }
            ContrastiveTrainer trainer = builder.build();
            RetrievalMetrics before = evaluate ? trainer.evaluate(split.heldOut()) : null;
            if (before != null) {
                err.println("held-out before training: " + figures(before));
            }
            TrainingResult result = trainer.fit(train);
            if (result.steps() == 0) {
                // Nothing was learned (e.g. no batch had two readable images): saving the base model under the
                // output's name would pass an untrained checkpoint off as fine-tuned.
                throw new TrainingException("training on " + data + " took no step: no batch had two readable"
                        + " image/caption pairs (" + result.skipped().size() + " image(s) skipped as unreadable);"
                        + " nothing was written to " + out);
            }
            result.skipped().forEach(image -> err.println("clip: warning: skipped image " + image.path() + ": " + image.reason()));
            RetrievalMetrics after = result.evaluations().isEmpty() ? null
                    : result.evaluations().get(result.evaluations().size() - 1);
            Map<String, String> metadata = new LinkedHashMap<>();
            metadata.put("base_model", model.value);
            metadata.put("epochs", Integer.toString(result.epochs()));
            metadata.put("steps", Long.toString(result.steps()));
            metadata.put("batch_size", Integer.toString(batchSize));
            metadata.put("lr", Double.toString(learningRate));
            metadata.put("seed", Long.toString(seed));
            FineTunedWeights.save(clip, out, metadata);
            err.println("saved " + out);

            Map<String, Object> summary = new LinkedHashMap<>();
            summary.put("epochs", result.epochs());
            summary.put("steps", result.steps());
            summary.put("loss_first", finite(result.firstLoss()));
            summary.put("loss_last", finite(result.lastLoss()));
            summary.put("train_pairs", train.size());
            summary.put("held_out_pairs", evaluate ? split.heldOut().size() : 0);
            List<Map<String, Object>> skipped = new ArrayList<>();
            report.skipped().forEach(row -> skipped.add(Map.of("line", row.line(), "reason", row.reason())));
            result.skipped().forEach(image -> skipped.add(Map.of("image", image.path().toString(),
                    "reason", image.reason())));
            summary.put("skipped", skipped);
            summary.put("before", before == null ? null : figures(before));
            summary.put("after", after == null ? null : figures(after));
            summary.put("out", out.toString());
            PrintWriter stdout = spec.commandLine().getOut();
            Json.println(stdout, summary);
            stdout.flush();
        }
        return 0;
    }

    /** Fewer pairs than this are all trained on: a held-out part of one or two pairs says nothing. */
    private static final int MIN_PAIRS_TO_HOLD_OUT = 10;

    private void checkOptions() {
        List<String> problems = new ArrayList<>();
        if (epochs < 1) {
            problems.add("--epochs must be at least 1, not " + epochs);
        }
        if (batchSize < 2) {
            problems.add("--batch-size must be at least 2 (each pair needs another as its negative), not "
                    + batchSize);
        }
        if (!(learningRate > 0) || Double.isInfinite(learningRate)) {
            problems.add("--lr must be a positive number, not " + learningRate);
        }
        if (!(heldOut >= 0 && heldOut < 1)) {
            problems.add("--held-out must be in [0, 1), not " + heldOut);
        }
        if (runtime.precision == Precision.FP16 || runtime.precision == Precision.INT8) {
            problems.add("--precision " + runtime.precision.name().toLowerCase(java.util.Locale.ROOT)
                    + " cannot train: fine-tuning keeps float32 weights; use fp32 or bf16"
                    + " (float32 weights, encoders under bf16 autocast)");
        }
        if (!problems.isEmpty()) {
            throw new CommandLine.ParameterException(spec.commandLine(), String.join("; ", problems));
        }
    }

    /** The held-out figures under the JSON names (NaN, e.g. zero-shot accuracy without repeated captions, as null). */
    private static Map<String, Object> figures(RetrievalMetrics m) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("image_to_text_r1", m.imageToTextR1());
        out.put("image_to_text_r5", m.imageToTextR5());
        out.put("text_to_image_r1", m.textToImageR1());
        out.put("text_to_image_r5", m.textToImageR5());
        out.put("zero_shot_accuracy", finite(m.zeroShotAccuracy()));
        out.put("pairs", m.pairs());
        return out;
    }

    private static Double finite(double value) {
        return Double.isFinite(value) ? value : null;
    }

    /** One stderr line per step and per evaluation. */
    private record Progress(PrintWriter err) implements TrainingListener {
        @Override
        public void onStep(StepProgress p) {
            err.printf(Locale.ROOT, "step %d/%d  epoch %d  loss %.4f  lr %.3g  %.1f pairs/s%n", p.step(),
                    p.totalSteps(), p.epoch() + 1, p.loss(), p.learningRate(), p.samplesPerSecond());
            err.flush();
        }

        @Override
        public void onEvaluation(int epoch, RetrievalMetrics metrics) {
            err.println("held-out after epoch " + (epoch + 1) + ": " + figures(metrics));
            err.flush();
        }
    }
}
