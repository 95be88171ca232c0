package io.github.clip4j.internal.model;

import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/** {@code nn.Embedding}: rows of {@code weight [vocab, width]} looked up by integer ids. */
final class Embedding extends Layer {
    private final Tensor weight;

    Embedding(Spec spec, long vocab, long width) {
        this.weight = parameter(spec, "weight", vocab, width);
    }

    Tensor forward(Tensor ids) {
        return torch.embedding(weight, ids);
    }

    Tensor weight() {
        return weight;
    }
}
