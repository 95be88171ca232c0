package io.github.clip4j.internal.model;

import org.bytedeco.pytorch.Tensor;

/** {@code nn.Linear}: {@code y = x W^T + b}, with {@code weight [out, in]} and {@code bias [out]}. */
final class Linear extends Layer {
    private final Tensor weight;
    private final Tensor bias;
    private final LinearProduct product;

    Linear(Spec spec, long in, long out) {
        this.weight = parameter(spec, "weight", out, in);
        this.bias = parameter(spec, "bias", out);
        this.product = new LinearProduct(spec, weight, bias, true);
    }

    Tensor forward(Tensor x) {
        return product.forward(x);
    }

    /** {@code scale * forward(x)}: see {@link LinearProduct#forwardScaled}. */
    Tensor forwardScaled(Tensor x, double scale) {
        return product.forwardScaled(x, scale);
    }

    /** {@code forward(scale * x)}, overwriting {@code x}: see {@link LinearProduct#forwardScaledInput}. */
    Tensor forwardScaledInput(Tensor x, double scale) {
        return product.forwardScaledInput(x, scale);
    }

    Tensor weight() {
        return weight;
    }

    Tensor bias() {
        return bias;
    }

    /** Whether inference now multiplies on fp16-packed weights (tests). */
    boolean usesHalfPackedWeights() {
        return product.usesHalfPackedWeights();
    }
}
