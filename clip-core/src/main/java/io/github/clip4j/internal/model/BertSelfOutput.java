package io.github.clip4j.internal.model;

import org.bytedeco.pytorch.Tensor;

/**
 * The reference's {@code BertSelfOutput} (and, with the feed-forward width as input, {@code BertOutput}): a
 * {@code dense} projection, then the post-norm residual {@code LayerNorm(dense(x) + input)} (eps 1e-12).
 */
final class BertSelfOutput extends Layer {
    private final Linear dense;
    private final LayerNorm layerNorm;

    BertSelfOutput(Spec spec, long in, long hidden) {
        this.dense = register_module("dense", new Linear(spec, in, hidden));
        this.layerNorm = register_module("LayerNorm", new LayerNorm(spec, hidden, BertConfig.LAYER_NORM_EPS));
    }

    Tensor forward(Tensor hiddenStates, Tensor input) {
        return layerNorm.forward(dense.forward(hiddenStates).add(input));
    }
}
