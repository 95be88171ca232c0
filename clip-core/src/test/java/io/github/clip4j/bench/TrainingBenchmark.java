package io.github.clip4j.bench;

import io.github.clip4j.training.CaptionTokenizer;
import io.github.clip4j.training.ContrastiveModel;
import io.github.clip4j.training.ContrastiveTrainer;
import io.github.clip4j.training.ImageLoader;
import io.github.clip4j.training.ImageTextDataset;
import io.github.clip4j.training.ImageTextPair;
import io.github.clip4j.training.StepProgress;
import io.github.clip4j.training.TrainingResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * Training throughput (pairs per second) of the trainer's machinery on a synthetic two-tower model of roughly
 * CLIP's feature sizes, in three modes: plain, gradient accumulation (4 micro-batches) and bf16 autocast.
 * Measures the trainer (data pipeline, loss, AdamW, scopes), not CLIP's encoders: use the real model for that
 * once it is wired in.
 *
 * <pre>
 * mvn -q -pl clip-core -am test-compile
 * java -cp "$(cat cp.txt):clip-core/target/classes:clip-core/target/test-classes" \
 *     io.github.clip4j.bench.TrainingBenchmark [pairs=512] [batch=64] [epochs=2]
 * </pre>
 */
public final class TrainingBenchmark {
    private static final int SIZE = 64;
    private static final int PIXELS = 3 * SIZE * SIZE;

    private TrainingBenchmark() {}

    public static void main(String[] args) throws Exception {
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
            ContrastiveTrainer.Builder builder = ContrastiveTrainer.builder(model, loader, tokenizer)
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
