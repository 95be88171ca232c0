package io.github.clip4j.internal.model;

import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.global.torch;

/**
 * The reference's {@code LayerNorm}: normalises in fp32 whatever the input type (eps 1e-5, or BERT's 1e-12) and
 * returns the input's type, so half-precision models keep fp32 statistics.
 */
final class LayerNorm extends Layer {
    private final Tensor weight;
    private final Tensor bias;
    private final long width;
    private final double eps;

    LayerNorm(Spec spec, long width) {
        this(spec, width, 1e-5);
    }

    LayerNorm(Spec spec, long width, double eps) {
        this.width = width;
        this.eps = eps;
        this.weight = fp32Parameter(spec, "weight", width);
        this.bias = fp32Parameter(spec, "bias", width);
    }

    Tensor forward(Tensor x) {
        torch.ScalarType type = x.scalar_type();
        if ((type == torch.ScalarType.BFloat16 || type == torch.ScalarType.Half) && x.device().is_cpu()) {
            // libtorch's CPU kernel takes half input with fp32 weights and computes in fp32 itself, saving the two
            // conversion passes over the activations; its results differ from converting around it by at most one
            // rounding of the output type (measured for bf16), far inside the half types' own error
            return torch.layer_norm(x, new long[] {width}, new TensorOptional(weight), new TensorOptional(bias),
                    eps, true);
        }
        Tensor y = torch.layer_norm(x.to(torch.ScalarType.Float), new long[] {width}, new TensorOptional(weight),
                new TensorOptional(bias), eps, true);
        return type == torch.ScalarType.Float ? y : y.to(type);
    }
}
