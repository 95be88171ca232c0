package io.github.clip4j.internal.model;

import org.bytedeco.pytorch.Tensor;

/** A pre-norm transformer block: {@code x + attn(ln_1(x))}, then {@code x + mlp(ln_2(x))}. */
final class ResidualAttentionBlock extends Layer {
    private final MultiheadAttention attn;
    private final LayerNorm ln1;
    private final Mlp mlp;
    private final LayerNorm ln2;

    ResidualAttentionBlock(Spec spec, long width, long heads) {
        this.attn = register_module("attn", new MultiheadAttention(spec, width, heads));
        this.ln1 = register_module("ln_1", new LayerNorm(spec, width));
        this.mlp = register_module("mlp", new Mlp(spec, width));
        this.ln2 = register_module("ln_2", new LayerNorm(spec, width));
    }

    Tensor forward(Tensor x, boolean causal) {
        Tensor h = x.add(attn.forward(ln1.forward(x), causal));
        return h.add(mlp.forward(ln2.forward(h)));
    }
}
