package io.github.clip4j.internal.model;

import io.github.clip4j.internal.runtime.NativeRuntime;
import org.bytedeco.pytorch.GradMode;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.global.torch;

/**
 * {@code x W^T + b} for one weight and bias, on the fastest form that gives the layer's result: the int8 form
 * under {@link io.github.clip4j.Precision#INT8} ({@link QuantizedLinear}, made once the weights are loaded); in
 * fp32 inference on one OpenBLAS thread, fbgemm's fp16-packed product when the weight is exactly fp16
 * ({@link HalfPackedLinear}, packed at first use and again whenever the weight has changed since); otherwise, and
 * whenever gradients are recorded, libtorch's {@code linear}. The one place that chooses, for {@link Linear},
 * {@link MultiheadAttention}'s packed input projection and the Vision Transformer's patch embedding.
 */
final class LinearProduct {
    private final Tensor weight;
    private final Tensor bias;
    private final Layer.Spec spec;
    private final boolean halfPackable;
    /** The int8 form (INT8 precision), made once the weights are loaded; null otherwise. */
    private volatile QuantizedLinear int8;
    /** The fp16 packing of the weight's last version used in inference; null before the first use. */
    private volatile HalfPackedLinear halfPacked;

    /**
     * @param weight      {@code [out, in]}, the layer's own parameter (or a view of it)
     * @param bias        {@code [out]}, or null
     * @param quantizable whether INT8 quantizes this product (the model's linear layers, not the patch embedding)
     */
    LinearProduct(Layer.Spec spec, Tensor weight, Tensor bias, boolean quantizable) {
        this.spec = spec;
        this.weight = weight;
        this.bias = bias;
        boolean quantized = spec.int8 && quantizable;
        this.halfPackable = spec.halfPackedWeights && !quantized;
        if (quantized) {
            spec.afterLoad(() -> int8 = QuantizedLinear.of(weight, bias));
        } else if (halfPackable) {
            spec.packable(this);
        }
    }

    /** Packs the weight now if it is exactly fp16 (see {@link TowerPacking}); the product still checks it later. */
    void pack() {
        currentPacking();
    }

    Tensor forward(Tensor x) {
        QuantizedLinear q = int8;
        if (q != null) {
            return q.forward(x);
        }
        HalfPackedLinear packed = packedForInference();
        if (packed != null) {
            return packed.forward(x, bias);
        }
        return torch.linear(x, weight, bias == null ? new TensorOptional() : new TensorOptional(bias));
    }

    /** The fp16 packing of the weight as it is now, if this call may and can use one; null otherwise. */
    private HalfPackedLinear packedForInference() {
        if (!halfPackable || int8 != null || GradMode.is_enabled() || NativeRuntime.blasThreads() != 1) {
            return null;
        }
        HalfPackedLinear packed = currentPacking();
        return packed.exact() ? packed : null;
    }

    /**
     * {@code scale * forward(x)}. On the fp16-packed path the kernel writes {@code x W^T} and one pass makes it
     * {@code scale * (x W^T) + scale * b}, instead of a pass for the bias and another for the scale.
     */
    Tensor forwardScaled(Tensor x, double scale) {
        HalfPackedLinear packed = packedForInference();
        if (packed != null) {
            Tensor y = packed.forward(x, null);
            return bias == null ? y.mul_(new Scalar(scale))
                    : torch.add_out(y, bias.mul(new Scalar(scale)), y, new Scalar(scale));
        }
        return forward(x).mul_(new Scalar(scale));
    }

    /**
     * {@code forward(scale * x)} for an {@code x} the caller no longer needs. On the fp16-packed path the scale is
     * applied to the product instead, in the same pass that adds the bias ({@code scale * x W^T + b}: the same value,
     * rounded differently), so the wide input is not rewritten; otherwise {@code x} is scaled in place first.
     */
    Tensor forwardScaledInput(Tensor x, double scale) {
        HalfPackedLinear packed = packedForInference();
        if (packed != null) {
            Tensor y = packed.forward(x, null);
            return bias == null ? y.mul_(new Scalar(scale)) : torch.add_out(y, bias, y, new Scalar(scale));
        }
        return forward(x.mul_(new Scalar(scale)));
    }

    /** Whether inference now multiplies on fp16-packed weights (tests). */
    boolean usesHalfPackedWeights() {
        HalfPackedLinear packed = halfPacked;
        return packed != null && packed.exact() && packed.isFor(weight);
    }

    private HalfPackedLinear currentPacking() {
        HalfPackedLinear packed = halfPacked;
        if (packed != null && packed.isFor(weight)) {
            return packed;
        }
        synchronized (this) {
            packed = halfPacked;
            if (packed == null || !packed.isFor(weight)) {
                // an earlier packing stays owned by the model until it closes: another inference call may hold it
                packed = HalfPackedLinear.pack(weight, spec::own);
                halfPacked = packed;
            }
            return packed;
        }
    }
}
