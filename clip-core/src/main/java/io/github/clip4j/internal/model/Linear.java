package io.github.clip4j.internal.model;

import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.global.torch;

/** {@code nn.Linear}: {@code y = x W^T + b}, with {@code weight [out, in]} and {@code bias [out]}. */
final class Linear extends Layer {
    private final Tensor weight;
    private final Tensor bias;
    /** The int8 form (INT8 precision), made once the weights are loaded; null otherwise. */
    private volatile QuantizedLinear int8;

    Linear(Spec spec, long in, long out) {
        this.weight = parameter(spec, "weight", out, in);
        this.bias = parameter(spec, "bias", out);
        if (spec.int8) {
            spec.afterLoad(() -> int8 = QuantizedLinear.of(weight, bias));
        }
    }

    Tensor forward(Tensor x) {
        QuantizedLinear q = int8;
        return q != null ? q.forward(x) : torch.linear(x, weight, new TensorOptional(bias));
    }

    Tensor weight() {
        return weight;
    }

    Tensor bias() {
        return bias;
    }
}
