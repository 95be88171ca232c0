package io.github.clip4j.model;

import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;

/**
 * The reference's {@code VisionTransformer}: patchify with a strided convolution, prepend the class embedding, add
 * positional embeddings, {@code ln_pre}, transformer, {@code ln_post} of the class token, project with {@code proj}.
 */
final class VisionTransformer extends Layer implements ImageEncoder {
    private final Conv2d conv1;
    private final Tensor classEmbedding;
    private final Tensor positionalEmbedding;
    private final LayerNorm lnPre;
    private final Transformer transformer;
    private final LayerNorm lnPost;
    private final Tensor proj;
    private final long width;

    VisionTransformer(Spec spec, ModelConfig config) {
        this.width = config.visionWidth();
        long patch = config.visionPatchSize();
        long grid = config.imageResolution() / patch;
        this.conv1 = register_module("conv1", new Conv2d(spec, 3, width, patch, patch, 0));
        this.classEmbedding = parameter(spec, "class_embedding", width);
        this.positionalEmbedding = parameter(spec, "positional_embedding", grid * grid + 1, width);
        this.lnPre = register_module("ln_pre", new LayerNorm(spec, width));
        this.transformer = register_module("transformer",
                new Transformer(spec, width, config.visionLayers().get(0), config.visionHeads()));
        this.lnPost = register_module("ln_post", new LayerNorm(spec, width));
        this.proj = parameter(spec, "proj", width, config.embedDim());
    }

    @Override
    public Tensor forward(Tensor pixels) {
        Tensor x = conv1.forward(pixels);                          // [N, width, grid, grid]
        long n = x.size(0);
        x = x.reshape(n, width, -1).permute(0, 2, 1);              // [N, grid^2, width]
        Tensor cls = classEmbedding.to(x.scalar_type()).view(1, 1, width).expand(n, 1, width);
        x = torch.cat(new TensorVector(cls, x), 1);                 // [N, grid^2 + 1, width]
        x = x.add(positionalEmbedding.to(x.scalar_type()));
        x = lnPre.forward(x);
        x = transformer.forward(x, false);
        x = lnPost.forward(x.select(1, 0));                         // class token
        return x.matmul(proj);
    }
}
