package io.github.clip4j.internal.model;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.clip4j.Device;
import io.github.clip4j.Precision;
import io.github.clip4j.internal.runtime.Tensors;
import io.github.clip4j.testsupport.Fixtures;
import io.github.clip4j.internal.weights.HostTensor;
import io.github.clip4j.internal.weights.SafetensorsReader;
import io.github.clip4j.internal.weights.StateDict;
import java.util.Map;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Test;

/**
 * The model is differentiable like the reference: the symmetric contrastive loss of one batch and its gradients
 * match {@code training/vit-tiny.step.safetensors} (the training itself is another package's job).
 */
class GradientTest {

    @Test
    void contrastiveLossAndGradientsMatchTheReference() {
        StateDict step = SafetensorsReader.read(Fixtures.file("training/vit-tiny.step.safetensors"));
        try (ClipModel model = ClipModel.load(ModelFixtures.weights("vit-tiny.f16.safetensors"), Device.CPU,
                Precision.FP32);
                PointerScope scope = new PointerScope()) {
            model.train();
            Tensor pixels = Tensors.view(step.get("pixels"));
            Tensor tokens = Tensors.view(step.get("tokens"));
            ClipModel.Logits logits = model.forward(pixels, tokens);
            Tensor labels = torch.arange(new Scalar(4L));
            Tensor loss = torch.cross_entropy(logits.perImage(), labels)
                    .add(torch.cross_entropy(logits.perText(), labels)).div(new Scalar(2.0));
            assertThat(loss.item_float()).isCloseTo(step.get("loss").toFloatArray()[0],
                    org.assertj.core.api.Assertions.within(1e-5f));
            loss.backward();

            Map<String, Tensor> parameters = model.namedTensors();
            int checked = 0;
            for (String key : step.names()) {
                if (!key.startsWith("grad/")) {
                    continue;
                }
                String name = key.substring("grad/".length());
                HostTensor want = step.get(key);
                float[] expected = want.toFloatArray();
                float[] actual = Tensors.toFloatArray(parameters.get(name).grad());
                assertThat(actual).as(name).hasSize(expected.length);
                double maxAbs = 0;
                double maxDiff = 0;
                for (int i = 0; i < expected.length; i++) {
                    maxAbs = Math.max(maxAbs, Math.abs(expected[i]));
                    maxDiff = Math.max(maxDiff, Math.abs(expected[i] - actual[i]));
                }
                assertThat(maxDiff).as("max |grad difference| of %s (largest |grad| %s)", name, maxAbs)
                        .isLessThanOrEqualTo(1e-4 * maxAbs + 1e-7);
                checked++;
            }
            assertThat(checked).isEqualTo(8);
        }
    }
}
