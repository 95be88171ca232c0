package io.github.clip4j.internal.model;

import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;

/**
 * The ModifiedResNet's final pooling: the mean of the feature map, prepended to its positions, queries the whole
 * map with multi-head attention ({@code q/k/v_proj}); {@code c_proj} maps to the embedding size.
 */
final class AttentionPool2d extends Layer {
    private final Tensor positionalEmbedding;
    private final Linear kProj;
    private final Linear qProj;
    private final Linear vProj;
    private final Linear cProj;
    private final long heads;
    private final Kernels kernels;

    AttentionPool2d(Spec spec, long spacialDim, long embedDim, long heads, long outputDim) {
        this.heads = heads;
        this.kernels = spec.kernels;
        this.positionalEmbedding = parameter(spec, "positional_embedding", spacialDim * spacialDim + 1, embedDim);
        this.kProj = register_module("k_proj", new Linear(spec, embedDim, embedDim));
        this.qProj = register_module("q_proj", new Linear(spec, embedDim, embedDim));
        this.vProj = register_module("v_proj", new Linear(spec, embedDim, embedDim));
        this.cProj = register_module("c_proj", new Linear(spec, embedDim, outputDim));
    }

    Tensor forward(Tensor features) {
        Tensor x = features.flatten(2, -1).permute(0, 2, 1);               // [N, HW, C]
        x = torch.cat(new TensorVector(x.mean(new long[] {1}, true, new org.bytedeco.pytorch.ScalarTypeOptional()), x), 1);
        x = x.add(positionalEmbedding.to(x.scalar_type()));               // [N, HW + 1, C]
        Tensor query = x.narrow(1, 0, 1);
        Tensor out = kernels.attend(qProj.forward(query), kProj.forward(x), vProj.forward(x), heads, false);
        return cProj.forward(out).squeeze(1);
    }
}
