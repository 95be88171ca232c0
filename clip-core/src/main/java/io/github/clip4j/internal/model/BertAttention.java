package io.github.clip4j.internal.model;

import org.bytedeco.pytorch.Tensor;

/** The reference's {@code BertAttention}: {@code self} attention, then its {@code output} (dense + add + norm). */
final class BertAttention extends Layer {
    private final BertSelfAttention self;
    private final BertSelfOutput output;

    BertAttention(Spec spec, long hidden, long heads) {
        this.self = register_module("self", new BertSelfAttention(spec, hidden, heads));
        this.output = register_module("output", new BertSelfOutput(spec, hidden, hidden));
    }

    Tensor forward(Tensor x, Tensor mask) {
        return output.forward(self.forward(x, mask), x);
    }
}
