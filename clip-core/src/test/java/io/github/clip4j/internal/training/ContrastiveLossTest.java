package io.github.clip4j.internal.training;

import io.github.clip4j.internal.runtime.Tensors;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.github.clip4j.testsupport.Fixtures;
import io.github.clip4j.internal.weights.SafetensorsReader;
import io.github.clip4j.internal.weights.StateDict;
import java.util.Random;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;

@SuppressWarnings("try") // guards and scopes are used for their effect, not referenced
public class ContrastiveLossTest {

    @Test
    void lossEqualsHandComputation() {
        int n = 5;
        int d = 7;
        Random random = new Random(3);
        float[] image = gaussian(random, n * d);
        float[] text = gaussian(random, n * d);
        double rawScale = 2.3;
        try (PointerScope scope = new PointerScope()) {
            Tensor loss = ContrastiveLoss.loss(Tensors.fromFloats(image, n, d), Tensors.fromFloats(text, n, d),
                    Tensors.fromFloats(new float[] {(float) rawScale}));
            assertThat(loss.item_double()).isCloseTo(reference(image, text, n, d, (float) rawScale), within(1e-5));
        }
    }

    @Test
    void lossIsSymmetricInTheTowers() {
        Random random = new Random(4);
        float[] a = gaussian(random, 12);
        float[] b = gaussian(random, 12);
        try (PointerScope scope = new PointerScope()) {
            Tensor scale = Tensors.fromFloats(new float[] {1f});
            double ab = ContrastiveLoss.loss(Tensors.fromFloats(a, 4, 3), Tensors.fromFloats(b, 4, 3), scale).item_double();
            double ba = ContrastiveLoss.loss(Tensors.fromFloats(b, 4, 3), Tensors.fromFloats(a, 4, 3), scale).item_double();
            assertThat(ab).isCloseTo(ba, within(1e-6));
        }
    }

    @Test
    void lossFromReferenceLogitsMatchesFixture() {
        StateDict step = SafetensorsReader.read(Fixtures.file("training/vit-tiny.step.safetensors"));
        float[] logits = step.get("logits_per_image").toFloatArray();
        float expected = step.get("loss").toFloatArray()[0];
        try (PointerScope scope = new PointerScope()) {
            double loss = ContrastiveLoss.fromLogits(Tensors.fromFloats(logits, 4, 4)).item_double();
            assertThat(loss).isCloseTo(expected, within(1e-6 * Math.max(1, Math.abs(expected))));
        }
    }

    @Test
    void refusesASinglePair() {
        try (PointerScope scope = new PointerScope()) {
            Tensor one = Tensors.fromFloats(new float[] {1, 2}, 1, 2);
            assertThatThrownBy(() -> ContrastiveLoss.loss(one, one, Tensors.fromFloats(new float[] {1f})))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least 2 pairs");
        }
    }

    @Test
    void refusesMismatchedBatches() {
        try (PointerScope scope = new PointerScope()) {
            Tensor a = Tensors.fromFloats(new float[6], 2, 3);
            Tensor b = Tensors.fromFloats(new float[6], 3, 2);
            assertThatThrownBy(() -> ContrastiveLoss.loss(a, b, Tensors.fromFloats(new float[] {1f})))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("[2, 3]");
        }
    }

    @Test
    void clampKeepsLogitScaleWithinZeroAndLn100() {
        try (PointerScope scope = new PointerScope()) {
            Tensor high = Tensors.fromFloats(new float[] {7f}).requires_grad_(true);
            ContrastiveLoss.clampLogitScale(high);
            assertThat(high.item_double()).isCloseTo(Math.log(100), within(1e-6));
            Tensor low = Tensors.fromFloats(new float[] {-1f});
            ContrastiveLoss.clampLogitScale(low);
            assertThat(low.item_double()).isZero();
            Tensor inside = Tensors.fromFloats(new float[] {2.5f});
            ContrastiveLoss.clampLogitScale(inside);
            assertThat(inside.item_double()).isEqualTo(2.5);
        }
    }

    /** Plain-Java symmetric cross-entropy, computed in double. */
    static double reference(float[] image, float[] text, int n, int d, float rawScale) {
        double[][] logits = new double[n][n];
        double scale = Math.exp(rawScale);
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                double dot = 0;
                double ni = 0;
                double nj = 0;
                for (int k = 0; k < d; k++) {
                    dot += image[i * d + k] * text[j * d + k];
                    ni += image[i * d + k] * image[i * d + k];
                    nj += text[j * d + k] * text[j * d + k];
                }
                logits[i][j] = scale * dot / Math.sqrt(ni * nj);
            }
        }
        double perImage = 0;
        double perText = 0;
        for (int i = 0; i < n; i++) {
            double rowSum = 0;
            double columnSum = 0;
            for (int j = 0; j < n; j++) {
                rowSum += Math.exp(logits[i][j]);
                columnSum += Math.exp(logits[j][i]);
            }
            perImage += Math.log(rowSum) - logits[i][i];
            perText += Math.log(columnSum) - logits[i][i];
        }
        return (perImage / n + perText / n) / 2;
    }

    public static float[] gaussian(Random random, int count) {
        float[] out = new float[count];
        for (int i = 0; i < count; i++) {
            out[i] = (float) random.nextGaussian();
        }
        return out;
    }
}
