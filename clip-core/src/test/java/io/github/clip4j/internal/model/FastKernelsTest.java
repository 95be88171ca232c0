package io.github.clip4j.internal.model;

import static io.github.clip4j.internal.model.ModelFixtures.assertWithin;
import static io.github.clip4j.internal.model.ModelFixtures.cosine;
import static io.github.clip4j.internal.model.ModelFixtures.uniform;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.clip4j.Device;
import io.github.clip4j.internal.runtime.InferenceScope;
import io.github.clip4j.Precision;
import io.github.clip4j.internal.runtime.Tensors;
import io.github.clip4j.internal.weights.StateDict;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.SplittableRandom;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Every shortcut of {@link Kernels#FAST} against the straightforward computation ({@link Kernels#REFERENCE}).
 *
 * <p>Tolerances: in fp32 the fused attention and the trimmed text tower differ from the straightforward path only
 * by float rounding (different summation order): every feature within {@code 1e-5} of the largest feature
 * magnitude and cosine {@code >= 0.99999}. In bf16 (8-bit mantissa) the two paths round differently at every
 * layer, so only cosine {@code >= 0.999} to the bf16 straightforward path is claimed.
 */
class FastKernelsTest {
    private static final double FP32_RELATIVE = 1e-5;

    @ParameterizedTest(name = "{0}, causal {1}")
    @CsvSource({"Float, false", "Float, true", "BFloat16, false", "BFloat16, true"})
    void fusedAttentionEqualsStraightforward(String type, boolean causal) {
        torch.ScalarType scalarType = torch.ScalarType.valueOf(type);
        try (InferenceScope scope = InferenceScope.open()) {
            SplittableRandom random = new SplittableRandom(7);
            int n = 3;
            int l = 13;
            int d = 64;
            Tensor q = uniform(random, 2, n, l, d).to(scalarType);
            Tensor k = uniform(random, 2, n, l, d).to(scalarType);
            Tensor v = uniform(random, 2, n, l, d).to(scalarType);
            float[] plain = Tensors.toFloatArray(Attention.attend(q, k, v, 4, causal));
            float[] fused = Tensors.toFloatArray(Attention.fused(q, k, v, 4, causal));
            if (scalarType == torch.ScalarType.Float) {
                assertWithin(fused, plain, FP32_RELATIVE);
            } else {
                assertThat(cosine(fused, plain)).isGreaterThanOrEqualTo(0.999);
            }
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({
        "vit-tiny.f16.safetensors, vit-tiny, FP32",
        "vit-p14-336-tiny.jit.pt, vit-p14-336-tiny, FP32",
        "rn-tiny.safetensors, rn-tiny, FP32",
        "vit-tiny.f16.safetensors, vit-tiny, BF16",
    })
    void fastModelEqualsReferenceKernels(String file, String model, Precision precision) {
        StateDict expected = ModelFixtures.expected(model);
        StateDict weights = ModelFixtures.weights(file);
        float[] pixels = expected.get("pixels").toFloatArray();
        int n = (int) expected.get("pixels").dim(0);
        int[][] tokens = ModelFixtures.intRows(expected.get("tokens"));
        try (ClipModel fast = ClipModel.load(weights, Device.CPU, precision, Kernels.FAST);
             ClipModel plain = ClipModel.load(weights, Device.CPU, precision, Kernels.REFERENCE)) {
            assertRowsClose(fast.encodeImages(pixels, n), plain.encodeImages(pixels, n), precision);
            assertRowsClose(fast.encodeTexts(tokens), plain.encodeTexts(tokens), precision);
        }
    }

    @Test
    void trimmedTextTowerEqualsFullContext() {
        StateDict weights = ModelFixtures.weights("vit-tiny.f16.safetensors");
        int[][] tokens = shortPrompts(12, 77, 11);
        try (ClipModel trimmed = ClipModel.load(weights, Device.CPU, Precision.FP32, new Kernels(false, true, false, false));
             ClipModel full = ClipModel.load(weights, Device.CPU, Precision.FP32, Kernels.REFERENCE)) {
            assertRowsClose(trimmed.encodeTexts(tokens), full.encodeTexts(tokens), Precision.FP32);
            // one row alone is trimmed to its own length: same features as inside the batch
            float[][] single = trimmed.encodeTexts(new int[][] {tokens[5]});
            assertRowsClose(single, new float[][] {full.encodeTexts(tokens)[5]}, Precision.FP32);
        }
    }

    @Test
    void lengthGroupedBatchesKeepOrderAndValues() {
        int[][] tokens = shortPrompts(10, 77, 3);
        try (ClipModel model = ClipModel.load(ModelFixtures.weights("vit-tiny.f16.safetensors"), Device.CPU,
                Precision.FP32)) {
            float[][] grouped = model.encodeTexts(tokens, 3);
            float[][] oneBatch = model.encodeTexts(tokens);
            assertRowsClose(grouped, oneBatch, Precision.FP32);
            assertThatThrownBy(() -> model.encodeTexts(tokens, 0)).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void directBufferInputEqualsArrayInput() {
        StateDict expected = ModelFixtures.expected("vit-tiny");
        float[] pixels = expected.get("pixels").toFloatArray();
        int n = (int) expected.get("pixels").dim(0);
        FloatBuffer direct = ByteBuffer.allocateDirect(pixels.length * 4 + 8).order(ByteOrder.nativeOrder())
                .asFloatBuffer();
        direct.put(0, 42f).put(1, 42f).position(2);     // a non-zero position is honoured
        direct.put(pixels).position(2);
        try (ClipModel model = ClipModel.load(ModelFixtures.weights("vit-tiny.f16.safetensors"), Device.CPU,
                Precision.FP32)) {
            float[][] fromArray = model.encodeImages(pixels, n);
            float[][] fromBuffer = model.encodeImages(direct, n);
            for (int i = 0; i < n; i++) {
                assertThat(fromBuffer[i]).containsExactly(fromArray[i]);
            }
            assertThatThrownBy(() -> model.encodeImages(FloatBuffer.wrap(pixels), n))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("direct");
            assertThatThrownBy(() -> model.encodeImages(direct, n + 1))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("floats");
        }
    }

    /** Rows of start token, {@code 1..maxWords} random word ids, end token, zero padding. */
    static int[][] shortPrompts(int rows, int context, int seed) {
        SplittableRandom random = new SplittableRandom(seed);
        int[][] out = new int[rows][context];
        for (int[] row : out) {
            int words = 1 + random.nextInt(Math.min(20, context - 2));
            row[0] = 49406;
            for (int j = 1; j <= words; j++) {
                row[j] = 1 + random.nextInt(49000);
            }
            row[words + 1] = 49407;
        }
        return out;
    }

    private static void assertRowsClose(float[][] actual, float[][] expected, Precision precision) {
        assertThat(actual.length).isEqualTo(expected.length);
        for (int i = 0; i < expected.length; i++) {
            if (precision == Precision.FP32) {
                assertThat(cosine(actual[i], expected[i])).as("row %d cosine", i).isGreaterThanOrEqualTo(0.99999);
                assertWithin(actual[i], expected[i], FP32_RELATIVE);
            } else {
                assertThat(cosine(actual[i], expected[i])).as("row %d cosine", i).isGreaterThanOrEqualTo(0.999);
            }
        }
    }
}
