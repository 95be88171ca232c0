package io.github.clip4j.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.clip4j.Clip;
import io.github.clip4j.internal.runtime.NativeRuntime;
import io.github.clip4j.Precision;
import io.github.clip4j.testsupport.Fixtures;
import io.github.clip4j.tokenizer.ClipTokenizer;
import io.github.clip4j.internal.weights.CheckpointReader;
import io.github.clip4j.internal.weights.StateDict;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fine-tunes the tiny fixture CLIP (random weights) on generated coloured shapes: the loss falls, held-out
 * retrieval rises well above chance, and the saved checkpoints reload with identical embeddings.
 */
class FineTuningTest {
    private static final Logger LOG = LoggerFactory.getLogger(FineTuningTest.class);
    private static ClipTokenizer tokenizer;
    private static int threads;

    @TempDir
    Path dir;

    @BeforeAll
    static void loadTokenizer() {
        tokenizer = ClipTokenizer.load(Fixtures.bpeVocabulary());
        threads = NativeRuntime.threads();
    }

    @AfterAll
    static void restoreThreads() {
        if (threads > 0) {
            NativeRuntime.setThreads(threads);
        }
    }

    private static Clip load(Path checkpoint) {
        // one intra-op thread: on a loaded 2-core machine OpenMP's spinning workers make each op very slow
        return Clip.builder().model(checkpoint).tokenizer(tokenizer).precision(Precision.FP32).threads(1).build();
    }

    @Test
    void learnsShapesAndSavesCheckpointsThatReloadIdentically() throws IOException {
        Path csv = ShapesDataset.write(Files.createDirectory(dir.resolve("shapes")), 10, 7);
        ImageTextDataset.Split split = ImageTextDataset.read(csv).split(0.3, 1);
        int classes = ShapesDataset.COLOURS.size() * ShapesDataset.SHAPES.size();
        try (Clip clip = load(Fixtures.file("models/vit-tiny.state_dict.pt"))) {
            ContrastiveTrainer trainer = ContrastiveTrainer.builder(clip)
                    .epochs(8).batchSize(16).learningRate(1e-3).warmupSteps(4).seed(3)
                    .evaluateOn(split.heldOut()).decodeThreads(2).build();
            RetrievalMetrics before = trainer.evaluate(split.heldOut());
            long started = System.nanoTime();
            TrainingResult result = trainer.fit(split.train());
            RetrievalMetrics after = result.evaluations().get(result.evaluations().size() - 1);
            LOG.info("{} steps in {} s; loss {} -> {}; held-out {} -> {}", result.steps(),
                    (System.nanoTime() - started) / 1_000_000_000.0, result.firstLoss(), result.lastLoss(), before,
                    after);

            int perEpoch = (int) (result.steps() / result.epochs());
            double firstEpoch = mean(result.losses().subList(0, perEpoch));
            double lastEpoch = mean(result.losses().subList(result.losses().size() - perEpoch,
                    result.losses().size()));
            assertThat(lastEpoch).as("mean loss of the last epoch vs the first").isLessThan(0.6 * firstEpoch);
            double chance = 1.0 / classes;
            assertThat(after.imageToTextR1()).as("held-out image-to-text recall@1 (chance %s)", chance)
                    .isGreaterThanOrEqualTo(Math.max(3 * chance, before.imageToTextR1() + 0.2));
            assertThat(after.zeroShotAccuracy()).isGreaterThanOrEqualTo(3 * chance);

            List<Path> images = split.heldOut().pairs().stream().map(ImageTextPair::image).limit(6).toList();
            List<String> texts = new ArrayList<>(List.of("a red circle", "a blue triangle", "a green square"));
            float[][] wantImages = clip.imageFeatures(images);
            float[][] wantTexts = clip.textFeatures(texts);

            StateDict reference = CheckpointReader.read(Fixtures.file("models/vit-tiny.state_dict.pt"));
            for (String name : List.of("fine-tuned.safetensors", "fine-tuned.pt")) {
                Path file = dir.resolve(name);
                FineTunedWeights.save(clip, file);
                StateDict saved = CheckpointReader.read(file);
                assertThat(saved.names()).as("tensor names of %s: the reference's state dict", name)
                        .containsExactlyElementsOf(reference.names());
                try (Clip reloaded = load(file)) {
                    assertThat(reloaded.imageFeatures(images)).as(name).isDeepEqualTo(wantImages);
                    assertThat(reloaded.textFeatures(texts)).as(name).isDeepEqualTo(wantTexts);
                    assertThat(reloaded.logitScale()).isEqualTo(clip.logitScale());
                }
            }
        }
    }

    @Test
    void refusesUnknownCheckpointExtensions() {
        assertThatThrownBy(() -> FineTunedWeights.requireSupported(dir.resolve("weights.bin")))
                .isInstanceOf(TrainingException.class).hasMessageContaining("weights.bin")
                .hasMessageContaining(".safetensors");
        assertThat(FineTunedWeights.Format.of(Path.of("a/b.SafeTensors")))
                .isEqualTo(FineTunedWeights.Format.SAFETENSORS);
        assertThat(FineTunedWeights.Format.of(Path.of("b.pth"))).isEqualTo(FineTunedWeights.Format.TORCH);
    }

    private static double mean(List<Double> values) {
        return values.stream().mapToDouble(Double::doubleValue).average().orElseThrow();
    }
}
