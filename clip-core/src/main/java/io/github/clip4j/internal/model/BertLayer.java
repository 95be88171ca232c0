package io.github.clip4j.internal.model;

import org.bytedeco.pytorch.Tensor;

/**
 * The reference's {@code BertLayer}, post-norm: {@code a = LayerNorm(attention(x) + x)}, then
 * {@code LayerNorm(output.dense(act(intermediate.dense(a))) + a)}.
 */
final class BertLayer extends Layer {
    private final BertAttention attention;
    private final BertIntermediate intermediate;
    private final BertSelfOutput output;

    BertLayer(Spec spec, ModelConfig config) {
        long hidden = config.transformerWidth();
        long inner = config.bert().intermediateSize();
        this.attention = register_module("attention", new BertAttention(spec, hidden, config.transformerHeads()));
        this.intermediate = register_module("intermediate",
                new BertIntermediate(spec, hidden, inner, config.bert().hiddenAct()));
        this.output = register_module("output", new BertSelfOutput(spec, inner, hidden));
    }

    Tensor forward(Tensor x, Tensor mask) {
        Tensor attended = attention.forward(x, mask);
        return output.forward(intermediate.forward(attended), attended);
    }
}
