package io.github.clip4j.internal.weights;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.clip4j.testsupport.Fixtures;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Every format of the tiny fixture models reads to the same OpenAI-named tensors with the same values. */
class CheckpointFixturesTest {
    private static final Path MODELS = Path.of("models");

    private static StateDict read(String name) {
        return CheckpointReader.read(Fixtures.file(MODELS.resolve(name).toString()));
    }

    @Test
    void detectsEachFormatFromContent() {
        assertThat(CheckpointReader.detect(Fixtures.file("models/vit-tiny.jit.pt")))
                .isEqualTo(CheckpointFormat.TORCHSCRIPT);
        assertThat(CheckpointReader.detect(Fixtures.file("models/vit-tiny.state_dict.pt")))
                .isEqualTo(CheckpointFormat.TORCH_STATE_DICT);
        assertThat(CheckpointReader.detect(Fixtures.file("models/vit-tiny.f16.safetensors")))
                .isEqualTo(CheckpointFormat.SAFETENSORS);
        assertThat(CheckpointReader.detect(Fixtures.file("models/vit-tiny.hf")))
                .isEqualTo(CheckpointFormat.HUGGING_FACE);
    }

    @Test
    void allFourVitTinyFormatsAgreeOnNamesShapesAndValues() {
        StateDict reference = read("vit-tiny.state_dict.pt");
        assertThat(reference.size()).isEqualTo(62);
        for (String other : new String[] {"vit-tiny.jit.pt", "vit-tiny.f16.safetensors", "vit-tiny.hf"}) {
            StateDict weights = read(other);
            assertThat(new TreeSet<>(weights.names())).as(other).isEqualTo(new TreeSet<>(reference.names()));
            for (String name : reference.names()) {
                HostTensor expected = reference.get(name);
                HostTensor actual = weights.get(name);
                assertThat(actual.shape()).as(other + " " + name).isEqualTo(expected.shape());
                assertThat(actual.toFloatArray()).as(other + " " + name).isEqualTo(expected.toFloatArray());
            }
        }
    }

    @Test
    void torchScriptKeepsOpenAiDtypesAndDescriptiveBuffersAsMetadata() {
        StateDict jit = read("vit-tiny.jit.pt");
        // convert_weights: conv/linear/attention weights and the projections are fp16, the rest fp32.
        assertThat(jit.get("visual.conv1.weight").dtype()).isEqualTo(DType.F16);
        assertThat(jit.get("text_projection").dtype()).isEqualTo(DType.F16);
        assertThat(jit.get("transformer.resblocks.0.attn.in_proj_weight").dtype()).isEqualTo(DType.F16);
        assertThat(jit.get("ln_final.weight").dtype()).isEqualTo(DType.F32);
        assertThat(jit.get("positional_embedding").dtype()).isEqualTo(DType.F32);
        assertThat(jit.metadata()).containsEntry("input_resolution", "224")
                .containsEntry("context_length", "77").containsEntry("vocab_size", "49408");
        assertThat(jit.names()).doesNotContain("input_resolution", "attn_mask");
    }

    @Test
    void tensorBytesAreMappedNotCopiedIntoTheHeap() {
        for (String name : new String[] {"vit-tiny.jit.pt", "vit-tiny.state_dict.pt", "vit-tiny.f16.safetensors"}) {
            assertThat(read(name).get("token_embedding.weight").data().isDirect()).as(name).isTrue();
        }
    }

    @Test
    void stateDictIsFloat32() {
        StateDict sd = read("vit-tiny.state_dict.pt");
        assertThat(sd.tensors().values()).allSatisfy(t -> assertThat(t.dtype()).isEqualTo(DType.F32));
    }

    @Test
    void vitP14At336() {
        StateDict jit = read("vit-p14-336-tiny.jit.pt");
        assertThat(jit.metadata()).containsEntry("input_resolution", "336");
        assertThat(jit.get("visual.positional_embedding").shape()).containsExactly(577, 64);
        assertThat(jit.get("visual.conv1.weight").shape()).containsExactly(64, 3, 14, 14);
        assertThat(jit.names()).allSatisfy(n -> assertThat(n).doesNotContain("attn_mask"));
    }

    /** The ViT tensor count model.py's CLIP(...) has for the constructor arguments in the expected outputs. */
    @ParameterizedTest
    @ValueSource(strings = {"vit-tiny", "vit-p14-336-tiny"})
    void torchScriptHoldsExactlyTheParametersOfTheConstructorArguments(String model) throws Exception {
        JsonNode config = new ObjectMapper().readTree(SafetensorsReader.read(
                Fixtures.file("models/" + model + ".expected.safetensors")).metadata().get("config"));
        int embedDim = config.get(0).asInt();
        int visionLayers = config.get(2).asInt();
        int textWidth = config.get(7).asInt();
        int textLayers = config.get(9).asInt();
        StateDict jit = read(model + ".jit.pt");
        // 3 top-level (positional_embedding, text_projection, logit_scale), 8 visual outside the blocks
        // (class/positional embedding, proj, conv1, ln_pre, ln_post), 12 per residual block, and
        // token_embedding + ln_final.
        assertThat(jit.size()).isEqualTo(3 + 8 + 12 * visionLayers + 12 * textLayers + 3);
        assertThat(jit.get("text_projection").shape()).containsExactly(textWidth, embedDim);
        assertThat(jit.metadata()).containsEntry("context_length", config.get(5).asText())
                .containsEntry("vocab_size", config.get(6).asText());
    }

    @Test
    void modifiedResNetWithBatchNormStatistics() {
        StateDict rn = read("rn-tiny.safetensors");
        assertThat(rn.size()).isEqualTo(141);
        assertThat(rn.get("visual.bn1.num_batches_tracked").dtype()).isEqualTo(DType.I64);
        for (float v : rn.get("visual.bn1.running_var").toFloatArray()) {
            assertThat(v).isPositive();
        }
        assertThat(rn.get("visual.attnpool.positional_embedding").shape()).containsExactly(50, 512);
    }

    @Test
    void huggingFaceFolderExposesItsPreprocessor() {
        Path folder = Fixtures.file("models/vit-tiny.hf");
        PreprocessorConfig p = HuggingFaceReader.preprocessor(folder).orElseThrow();
        assertThat(p.mean()).containsExactly(0.48145466f, 0.4578275f, 0.40821073f);
        assertThat(p.std()).containsExactly(0.26862954f, 0.26130258f, 0.27577711f);
        assertThat(p.resizeShortestEdge()).isEqualTo(224);
        assertThat(p.cropSize()).isEqualTo(224);
        Map<String, String> metadata = HuggingFaceReader.read(folder).metadata();
        assertThat(metadata).containsEntry("input_resolution", "224").containsEntry("context_length", "77")
                .containsEntry("image_resize", "224");
    }
}
