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

    /** OpenAI's GELU approximation {@code x * sigmoid(1.702 x)}, which the weights were trained with. */
    static Tensor quickGelu(Tensor x) {
        return x.mul(torch.sigmoid(x.mul(new Scalar(1.702))));
    }
}
