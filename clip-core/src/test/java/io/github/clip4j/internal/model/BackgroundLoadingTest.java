package io.github.clip4j.internal.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.clip4j.CheckpointException;
import io.github.clip4j.Device;
import io.github.clip4j.Precision;
import io.github.clip4j.internal.weights.HostTensor;
import io.github.clip4j.internal.weights.StateDict;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link ClipModel.Loading}: a model whose weights are copied on a thread of their own, or whose text tower is left
 * out (what {@code clip index} loads), computes exactly what a fully loaded one does, refuses what it cannot do
 * with a clear error, and checks the checkpoint just as strictly.
 */
class BackgroundLoadingTest {

    private static float[] pixels(int n, int resolution) {
        SplittableRandom random = new SplittableRandom(11);
        float[] out = new float[n * 3 * resolution * resolution];
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) random.nextGaussian();
        }
        return out;
    }

    @ParameterizedTest
    @ValueSource(strings = {"vit-tiny.f16.safetensors", "rn-tiny.safetensors"})
    void imageFeaturesEqualAFullLoadBitForBit(String file) {
        StateDict weights = ModelFixtures.weights(file);
        ModelConfig config = ModelConfig.fromStateDict(weights);
        float[] input = pixels(3, config.imageResolution());
        int[][] tokens = {{49406, 320, 1929, 49407, 0}, {49406, 320, 49407, 0, 0}};
        try (ClipModel full = ClipModel.load(weights, config, Device.CPU, Precision.FP32, ClipModel.Loading.FULL);
             ClipModel imagesOnly = ClipModel.load(weights, config, Device.CPU, Precision.FP32,
                     new ClipModel.Loading(true, true));
             ClipModel background = ClipModel.load(weights, config, Device.CPU, Precision.FP32,
                     new ClipModel.Loading(false, true))) {
            float[][] expected = full.encodeImages(input, 3);
            assertThat(imagesOnly.encodeImages(input, 3)).isDeepEqualTo(expected);
            assertThat(background.encodeImages(input, 3)).isDeepEqualTo(expected);
            assertThat(background.encodeTexts(tokens)).isDeepEqualTo(full.encodeTexts(tokens));
            assertThat(imagesOnly.logitScale()).isEqualTo(full.logitScale());
            assertThat(imagesOnly.config()).isEqualTo(full.config());
        }
    }

    @Test
    void anImageOnlyModelRefusesTextsAndTrainingWithAClearError() {
        StateDict weights = ModelFixtures.weights("vit-tiny.f16.safetensors");
        try (ClipModel model = ClipModel.load(weights, ModelConfig.fromStateDict(weights), Device.CPU,
                Precision.FP32, new ClipModel.Loading(true, false))) {
            int[][] tokens = {{49406, 320, 49407}};
            for (Runnable use : new Runnable[] {() -> model.encodeTexts(tokens), model::module, model::namedTensors,
                    model::train}) {
                assertThatThrownBy(use::run).isInstanceOf(IllegalStateException.class)
                        .hasMessageContaining("loaded for images only");
            }
            model.eval(); // inference stays possible
            assertThat(model.encodeImages(pixels(1, model.imageResolution()), 1)[0]).hasSize(model.embedDim());
        }
    }

    @Test
    void theWholeCheckpointIsCheckedEvenWhenOnlyTheImageTowerIsCopied() {
        StateDict base = ModelFixtures.weights("vit-tiny.f16.safetensors");
        Map<String, HostTensor> tensors = new LinkedHashMap<>(base.tensors());
        tensors.remove("ln_final.bias");
        StateDict broken = new StateDict(tensors, base.metadata(), "no-text-norm");
        assertThatThrownBy(() -> ClipModel.load(broken, ModelConfig.fromStateDict(base), Device.CPU,
                Precision.FP32, new ClipModel.Loading(true, true)))
                .isInstanceOf(CheckpointException.class)
                .hasMessageContaining("missing (1): ln_final.bias");
    }

    @Test
    void closingWhileTheWeightsAreStillCopyingIsSafe() {
        StateDict weights = ModelFixtures.weights("vit-tiny.f16.safetensors");
        ModelConfig config = ModelConfig.fromStateDict(weights);
        for (int i = 0; i < 20; i++) {
            ClipModel model = ClipModel.load(weights, config, Device.CPU, Precision.FP32,
                    new ClipModel.Loading(i % 2 == 0, true));
            model.close(); // waits for the copy to stop before freeing what it writes into
            assertThatThrownBy(() -> model.encodeImages(pixels(1, 224), 1))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
        }
    }

    @Test
    void int8LoadsEverythingAtOnce() {
        // INT8 quantizes the linear layers once their weights are in: the options do not apply to it
        StateDict weights = ModelFixtures.weights("vit-tiny.f16.safetensors");
        ModelConfig config = ModelConfig.fromStateDict(weights);
        org.junit.jupiter.api.Assumptions.assumeTrue(
                io.github.clip4j.internal.runtime.CpuFeatures.current().isFast(Precision.INT8), "no AVX2");
        int[][] tokens = {{49406, 320, 49407}};
        try (ClipModel full = ClipModel.load(weights, config, Device.CPU, Precision.INT8, ClipModel.Loading.FULL);
             ClipModel model = ClipModel.load(weights, config, Device.CPU, Precision.INT8,
                     new ClipModel.Loading(true, true))) {
            assertThat(model.encodeTexts(tokens)).isDeepEqualTo(full.encodeTexts(tokens));
        }
    }
}
