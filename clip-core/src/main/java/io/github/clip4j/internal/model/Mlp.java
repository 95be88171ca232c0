package io.github.clip4j.internal.model;

import org.bytedeco.pytorch.GradMode;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/** The transformer block's MLP: {@code c_fc} (width to 4 width), QuickGELU, {@code c_proj} (back to width). */
final class Mlp extends Layer {
    private static final double GELU_SCALE = 1.702;

    private final Linear fc;
    private final Linear proj;

    Mlp(Spec spec, long width) {
        this.fc = register_module("c_fc", new Linear(spec, width, 4 * width));
        this.proj = register_module("c_proj", new Linear(spec, 4 * width, width));
    }

    Tensor forward(Tensor x) {
        if (GradMode.is_enabled()) {
            return proj.forward(quickGelu(fc.forward(x)));
        }
        // OpenAI's GELU approximation x * sigmoid(1.702 x) as silu(1.702 x) / 1.702, in fc's output buffer (libtorch's
        // fused SiLU, in place): one [16, 50, 3072] buffer for ViT-B/32 instead of three. On fp16-packed weights the
        // scalings cost no pass of their own: c_fc applies 1.702 where it adds its bias, and c_proj applies 1 / 1.702
        // to its 4x narrower output where it adds its own
        Tensor h = fc.forwardScaled(x, GELU_SCALE);
        torch.silu_(h);
        return proj.forwardScaledInput(h, 1 / GELU_SCALE);
    }

    /**
     * OpenAI's GELU approximation {@code x * sigmoid(1.702 x)}, which the weights were trained with, in the
     * reference's form, whose gradient libtorch derives (training).
     */
    static Tensor quickGelu(Tensor x) {
        return x.mul(torch.sigmoid(x.mul(new Scalar(GELU_SCALE))));
    }
}
