package io.github.clip4j.internal.model;

import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/** The transformer block's MLP: {@code c_fc} (width to 4 width), QuickGELU, {@code c_proj} (back to width). */
final class Mlp extends Layer {
    private final Linear fc;
    private final Linear proj;

    Mlp(Spec spec, long width) {
        this.fc = register_module("c_fc", new Linear(spec, width, 4 * width));
        this.proj = register_module("c_proj", new Linear(spec, 4 * width, width));
    }

    Tensor forward(Tensor x) {
        return proj.forward(quickGelu(fc.forward(x)));
    }

    /**
     * OpenAI's GELU approximation {@code x * sigmoid(1.702 x)}, which the weights were trained with. Without
     * autograd it is computed as {@code silu(1.702 x) / 1.702} in one buffer (libtorch's fused SiLU, in place): the
     * same value within float rounding, one temporary instead of three, which at ViT-B/32's {@code [16, 50, 3072]}
     * are 10 MB each; with autograd (training) the reference's form, whose gradient libtorch derives.
     */
    static Tensor quickGelu(Tensor x) {
        if (x.requires_grad()) {
            return x.mul(torch.sigmoid(x.mul(new Scalar(1.702))));
        }
        Tensor t = x.mul(new Scalar(1.702));
        torch.silu_(t);
        return t.div_(new Scalar(1.702));
    }
}
