package io.github.clip4j.internal.model;

import static io.github.clip4j.internal.model.ModelFixtures.assertFeaturesClose;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.github.clip4j.Device;
import io.github.clip4j.Precision;
import io.github.clip4j.internal.weights.StateDict;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The encoders against the reference's outputs for the tiny fixture models, in fp32. */
class ClipModelFixtureTest {

    static Stream<Arguments> models() {
        return Stream.of(
                Arguments.of("vit-tiny", "vit-tiny.f16.safetensors"),
                Arguments.of("vit-tiny", "vit-tiny.jit.pt"),
                Arguments.of("vit-tiny", "vit-tiny.state_dict.pt"),
                Arguments.of("vit-tiny", "vit-tiny.hf"),
                Arguments.of("vit-p14-336-tiny", "vit-p14-336-tiny.jit.pt"),
                Arguments.of("rn-tiny", "rn-tiny.safetensors"));
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("models")
    void inferredConfigMatchesReferenceConstructorArguments(String model, String file) {
        StateDict expected = ModelFixtures.expected(model);
        assertThat(ModelConfig.fromStateDict(ModelFixtures.weights(file)))
                .isEqualTo(ModelFixtures.referenceConfig(expected));
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("models")
    void fp32MatchesReference(String model, String file) {
        StateDict expected = ModelFixtures.expected(model);
        float[][] wantImages = ModelFixtures.rows(expected.get("image_features"));
        float[][] wantTexts = ModelFixtures.rows(expected.get("text_features"));
        float[][] wantLogits = ModelFixtures.rows(expected.get("logits_per_image"));
        float[] pixels = expected.get("pixels").toFloatArray();
        int[][] tokens = ModelFixtures.intRows(expected.get("tokens"));
        int n = wantImages.length;

        try (ClipModel clip = ClipModel.load(ModelFixtures.weights(file), Device.CPU, Precision.FP32)) {
            assertFeaturesClose("image", clip.encodeImages(pixels, n), wantImages);
            assertFeaturesClose("text", clip.encodeTexts(tokens), wantTexts);
            float[][] logits = clip.logits(pixels, n, tokens);
            assertThat(logits).hasDimensions(wantLogits.length, wantLogits[0].length);
            for (int i = 0; i < logits.length; i++) {
                for (int j = 0; j < logits[i].length; j++) {
                    assertThat(logits[i][j]).as("logits_per_image[%d][%d]", i, j)
                            .isCloseTo(wantLogits[i][j], within(1e-4f));
                }
            }
        }
    }

}
