package io.github.clip4j.internal.model;

import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/** The reference's {@code BertIntermediate}: {@code dense} to the feed-forward width, then the activation. */
final class BertIntermediate extends Layer {
    private final Linear dense;
    private final String activation;

    BertIntermediate(Spec spec, long hidden, long intermediate, String activation) {
        this.dense = register_module("dense", new Linear(spec, hidden, intermediate));
        this.activation = activation;
    }

    Tensor forward(Tensor x) {
        return activate(dense.forward(x), activation);
    }

    /**
     * The reference's {@code ACT2FN}: {@code gelu} is the exact {@code x * 0.5 * (1 + erf(x / sqrt 2))},
     * {@code gelu_new} the tanh approximation, {@code swish} {@code x * sigmoid(x)}.
     */
    static Tensor activate(Tensor x, String activation) {
        return switch (activation) {
            case "gelu" -> torch.gelu(x);
            case "gelu_new" -> torch.gelu(x, "tanh");
            case "relu" -> torch.relu(x);
            case "swish" -> x.mul(torch.sigmoid(x));
            default -> throw new IllegalArgumentException("unknown activation " + activation);
        };
    }

    /** For tests: the exact GELU written out, {@code x * 0.5 * (1 + erf(x / sqrt 2))}. */
    static Tensor erfGelu(Tensor x) {
        return x.mul(new Scalar(0.5)).mul(torch.erf(x.div(new Scalar(Math.sqrt(2.0)))).add(new Scalar(1.0)));
    }
}
