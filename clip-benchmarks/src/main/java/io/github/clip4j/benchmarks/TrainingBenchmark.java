package io.github.clip4j.benchmarks;

import io.github.clip4j.internal.training.TrainerAccess;
import io.github.clip4j.internal.model.ClipModel;
import io.github.clip4j.Device;
import io.github.clip4j.internal.runtime.NativeRuntime;
import io.github.clip4j.Precision;
import io.github.clip4j.internal.training.CaptionTokenizer;
import io.github.clip4j.internal.training.ContrastiveModel;
import io.github.clip4j.training.ContrastiveTrainer;
import io.github.clip4j.internal.training.ImageLoader;
import io.github.clip4j.training.ImageTextDataset;
import io.github.clip4j.training.ImageTextPair;
import io.github.clip4j.training.StepProgress;
import io.github.clip4j.training.TrainingListener;
import io.github.clip4j.training.TrainingResult;
import io.github.clip4j.internal.weights.CheckpointReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.SplittableRandom;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * Training speed and memory (not a test; run by hand). Three benchmarks:
 *
 * <ul>
 *   <li>{@code clip [threads] [steps] [tiny|vit-b32|all]}: optimizer steps per second of the real CLIP at batch 32, for the tiny
 *       fixture model and a ViT-B/32-shaped model with random weights, each in fp32 and with bf16 autocast, and
 *       the peak resident memory of each run (images are random pixels made in memory: this measures the model,
 *       the loss and AdamW, not decoding);
 *   <li>{@code memory [threads] [steps]}: native memory of the tiny model over 1,000 steps (batch 8): live JavaCPP
 *       objects and resident memory after 100 steps and at the end;
 *   <li>{@code machinery [pairs] [batch] [epochs]}: the trainer's own overhead on a synthetic two-tower model
 *       (plain, 4 accumulated micro-batches, bf16 autocast).
 * </ul>
 *
 * <pre>
 * mvn -B -DskipTests package -pl clip-benchmarks -am
 * java -Dclip4j.fixtures=../shared/fixtures -cp clip-benchmarks/target/benchmarks.jar \
 *     io.github.clip4j.benchmarks.TrainingBenchmark clip 1 4
 * </pre>
 */
public final class TrainingBenchmark {
    private static final int SIZE = 64;
    private static final int PIXELS = 3 * SIZE * SIZE;

    private TrainingBenchmark() {}

    public static void main(String[] args) throws Exception {
        String mode = args.length > 0 ? args[0] : "clip";
        String[] rest = java.util.Arrays.copyOfRange(args, Math.min(1, args.length), args.length);
        switch (mode) {
            case "clip" -> clipSpeed(rest);
            case "memory" -> clipMemory(rest);
            case "machinery" -> machinery(rest);
            default -> throw new IllegalArgumentException("mode must be clip, memory or machinery, not " + mode);
        }
    }

    private static void machinery(String[] args) throws Exception {
        int pairs = args.length > 0 ? Integer.parseInt(args[0]) : 512;
        int batch = args.length > 1 ? Integer.parseInt(args[1]) : 64;
        int epochs = args.length > 2 ? Integer.parseInt(args[2]) : 2;
        Path dir = Files.createTempDirectory("clip4j-train-bench");
        List<ImageTextPair> list = new ArrayList<>();
        for (int i = 0; i < pairs; i++) {
            Path file = Files.writeString(dir.resolve(i + ".img"), Integer.toString(i));
            list.add(new ImageTextPair(file, "caption number " + i));
        }
        ImageTextDataset data = ImageTextDataset.of(list);
        ImageLoader loader = ImageLoader.of(new long[] {3, SIZE, SIZE}, path -> {
            Random random = new Random(Files.readString(path).hashCode());
            float[] pixels = new float[PIXELS];
            for (int i = 0; i < PIXELS; i++) {
                pixels[i] = (float) random.nextGaussian();
            }
            return pixels;
        });
        CaptionTokenizer tokenizer = caption -> {
            int[] ids = new int[77];
            for (int i = 0; i < Math.min(77, caption.length()); i++) {
                ids[i] = caption.charAt(i) % 512;
            }
            return ids;
        };
        System.out.printf("%d pairs, batch %d, %d epochs, %d intra-op threads%n", pairs, batch, epochs,
                torch.get_num_threads());
        for (String mode : List.of("plain", "accumulate x4", "bf16 autocast")) {
            SyntheticTowers model = new SyntheticTowers();
            List<StepProgress> steps = new ArrayList<>();
            ContrastiveTrainer.Builder builder = TrainerAccess.builder(model, loader, tokenizer)
                    .epochs(epochs).batchSize(batch).learningRate(1e-4).warmupSteps(2).maxGradientNorm(1.0)
                    .listener(steps::add);
            if (mode.startsWith("accumulate")) {
                builder.microBatchSize(Math.max(1, batch / 4));
            }
            if (mode.startsWith("bf16")) {
                builder.bf16Autocast(true);
            }
            long start = System.nanoTime();
            TrainingResult result = builder.build().fit(data);
            double seconds = (System.nanoTime() - start) / 1e9;
            double steady = steps.stream().skip(2).mapToDouble(StepProgress::samplesPerSecond).average().orElse(Double.NaN);
            System.out.printf("%-14s %4d steps in %6.2f s: %7.1f pairs/s overall, %7.1f pairs/s per step after"
                    + " warm-up, loss %.3f -> %.3f%n", mode, result.steps(), seconds, result.steps() * batch / seconds,
                    steady, result.firstLoss(), result.lastLoss());
        }
    }

