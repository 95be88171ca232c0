package io.github.clip4j.internal.training;

import io.github.clip4j.internal.runtime.Tensors;
import io.github.clip4j.training.WeightDecayRule;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.github.clip4j.testsupport.Fixtures;
import io.github.clip4j.internal.weights.SafetensorsReader;
import io.github.clip4j.internal.weights.StateDict;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;

@SuppressWarnings("try") // guards and scopes are used for their effect, not referenced
public class AdamWOptimizerTest {
    private static final double B1 = 0.9;
    private static final double B2 = 0.98;
    private static final double EPS = 1e-6;
    private static final double WD = 0.2;

    @Test
    void matchesHandWrittenAdamWWithClipDecayGroups() {
        checkAgainstReference(WeightDecayRule.CLIP);
    }

    @Test
    void matchesHandWrittenAdamWWhenEverythingDecays() {
        checkAgainstReference(WeightDecayRule.ALL);
    }

    @Test
    void clipRuleExemptsGainsBiasesEmbeddingsAndLogitScale() {
        assertThat(WeightDecayRule.CLIP.decays("visual.conv1.weight", 4)).isTrue();
        assertThat(WeightDecayRule.CLIP.decays("text_projection", 2)).isTrue();
        assertThat(WeightDecayRule.CLIP.decays("visual.transformer.resblocks.0.attn.in_proj_weight", 2)).isTrue();
        assertThat(WeightDecayRule.CLIP.decays("ln_final.weight", 1)).isFalse();
        assertThat(WeightDecayRule.CLIP.decays("transformer.resblocks.1.mlp.c_fc.bias", 1)).isFalse();
        assertThat(WeightDecayRule.CLIP.decays("token_embedding.weight", 2)).isFalse();
        assertThat(WeightDecayRule.CLIP.decays("positional_embedding", 2)).isFalse();
        assertThat(WeightDecayRule.CLIP.decays("visual.class_embedding", 1)).isFalse();
        assertThat(WeightDecayRule.CLIP.decays("logit_scale", 0)).isFalse();
    }

    /** One step over the reference gradients reproduces PyTorch 1.13's AdamW output of the fixture. */
    @Test
    void oneStepMatchesReferenceFixture() {
        StateDict weights = SafetensorsReader.read(Fixtures.file("models/vit-tiny.f16.safetensors"));
        StateDict step = SafetensorsReader.read(Fixtures.file("training/vit-tiny.step.safetensors"));
        List<String> names = step.names().stream().filter(n -> n.startsWith("grad/"))
                .map(n -> n.substring("grad/".length())).toList();
        assertThat(names).hasSize(8);
        try (PointerScope scope = new PointerScope()) {
            Map<String, Tensor> params = new LinkedHashMap<>();
            for (String name : names) {
                params.put(name, tensor(weights.get(name).toFloatArray(), weights.get(name).shape()));
            }
            try (AdamWOptimizer optimizer = new AdamWOptimizer(params, WeightDecayRule.ALL, 1e-3, WD, B1, B2, EPS)) {
                for (String name : names) {
                    setGradient(params.get(name), step.get("grad/" + name).toFloatArray());
                }
                optimizer.step();
            }
            for (String name : names) {
                float[] actual = Tensors.toFloatArray(params.get(name));
                float[] expected = step.get("after_adamw/" + name).toFloatArray();
                assertThat(actual).as(name).hasSameSizeAs(expected);
                for (int i = 0; i < expected.length; i++) {
                    assertThat(actual[i]).as("%s[%d]", name, i).isCloseTo(expected[i], within(2e-7f + 1e-6f * Math.abs(expected[i])));
                }
            }
        }
    }

    private static void checkAgainstReference(WeightDecayRule rule) {
        Random random = new Random(11);
        Map<String, float[]> initial = new LinkedHashMap<>();
        initial.put("visual.proj", ContrastiveLossTest.gaussian(random, 12));
        initial.put("ln_final.bias", ContrastiveLossTest.gaussian(random, 4));
        initial.put("token_embedding.weight", ContrastiveLossTest.gaussian(random, 6));
        initial.put("logit_scale", new float[] {2.6592f});
        Map<String, long[]> shapes = Map.of("visual.proj", new long[] {3, 4}, "ln_final.bias", new long[] {4},
                "token_embedding.weight", new long[] {2, 3}, "logit_scale", new long[] {});
        double[] rates = {1e-2, 5e-3, 2e-3};
        try (PointerScope scope = new PointerScope()) {
            Map<String, Tensor> params = new LinkedHashMap<>();
            initial.forEach((name, values) -> params.put(name, tensor(values, shapes.get(name))));
            Map<String, ReferenceAdamW> reference = new LinkedHashMap<>();
            initial.forEach((name, values) -> reference.put(name,
                    new ReferenceAdamW(values, rule.decays(name, shapes.get(name).length) ? WD : 0)));
            try (AdamWOptimizer optimizer = new AdamWOptimizer(params, rule, rates[0], WD, B1, B2, EPS)) {
                for (double rate : rates) {
                    optimizer.setLearningRate(rate);
                    optimizer.zeroGrad();
                    for (String name : initial.keySet()) {
                        float[] gradient = ContrastiveLossTest.gaussian(random, initial.get(name).length);
                        setGradient(params.get(name), gradient);
                        reference.get(name).step(gradient, rate);
                    }
                    optimizer.step();
                }
            }
            for (String name : initial.keySet()) {
                float[] actual = Tensors.toFloatArray(params.get(name));
                double[] expected = reference.get(name).values;
                for (int i = 0; i < expected.length; i++) {
                    assertThat((double) actual[i]).as("%s[%d]", name, i).isCloseTo(expected[i], within(1e-6));
                }
            }
        }
    }

    /** PyTorch's AdamW (amsgrad off), written out in double precision. */
    private static final class ReferenceAdamW {
        final double[] values;
        final double[] m;
        final double[] v;
        final double weightDecay;
        int t;

        ReferenceAdamW(float[] initial, double weightDecay) {
            values = new double[initial.length];
            for (int i = 0; i < initial.length; i++) {
                values[i] = initial[i];
            }
            m = new double[initial.length];
            v = new double[initial.length];
            this.weightDecay = weightDecay;
        }

        void step(float[] g, double lr) {
            t++;
            double bc1 = 1 - Math.pow(B1, t);
            double bc2 = 1 - Math.pow(B2, t);
            for (int i = 0; i < values.length; i++) {
                values[i] *= 1 - lr * weightDecay;
                m[i] = B1 * m[i] + (1 - B1) * g[i];
                v[i] = B2 * v[i] + (1 - B2) * g[i] * g[i];
                double denom = Math.sqrt(v[i]) / Math.sqrt(bc2) + EPS;
                values[i] -= lr / bc1 * m[i] / denom;
            }
        }
    }

    static Tensor tensor(float[] values, long[] shape) {
        return Tensors.fromFloats(values, shape).requires_grad_(true);
    }

    /** Accumulates exactly {@code gradient} into {@code p.grad} (the gradient of {@code sum(p * gradient)}). */
    public static void setGradient(Tensor p, float[] gradient) {
        long[] shape = new long[(int) p.dim()];
        for (int i = 0; i < shape.length; i++) {
            shape[i] = p.size(i);
        }
        p.mul(Tensors.fromFloats(gradient, shape)).sum().backward();
    }
}
