package io.github.clip4j.training;

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
    private final Tensor fc;
    private final Tensor proj;
    private final Tensor postBias;
    private final Tensor tokenEmbedding;
    private final Tensor finalBias;
    private final Tensor textProjection;
    private final Tensor logitScale;

    ToyModel(long seed, int pixelCount, int width, int embedDim) {
        torch.manual_seed(seed);
        Module visual = root.register_module("visual", new Module());
        Module lnPost = visual.register_module("ln_post", new Module());
        Module fcModule = visual.register_module("fc", new Module());
        Module tokens = root.register_module("token_embedding", new Module());
        Module lnFinal = root.register_module("ln_final", new Module());
        double scale = 1.0 / Math.sqrt(pixelCount);
        fc = fcModule.register_parameter("weight", torch.randn(width, pixelCount).mul(new Scalar(scale)));
        proj = visual.register_parameter("proj", torch.randn(width, embedDim).mul(new Scalar(1.0 / Math.sqrt(width))));
        postBias = lnPost.register_parameter("bias", torch.randn(width).mul(new Scalar(0.1)));
        tokenEmbedding = tokens.register_parameter("weight", torch.randn(VOCAB, width).mul(new Scalar(0.5)));
        finalBias = lnFinal.register_parameter("bias", torch.randn(width).mul(new Scalar(0.1)));
        textProjection = root.register_parameter("text_projection",
                torch.randn(width, embedDim).mul(new Scalar(1.0 / Math.sqrt(width))));
        logitScale = root.register_parameter("logit_scale",
                torch.ones(new long[] {}, new TensorOptions(torch.ScalarType.Float)).mul(new Scalar(Math.log(1 / 0.07))));
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
