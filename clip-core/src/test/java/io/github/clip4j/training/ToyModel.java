package io.github.clip4j.training;

import io.github.clip4j.internal.training.ContrastiveModel;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;

/**
 * Two tiny towers named like CLIP's parameters: the image tower is a two-layer perceptron on flattened pixels
 * ({@code visual.fc.weight}, {@code visual.proj}, {@code visual.ln_post.bias}), the text tower mean-pools token
 * embeddings ({@code token_embedding.weight}, {@code ln_final.bias}, {@code text_projection}), plus
 * {@code logit_scale}. Weights come from libtorch's generator seeded with {@code seed}.
 */
final class ToyModel implements ContrastiveModel {
    static final int VOCAB = 32;

    private final Module root = new Module();
    /** Child modules must stay reachable: libtorch calls their virtual methods back through the Java objects. */
    private final java.util.List<Module> children = new java.util.ArrayList<>();
    private final Tensor fc;
    private final Tensor proj;
    private final Tensor postBias;
    private final Tensor tokenEmbedding;
    private final Tensor finalBias;
    private final Tensor textProjection;
    private final Tensor logitScale;

    ToyModel(long seed, int pixelCount, int width, int embedDim) {
        torch.manual_seed(seed);
        Module visual = child(root, "visual");
        Module lnPost = child(visual, "ln_post");
        Module fcModule = child(visual, "fc");
        Module tokens = child(root, "token_embedding");
        Module lnFinal = child(root, "ln_final");
        double scale = 1.0 / Math.sqrt(pixelCount);
        fc = own(fcModule, "weight", torch.randn(width, pixelCount).mul(new Scalar(scale)));
        proj = own(visual, "proj", torch.randn(width, embedDim).mul(new Scalar(1.0 / Math.sqrt(width))));
        postBias = own(lnPost, "bias", torch.randn(width).mul(new Scalar(0.1)));
        tokenEmbedding = own(tokens, "weight", torch.randn(VOCAB, width).mul(new Scalar(0.5)));
        finalBias = own(lnFinal, "bias", torch.randn(width).mul(new Scalar(0.1)));
        textProjection = own(root, "text_projection",
                torch.randn(width, embedDim).mul(new Scalar(1.0 / Math.sqrt(width))));
        logitScale = own(root, "logit_scale",
                torch.ones(new long[] {}, new TensorOptions(torch.ScalarType.Float)).mul(new Scalar(Math.log(1 / 0.07))));
    }

    private Module child(Module parent, String name) {
        Module module = new Module();
        parent.register_module(name, module);
        children.add(module);
        return module;
    }

    /** Registers a parameter and keeps an owned handle: register_parameter's result is a dangling-prone reference. */
    private static Tensor own(Module module, String name, Tensor value) {
        return new Tensor(module.register_parameter(name, value));
    }

    @Override
    public Module module() {
        return root;
    }

    @Override
    public Tensor encodeImage(Tensor pixels) {
        Tensor x = pixels.reshape(pixels.size(0), -1);
        Tensor hidden = torch.linear(x, fc).add(postBias).tanh();
        return hidden.matmul(proj);
    }

    @Override
    public Tensor encodeText(Tensor tokens) {
        long n = tokens.size(0);
        long length = tokens.size(1);
        Tensor embedded = tokenEmbedding.index_select(0, tokens.reshape(-1)).reshape(n, length, -1);
        Tensor pooled = embedded.mean(new long[] {1}, false, new org.bytedeco.pytorch.ScalarTypeOptional());
        return pooled.add(finalBias).tanh().matmul(textProjection);
    }

    @Override
    public Tensor logitScale() {
        return logitScale;
    }
}
