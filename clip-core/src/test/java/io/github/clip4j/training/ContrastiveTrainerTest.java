package io.github.clip4j.training;

import io.github.clip4j.internal.training.TrainerAccess;
import io.github.clip4j.internal.training.AdamWOptimizerTest;
import io.github.clip4j.internal.training.ContrastiveLossTest;
import io.github.clip4j.internal.training.ContrastiveModel;
import io.github.clip4j.internal.training.ImageLoader;
import io.github.clip4j.internal.training.NamedParameters;
import io.github.clip4j.internal.training.OutputFiles;
import io.github.clip4j.internal.runtime.Tensors;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@SuppressWarnings("try") // guards and scopes are used for their effect, not referenced
class ContrastiveTrainerTest {
    @TempDir
    Path dir;

    private ContrastiveTrainer.Builder builder(ToyModel model) {
        return TrainerAccess.builder(model, ToyData.loader(), ToyData.tokenizer()).decodeThreads(2);
    }

    @Test
    void builderRefusesBadArguments() {
        ToyModel model = ToyData.model(1);
        assertThatThrownBy(() -> builder(model).batchSize(1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("batch size must be >= 2");
        assertThatThrownBy(() -> builder(model).learningRate(0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("learning rate");
        assertThatThrownBy(() -> builder(model).learningRate(-1e-4))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("-1.0E-4");
        assertThatThrownBy(() -> builder(model).batchSize(4).microBatchSize(8).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("exceeds batch size 4");
        assertThatThrownBy(() -> builder(model).freeze(Tower.SHARED))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> builder(model).epochs(0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void refusesBadInputsBeforeAnyStep() throws IOException {
        ToyModel model = ToyData.model(1);
        ImageTextDataset data = ToyData.dataset(dir, 2);
        List<StepProgress> steps = new ArrayList<>();
        ContrastiveTrainer.Builder b = builder(model).batchSize(4).listener(steps::add);

        assertThatThrownBy(() -> b.build().fit(ImageTextDataset.of(List.of())))
                .isInstanceOf(TrainingException.class).hasMessageContaining("0 usable pair(s)");
        Path noFolder = dir.resolve("missing/run.pt");
        assertThatThrownBy(() -> b.checkpoint(noFolder, 0).build().fit(data))
                .isInstanceOf(TrainingException.class).hasMessageContaining(noFolder.toString())
                .hasMessageContaining("does not exist");
        Path underAFile = Files.writeString(dir.resolve("plain.txt"), "x").resolve("run.pt");
        assertThatThrownBy(() -> b.checkpoint(underAFile, 0).build().fit(data))
                .isInstanceOf(TrainingException.class).hasMessageContaining("cannot write checkpoint");
        assertThatThrownBy(() -> b.checkpoint(dir, 0).build().fit(data))
                .isInstanceOf(TrainingException.class).hasMessageContaining("is a directory");
        assertThatThrownBy(() -> builder(model).resumeFrom(dir.resolve("none.pt")).build().fit(data))
                .isInstanceOf(TrainingException.class).hasMessageContaining("none.pt");
        assertThat(steps).isEmpty();
        assertThatThrownBy(() -> OutputFiles.requireWritable(noFolder, "output weights"))
                .isInstanceOf(TrainingException.class).hasMessageStartingWith("cannot write output weights");
        OutputFiles.requireWritable(dir.resolve("fine.safetensors"), "output weights");
        assertThat(dir.resolve("fine.safetensors")).doesNotExist();
    }

    @Test
    void refusesAnInt8Model() {
        try (io.github.clip4j.Clip clip = io.github.clip4j.Clip.builder()
                .model(io.github.clip4j.testsupport.Fixtures.file("models/vit-tiny.f16.safetensors"))
                .tokenizer(io.github.clip4j.tokenizer.ClipTokenizer.load(
                        io.github.clip4j.testsupport.Fixtures.bpeVocabulary()))
                .precision(io.github.clip4j.Precision.INT8).build()) {
            assertThatThrownBy(() -> ContrastiveTrainer.builder(clip)).isInstanceOf(TrainingException.class)
                    .hasMessageContaining("INT8").hasMessageContaining("Precision.FP32");
        }
    }

    @Test
    void refusesHalfPrecisionWeights() throws IOException {
        ToyModel model = ToyData.model(1);
        try (org.bytedeco.pytorch.NoGradGuard guard = new org.bytedeco.pytorch.NoGradGuard()) {
            Tensor proj = NamedParameters.parameters(model.module()).get("visual.proj");
            proj.set_data(proj.to(torch.ScalarType.Half));
        }
        assertThatThrownBy(() -> builder(model).batchSize(4).build().fit(ToyData.dataset(dir, 1)))
                .isInstanceOf(TrainingException.class).hasMessageContaining("visual.proj")
                .hasMessageContaining("Precision.FP32");
    }

    @Test
    void shufflingIsSeededPerEpochAndCoversEveryPair() throws IOException {
        List<ImageTextPair> pairs = ToyData.dataset(dir, 3).pairs(); // 18 pairs
        ContrastiveTrainer a = builder(ToyData.model(1)).batchSize(4).seed(5).build();
        ContrastiveTrainer same = builder(ToyData.model(2)).batchSize(4).seed(5).build();
        ContrastiveTrainer other = builder(ToyData.model(1)).batchSize(4).seed(6).build();
        assertThat(a.batches(pairs, 0)).isEqualTo(same.batches(pairs, 0));
        assertThat(a.batches(pairs, 1)).isEqualTo(same.batches(pairs, 1)).isNotEqualTo(a.batches(pairs, 0));
        assertThat(other.batches(pairs, 0)).isNotEqualTo(a.batches(pairs, 0));
        List<List<ImageTextPair>> batches = a.batches(pairs, 0);
        assertThat(batches).hasSize(5).allSatisfy(batch -> assertThat(batch.size()).isBetween(2, 4));
        assertThat(batches.stream().flatMap(List::stream).toList()).hasSameElementsAs(pairs).hasSize(18);
        // 17 pairs: the last batch would hold one pair, which has no negative, so it is dropped
        List<List<ImageTextPair>> odd = a.batches(pairs.subList(0, 17), 0);
        assertThat(odd).hasSize(4).allSatisfy(batch -> assertThat(batch).hasSize(4));
    }

    @Test
    void accumulatedGradientsEqualFullBatchGradients() {
        int n = 7;
        float[] pixels = ContrastiveLossTest.gaussian(new java.util.Random(2), n * ToyData.PIXELS);
        long[] tokens = new long[n * ToyData.CONTEXT];
        for (int i = 0; i < tokens.length; i++) {
            tokens[i] = (i * 7 + 3) % ToyModel.VOCAB;
        }
        Map<String, float[]> full = gradients(n, pixels, tokens, n);
        Map<String, float[]> accumulated = gradients(n, pixels, tokens, 3); // micro-batches of 3, 3, 1
        assertThat(accumulated.keySet()).containsExactlyElementsOf(full.keySet()).contains("logit_scale");
        full.forEach((name, expected) -> {
            float[] actual = accumulated.get(name);
            double scale = 0;
            for (float v : expected) {
                scale = Math.max(scale, Math.abs(v));
            }
            assertThat(scale).as(name).isGreaterThan(0);
            for (int i = 0; i < expected.length; i++) {
                assertThat((double) actual[i]).as("%s[%d]", name, i).isCloseTo(expected[i], within(1e-5 * scale));
            }
        });
    }

    private Map<String, float[]> gradients(int n, float[] pixels, long[] tokens, int microBatch) {
        ToyModel model = ToyData.model(9);
        ContrastiveTrainer trainer = builder(model).batchSize(n).microBatchSize(microBatch).build();
        try (PointerScope scope = new PointerScope()) {
            trainer.computeGradients(Tensors.fromFloats(pixels, n, 3, 4, 4), Tensors.fromLongs(tokens, n,
                    ToyData.CONTEXT), true, true);
            Map<String, float[]> out = new java.util.LinkedHashMap<>();
            NamedParameters.parameters(model.module()).forEach((name, p) -> out.put(name, Tensors.toFloatArray(p.grad())));
            return out;
        }
    }

    @Test
    void clippingCapsTheGradientNormAndReportsTheNormBeforeClipping() throws IOException {
        ImageTextDataset data = ToyData.dataset(dir, 2);
        List<StepProgress> clipped = new ArrayList<>();
        builder(ToyData.model(3)).batchSize(12).maxGradientNorm(1e-3).listener(clipped::add).build().fit(data);
        List<StepProgress> unclipped = new ArrayList<>();
        builder(ToyData.model(3)).batchSize(12).listener(unclipped::add).build().fit(data);
        assertThat(unclipped.get(0).gradientNorm()).isNaN();
        // the first step's gradients are the same in both runs (same model, same batch)
        double norm = clipped.get(0).gradientNorm();
        assertThat(norm).isGreaterThan(1e-3);
        assertThat(clipped.get(0).loss()).isEqualTo(unclipped.get(0).loss());

        // and clip_grad_norm_ scales the gradients down to exactly the maximum
        try (PointerScope scope = new PointerScope()) {
            Tensor p = Tensors.fromFloats(new float[] {1, 2}, 2).requires_grad_(true);
            AdamWOptimizerTest.setGradient(p, new float[] {3, 4});
            double before = torch.clip_grad_norm_(new TensorVector(p), 1.0);
            assertThat(before).isCloseTo(5.0, within(1e-6));
            assertThat(Tensors.toFloatArray(p.grad())).containsExactly(new float[] {0.6f, 0.8f}, within(1e-6f));
        }
    }

    @Test
    void lossFallsAndRetrievalImprovesOnALearnableToyTask() throws IOException {
        ImageTextDataset data = ToyData.dataset(dir, 8); // 48 pairs, 6 classes
        ImageTextDataset.Split split = data.split(0.25, 3);
        List<StepProgress> steps = new ArrayList<>();
        ToyModel model = ToyData.model(4);
        ContrastiveTrainer trainer = builder(model).epochs(8).batchSize(12).microBatchSize(6).learningRate(1e-2)
                .warmupSteps(3).weightDecay(0.01).maxGradientNorm(5).seed(1).evaluateOn(split.heldOut())
                .listener(steps::add).build();
        for (int i = 0; i < 3; i++) {
            System.gc(); // Java wrappers of native modules and tensors must survive collection
        }
        RetrievalMetrics before = trainer.evaluate(split.heldOut());
        TrainingResult result = trainer.fit(split.train());

        assertThat(result.steps()).isEqualTo(24);
        assertThat(result.epochs()).isEqualTo(8);
        assertThat(result.stopped()).isFalse();
        assertThat(steps).hasSize(24);
        assertThat(steps.get(23).step()).isEqualTo(24);
        assertThat(steps.get(0).learningRate()).isCloseTo(1e-2 / 3, within(1e-12));
        assertThat(steps).allSatisfy(s -> assertThat(s.samplesPerSecond()).isPositive())
                .allSatisfy(s -> assertThat(s.logitScale()).isBetween(1.0, 100.0));
        double firstEpoch = result.losses().subList(0, 3).stream().mapToDouble(Double::doubleValue).average().orElseThrow();
        double lastEpoch = result.losses().subList(21, 24).stream().mapToDouble(Double::doubleValue).average().orElseThrow();
        assertThat(lastEpoch).isLessThan(0.5 * firstEpoch);
        assertThat(result.evaluations()).hasSize(8);
        RetrievalMetrics after = result.evaluations().get(7);
        assertThat(after.pairs()).isEqualTo(12);
        assertThat(after.zeroShotAccuracy()).isGreaterThan(before.zeroShotAccuracy()).isGreaterThanOrEqualTo(0.9);
        assertThat(after.imageToTextR1()).isGreaterThanOrEqualTo(0.9);
        assertThat(after.textToImageR5()).isGreaterThanOrEqualTo(after.textToImageR1());
    }

    @Test
    void bf16AutocastTrainsToo() throws IOException {
        ImageTextDataset data = ToyData.dataset(dir, 4);
        TrainingResult result = builder(ToyData.model(4)).epochs(6).batchSize(8).microBatchSize(4).learningRate(1e-2)
                .bf16Autocast(true).seed(2).build().fit(data);
        assertThat(result.losses()).allSatisfy(loss -> assertThat(loss).isFinite());
        assertThat(result.lastLoss()).isLessThan(0.7 * result.firstLoss());
        assertThat(org.bytedeco.pytorch.global.torch.is_autocast_enabled(
                org.bytedeco.pytorch.global.torch.DeviceType.CPU)).as("autocast switched off again").isFalse();
    }

    @Test
    void decodingRunsOnBackgroundThreads() throws IOException {
        ImageTextDataset data = ToyData.dataset(dir, 2);
        java.util.Set<String> threads = java.util.concurrent.ConcurrentHashMap.newKeySet();
        ImageLoader base = ToyData.loader();
        ImageLoader recording = ImageLoader.of(ToyData.IMAGE_SHAPE, path -> {
            threads.add(Thread.currentThread().getName());
            return base.load(path);
        });
        TrainerAccess.builder(ToyData.model(1), recording, ToyData.tokenizer()).batchSize(4).decodeThreads(2)
                .prefetchBatches(2).build().fit(data);
        assertThat(threads).isNotEmpty().allSatisfy(name -> assertThat(name).startsWith("clip4j-decode-"));
    }

    @Test
    void aModelAssembledFromPartsTrains() throws IOException {
        ToyModel toy = ToyData.model(5);
        ContrastiveModel parts = ContrastiveModel.of(toy.module(), toy::encodeImage, toy::encodeText, toy.logitScale());
        Map<String, float[]> before = snapshot(toy);
        TrainingResult result = TrainerAccess.builder(parts, ToyData.loader(), ToyData.tokenizer()).batchSize(6)
                .learningRate(1e-2).build().fit(ToyData.dataset(dir, 2));
        assertThat(result.steps()).isEqualTo(2);
        assertThat(snapshot(toy).get("visual.proj")).isNotEqualTo(before.get("visual.proj"));
    }

    @Test
    void freezingATowerKeepsItsParametersFixed() throws IOException {
        ImageTextDataset data = ToyData.dataset(dir, 2);
        ToyModel model = ToyData.model(5);
        Map<String, float[]> before = snapshot(model);
        builder(model).batchSize(6).learningRate(1e-2).freeze(Tower.IMAGE).build().fit(data);
        Map<String, float[]> after = snapshot(model);
        NamedParameters.parameters(model.module()).forEach((name, p) ->
                assertThat(p.requires_grad()).as("%s trainable again after fit", name).isTrue());
        for (String name : before.keySet()) {
            if (name.startsWith("visual.")) {
                assertThat(after.get(name)).as(name).containsExactly(before.get(name));
            } else {
                assertThat(after.get(name)).as(name).isNotEqualTo(before.get(name));
            }
        }
    }

    @Test
    void resumingGivesTheSameResultAsAnUninterruptedRun() throws IOException {
        ImageTextDataset data = ToyData.dataset(dir, 3); // 18 pairs: 4 steps of up to 5 pairs per epoch
        ToyModel straight = ToyData.model(6);
        TrainingResult whole = resumable(straight).build().fit(data);
        assertThat(whole.steps()).isEqualTo(12);

        Path checkpoint = dir.resolve("resume.pt");
        ToyModel interrupted = ToyData.model(6);
        TrainingResult first = resumable(interrupted).checkpoint(checkpoint, 0).stopAfterSteps(5).build().fit(data);
        assertThat(first.stopped()).isTrue();
        assertThat(first.steps()).isEqualTo(5);
        assertThat(checkpoint).exists();

        ToyModel resumed = ToyData.model(77); // different initial weights: everything must come from the file
        TrainingResult rest = resumable(resumed).resumeFrom(checkpoint).build().fit(data);
        assertThat(rest.steps()).isEqualTo(12);
        assertThat(rest.losses()).hasSize(7);
        assertThat(rest.losses()).containsExactlyElementsOf(whole.losses().subList(5, 12));
        Map<String, float[]> expected = snapshot(straight);
        snapshot(resumed).forEach((name, values) -> assertThat(values).as(name).containsExactly(expected.get(name)));

        assertThatThrownBy(() -> resumable(ToyData.model(6)).seed(99).resumeFrom(checkpoint).build().fit(data))
                .isInstanceOf(TrainingException.class).hasMessageContaining("seed 3");
    }

    @Test
    void aStopRequestEndsTheRunAfterTheCurrentStepAndWritesTheResumeFile() throws IOException {
        ImageTextDataset data = ToyData.dataset(dir, 3);
        Path checkpoint = dir.resolve("stop.pt");
        ContrastiveTrainer[] trainer = new ContrastiveTrainer[1];
        trainer[0] = resumable(ToyData.model(6)).checkpoint(checkpoint, 0).listener(step -> {
            if (step.step() == 2) {
                trainer[0].requestStop();
            }
        }).build();
        TrainingResult result = trainer[0].fit(data);
        assertThat(result.stopped()).isTrue();
        assertThat(result.steps()).isEqualTo(2);
        assertThat(checkpoint).exists();
    }

    private ContrastiveTrainer.Builder resumable(ToyModel model) {
        return builder(model).epochs(3).batchSize(5).microBatchSize(2).learningRate(5e-3).warmupSteps(2).seed(3)
                .maxGradientNorm(1.0);
    }

    @Test
    void exportsParametersAsAStateDict() {
        ToyModel model = ToyData.model(8);
        var state = NamedParameters.toStateDict(model.module(), "toy");
        assertThat(state.names()).containsExactly("text_projection", "logit_scale", "visual.proj",
                "visual.ln_post.bias", "visual.fc.weight", "token_embedding.weight", "ln_final.bias");
        assertThat(state.get("visual.proj").shape()).containsExactly(16, 8);
        assertThat(state.get("logit_scale").toFloatArray()[0]).isCloseTo((float) Math.log(1 / 0.07), within(1e-6f));
    }

    @Test
    void anUndecodableImageStopsTrainingWithItsPath() throws IOException {
        ImageTextDataset data = ToyData.dataset(dir, 2);
        Path broken = data.pairs().get(3).image();
        Files.writeString(broken, "not numbers");
        assertThatThrownBy(() -> builder(ToyData.model(1)).batchSize(12).build().fit(data))
                .isInstanceOf(TrainingException.class).hasMessageContaining(broken.toString());
    }

    static Map<String, float[]> snapshot(ToyModel model) {
        Map<String, float[]> out = new java.util.LinkedHashMap<>();
        try (PointerScope scope = new PointerScope()) {
            NamedParameters.parameters(model.module()).forEach((name, p) -> out.put(name, Tensors.toFloatArray(p)));
        }
        return out;
    }
}
