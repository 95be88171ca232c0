package io.github.clip4j.internal.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.clip4j.Device;
import io.github.clip4j.Precision;
import io.github.clip4j.CheckpointException;
import io.github.clip4j.internal.weights.DType;
import io.github.clip4j.internal.weights.HostTensor;
import io.github.clip4j.internal.weights.StateDict;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Loading refuses tensors that do not form the inferred architecture, naming every problem. */
class StrictLoadingTest {

    private static StateDict edited(StateDict base, Map<String, HostTensor> put, String... remove) {
        Map<String, HostTensor> tensors = new LinkedHashMap<>(base.tensors());
        for (String name : remove) {
            assertThat(tensors.remove(name)).as("fixture has %s", name).isNotNull();
        }
        tensors.putAll(put);
        return new StateDict(tensors, base.metadata(), "edited-" + base.source());
    }

    private static HostTensor zeros(long... shape) {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        return new HostTensor(DType.F32, shape, ByteBuffer.allocate((int) n * 4).order(ByteOrder.LITTLE_ENDIAN));
    }

    @Test
    void reportsMissingUnexpectedAndMisshapenTensorsTogether() {
        StateDict base = ModelFixtures.weights("vit-tiny.f16.safetensors");
        StateDict broken = edited(base, Map.of(
                "visual.extra.weight", zeros(3),
                "transformer.resblocks.1.mlp.c_fc.bias", zeros(511)),
                "ln_final.bias", "visual.transformer.resblocks.0.ln_2.weight");

        assertThatThrownBy(() -> ClipModel.load(broken, Device.CPU, Precision.FP32))
                .isInstanceOf(CheckpointException.class)
                .hasMessageContaining("edited-")
                .hasMessageContaining("missing (2): ")
                .hasMessageContaining("ln_final.bias")
                .hasMessageContaining("visual.transformer.resblocks.0.ln_2.weight")
                .hasMessageContaining("unexpected (1): visual.extra.weight")
                .hasMessageContaining("wrong shape (1): transformer.resblocks.1.mlp.c_fc.bias [511] (expected [512])");
    }

    @Test
    void integerTensorsInPlaceOfWeightsAreRefusedAsTheFormatListSays() {
        // issue 18 item 19: an I16 tensor was converted silently while the message listed only float dtypes
        StateDict base = ModelFixtures.weights("vit-tiny.f16.safetensors");
        HostTensor bias = base.get("ln_final.bias");
        HostTensor shorts = new HostTensor(DType.I16, bias.shape(),
                ByteBuffer.allocate((int) bias.numel() * 2).order(ByteOrder.LITTLE_ENDIAN));
        StateDict broken = edited(base, Map.of("ln_final.bias", shorts));
        assertThatThrownBy(() -> ClipModel.load(broken, Device.CPU, Precision.FP32))
                .isInstanceOf(CheckpointException.class)
                .hasMessageContaining("ln_final.bias of dtype I16 (expected a floating-point dtype: F32, F16, BF16"
                        + " or F64)");
    }

    @Test
    void ignoresTorchScriptMetadataAndBatchNormCounters() {
        StateDict base = ModelFixtures.weights("rn-tiny.safetensors");
        assertThat(base.names()).anyMatch(n -> n.endsWith("num_batches_tracked"));
        StateDict withExtras = edited(base, Map.of("input_resolution", zeros(), "context_length", zeros(),
                "vocab_size", zeros()));
        try (ClipModel model = ClipModel.load(withExtras, Device.CPU, Precision.FP32)) {
            assertThat(model.config().visionLayers()).containsExactly(1, 1, 1, 1);
        }
    }

    @Test
    void refusesACheckpointWithoutAnImageTower() {
        StateDict base = ModelFixtures.weights("vit-tiny.f16.safetensors");
        StateDict noVisual = edited(base, Map.of(), "visual.proj");
        assertThatThrownBy(() -> ClipModel.load(noVisual, Device.CPU, Precision.FP32))
                .isInstanceOf(CheckpointException.class)
                .hasMessageContaining("not a CLIP checkpoint");
    }

    @Test
    void loadingInsideAnInferenceScopeStillGivesTrainableParameters() {
        StateDict base = ModelFixtures.weights("rn-tiny.safetensors");
        ClipModel model;
        try (io.github.clip4j.internal.runtime.InferenceScope scope = io.github.clip4j.internal.runtime.InferenceScope.open()) {
            model = ClipModel.load(base, Device.CPU, Precision.FP32);
        }
        try (model; org.bytedeco.javacpp.PointerScope scope = new org.bytedeco.javacpp.PointerScope()) {
            assertThat(model.namedTensors().values()).allSatisfy(t -> assertThat(t.is_inference()).isFalse());
            assertThat(model.namedTensors().get("visual.conv1.weight").requires_grad()).isTrue();
        }
    }

    @Test
    void parametersAreTrainableLeavesWithOpenAiNames() {
        StateDict base = ModelFixtures.weights("vit-tiny.f16.safetensors");
        try (ClipModel model = ClipModel.load(base, Device.CPU, Precision.FP32);
                org.bytedeco.javacpp.PointerScope scope = new org.bytedeco.javacpp.PointerScope()) {
            var tensors = model.namedTensors();
            assertThat(tensors.keySet()).containsExactlyInAnyOrderElementsOf(base.names());
            assertThat(tensors.values()).allSatisfy(t -> {
                assertThat(t.is_leaf()).isTrue();
                assertThat(t.requires_grad()).isTrue();
            });
        }
    }
}