    private static final int CLIP_BATCH = 32;

    /** Steps/s and peak memory of the tiny fixture CLIP and a random ViT-B/32, fp32 and bf16 autocast. */
    private static void clipSpeed(String[] args) throws Exception {
        int threads = args.length > 0 ? Integer.parseInt(args[0]) : 2;
        int steps = args.length > 1 ? Integer.parseInt(args[1]) : 4;
        String models = args.length > 2 ? args[2] : "all";
        NativeRuntime.setThreads(threads);
        Path vitB32 = Files.createTempFile("vit-b32-random", ".safetensors");
        try {
            RandomCheckpoints.writeSafetensors(ModelShape.VIT_B_32, vitB32);
            Path tiny = Path.of(System.getProperty("clip4j.fixtures", "../shared/fixtures"), "models",
                    "vit-tiny.state_dict.pt");
            List<Path> checkpoints = switch (models) {
                case "tiny" -> List.of(tiny);
                case "vit-b32" -> List.of(vitB32);
                default -> List.of(tiny, vitB32);
            };
            for (Path checkpoint : checkpoints) {
                String name = checkpoint == tiny ? "vit-tiny" : "ViT-B/32 (random)";
                for (boolean bf16 : new boolean[] {false, true}) {
                    resetPeakRss();
                    long baseline = ProcessMemory.peakResidentKb();
                    try (ClipModel clip = ClipModel.load(CheckpointReader.read(checkpoint), Device.CPU,
                            Precision.FP32)) {
                        List<StepProgress> progress = new ArrayList<>();
                        train(clip, CLIP_BATCH, steps, bf16, progress::add);
                        // the first step allocates the optimizer state and warms up the kernels: not counted
                        double seconds = progress.stream().skip(1)
                                .mapToDouble(p -> CLIP_BATCH / p.samplesPerSecond()).sum();
                        System.out.printf("%-18s %-5s batch %d, %d threads: %.3f steps/s (%.1f pairs/s) over %d"
                                + " steps after the first; peak RSS %d MB (%d MB before loading)%n", name,
                                bf16 ? "bf16" : "fp32", CLIP_BATCH, threads, (steps - 1) / seconds,
                                (steps - 1) * CLIP_BATCH / seconds, steps - 1, ProcessMemory.peakResidentKb() / 1024,
                                baseline / 1024);
                    }
                }
            }
        } finally {
            Files.deleteIfExists(vitB32);
        }
    }

    /** Live native objects and resident memory of the tiny CLIP over many steps: they must not grow per step. */
    private static void clipMemory(String[] args) throws Exception {
        int threads = args.length > 0 ? Integer.parseInt(args[0]) : 1;
        int steps = args.length > 1 ? Integer.parseInt(args[1]) : 1000;
        NativeRuntime.setThreads(threads);
        Path tiny = Path.of(System.getProperty("clip4j.fixtures", "../shared/fixtures"), "models",
                "vit-tiny.state_dict.pt");
        long[] count = new long[2];
        long[] rss = new long[2];
        long start = System.nanoTime();
        try (ClipModel clip = ClipModel.load(CheckpointReader.read(tiny), Device.CPU, Precision.FP32)) {
            train(clip, 8, steps, false, p -> {
                if (p.step() == 100 || p.step() == steps) {
                    int i = p.step() == 100 ? 0 : 1;
                    System.gc();
                    count[i] = Pointer.totalCount();
                    rss[i] = Pointer.physicalBytes();
                }
                if (p.step() % 100 == 0) {
                    System.out.printf("step %d: %d live native objects, RSS %d MB, loss %.3f%n", p.step(),
                            Pointer.totalCount(), Pointer.physicalBytes() >> 20, p.loss());
                }
            });
        }
        System.out.printf("vit-tiny, batch 8, %d threads, %d steps in %.0f s: live native objects %d -> %d, resident"
                + " memory %d MB -> %d MB from step 100 to %d%n", threads, steps, (System.nanoTime() - start) / 1e9,
                count[0], count[1], rss[0] >> 20, rss[1] >> 20, steps);
    }

