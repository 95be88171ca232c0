package io.github.clip4j.internal.model;

import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * {@code nn.MultiheadAttention} self-attention with the packed {@code in_proj_weight [3D, D]} /
 * {@code in_proj_bias [3D]} and an {@code out_proj} linear layer, on batch-first {@code [N, L, D]} input.
 */
final class MultiheadAttention extends Layer {
    private final Tensor inProjWeight;
    private final Tensor inProjBias;
    private final Linear outProj;
    private final long heads;
    private final long width;
    private final Kernels kernels;
    private final LinearProduct inProj;

    MultiheadAttention(Spec spec, long width, long heads) {
        this.heads = heads;
        this.width = width;
        this.kernels = spec.kernels;
        this.inProjWeight = parameter(spec, "in_proj_weight", 3 * width, width);
        this.inProjBias = parameter(spec, "in_proj_bias", 3 * width);
        this.outProj = register_module("out_proj", new Linear(spec, width, width));
        this.inProj = new LinearProduct(spec, inProjWeight, inProjBias, true);
    }

    /** Self-attention of {@code x [N, L, D]}, causal or over all positions. */
    Tensor forward(Tensor x, boolean causal) {
        Tensor qkv = inProj.forward(x);
        torch.ScalarType type = qkv.scalar_type();
        if (kernels.fusedAttention() && Attention.widens(qkv)) {
            qkv = qkv.to(torch.ScalarType.Float); // once here rather than q, k and v apiece in Attention.fused
        }
        Tensor attended = kernels.attend(qkv.narrow(2, 0, width), qkv.narrow(2, width, width),
                qkv.narrow(2, 2 * width, width), heads, causal);
        return outProj.forward(attended.scalar_type() == type ? attended : attended.to(type));
    }
}
