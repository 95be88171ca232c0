package io.github.clip4j.internal.model;

import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.global.torch;

/** {@code nn.Linear}: {@code y = x W^T + b}, with {@code weight [out, in]} and {@code bias [out]}. */
final class Linear extends Layer {
    private final Tensor weight;
    private final Tensor bias;

    Linear(Spec spec, long in, long out) {
        this.weight = parameter(spec, "weight", out, in);
        this.bias = parameter(spec, "bias", out);
    }

    Tensor forward(Tensor x) {
        return torch.linear(x, weight, new TensorOptional(bias));
    }

    Tensor weight() {
        return weight;
    }

    Tensor bias() {
        return bias;
    }
}