    /** {@code steps} steps of {@code batch} random pairs (random pixels, short random captions). */
    private static void train(ClipModel clip, int batch, int steps, boolean bf16, TrainingListener listener)
            throws IOException {
        int side = clip.imageResolution();
        int pixels = 3 * side * side;
        Path dir = Files.createTempDirectory("clip4j-train-bench");
        List<ImageTextPair> pairs = new ArrayList<>();
        for (int i = 0; i < batch * steps; i++) {
            pairs.add(new ImageTextPair(dir.resolve(i + ".png"), "caption " + i)); // never read
        }
        ImageLoader loader = ImageLoader.of(new long[] {3, side, side}, path -> {
            SplittableRandom random = new SplittableRandom(path.getFileName().toString().hashCode());
            float[] values = new float[pixels];
            for (int i = 0; i < pixels; i++) {
                values[i] = (float) (random.nextDouble() * 4 - 2);
            }
            return values;
        });
        int context = clip.contextLength();
        CaptionTokenizer tokenizer = caption -> {
            SplittableRandom random = new SplittableRandom(caption.hashCode());
            int[] ids = new int[context];
            ids[0] = 49406;
            for (int i = 1; i <= 12; i++) {
                ids[i] = random.nextInt(1, 49406);
            }
            ids[13] = 49407;
            return ids;
        };
        TrainerAccess.builder(ContrastiveModel.of(clip), loader, tokenizer)
                .batchSize(batch).learningRate(1e-5).bf16Autocast(bf16).decodeThreads(1)
                .listener(listener).build().fit(ImageTextDataset.of(pairs));
    }

    /** Resets the process's peak resident set (VmHWM) so that each run reports its own peak (Linux only). */
    private static void resetPeakRss() {
        try {
            Files.writeString(Path.of("/proc/self/clear_refs"), "5");
        } catch (IOException | RuntimeException e) {
            System.out.println("cannot reset the peak RSS (" + e + "); peaks are cumulative");
        }
    }

    /** A patch-embedding image tower and a token-embedding text tower with CLIP-like widths (512). */
    private static final class SyntheticTowers implements ContrastiveModel {
        private final Module root = new Module();
        private final List<Module> children = new ArrayList<>();
        private final Tensor patch;
        private final Tensor imageProj;
        private final Tensor tokens;
        private final Tensor textProj;
        private final Tensor logitScale;

        SyntheticTowers() {
            torch.manual_seed(0);
            Module visual = child("visual");
            Module embedding = child("token_embedding");
            patch = own(visual, "patch", torch.randn(PIXELS / 64, 512).mul(new Scalar(0.02)));
            imageProj = own(visual, "proj", torch.randn(512, 512).mul(new Scalar(0.02)));
            tokens = own(embedding, "weight", torch.randn(512, 512).mul(new Scalar(0.02)));
            textProj = own(root, "text_projection", torch.randn(512, 512).mul(new Scalar(0.02)));
            logitScale = own(root, "logit_scale", torch.ones(1).mul(new Scalar(Math.log(1 / 0.07))).reshape());
        }

        private Module child(String name) {
            Module m = new Module();
            root.register_module(name, m);
            children.add(m);
            return m;
        }

        private static Tensor own(Module m, String name, Tensor t) {
            return new Tensor(m.register_parameter(name, t));
        }

        @Override
        public Module module() {
            return root;
        }

        @Override
        public Tensor encodeImage(Tensor pixels) {
            Tensor x = pixels.reshape(pixels.size(0), 64, PIXELS / 64).matmul(patch).tanh().mean(1);
            return x.matmul(imageProj);
        }

        @Override
        public Tensor encodeText(Tensor ids) {
            long n = ids.size(0);
            Tensor x = tokens.index_select(0, ids.reshape(-1)).reshape(n, ids.size(1), 512).tanh().mean(1);
            return x.matmul(textProj);
        }

        @Override
        public Tensor logitScale() {
            return logitScale;
        }
    }
}
