package io.github.clip4j.internal.model;

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
    private final long patch;
    private final long grid;
    private final boolean patchMatmul;
    /** {@code conv1}'s kernel as a {@code [width, 3 * patch * patch]} product ({@link #patchEmbedding}). */
    private final LinearProduct patchProduct;

    VisionTransformer(Spec spec, ModelConfig config) {
        this.width = config.visionWidth();
        this.patch = config.visionPatchSize();
        this.grid = config.imageResolution() / patch;
        this.patchMatmul = spec.kernels.patchMatmul() && grid * patch == config.imageResolution();
        this.conv1 = register_module("conv1", new Conv2d(spec, 3, width, patch, patch, 0));
        this.classEmbedding = parameter(spec, "class_embedding", width);
        this.positionalEmbedding = parameter(spec, "positional_embedding", grid * grid + 1, width);
        this.lnPre = register_module("ln_pre", new LayerNorm(spec, width));
        this.transformer = register_module("transformer",
                new Transformer(spec, width, config.visionLayers().get(0), config.visionHeads()));
        this.lnPost = register_module("ln_post", new LayerNorm(spec, width));
        this.proj = parameter(spec, "proj", width, config.embedDim());
        // a view of the kernel: it shares the parameter's storage and version, so loading and training reach it
        this.patchProduct = new LinearProduct(spec, conv1.weight().view(width, 3 * patch * patch), null, false);
    }

    @Override
    public Tensor forward(Tensor pixels) {
        long n = pixels.size(0);
        Tensor x = patchMatmul ? patchEmbedding(pixels, n)
                : conv1.forward(pixels).reshape(n, width, -1).permute(0, 2, 1);     // [N, grid^2, width]
        Tensor cls = classEmbedding.to(x.scalar_type()).view(1, 1, width).expand(n, 1, width);
        x = torch.cat(new TensorVector(cls, x), 1);                 // [N, grid^2 + 1, width]
        x = x.add(positionalEmbedding.to(x.scalar_type()));
        x = lnPre.forward(x);
        x = transformer.forward(x, false);
        x = lnPost.forward(x.select(1, 0));                         // class token
        return x.matmul(proj);
    }

    /**
     * {@code conv1} (kernel = stride = patch, no padding, no bias) as what it is, one matrix product: each patch,
     * flattened in the kernel's (channel, row, column) order, times the kernel flattened alike. libtorch's
     * convolution was measured 3 to 4 times slower than the product for this shape, and the result comes out
     * directly in the {@code [N, grid^2, width]} layout the transformer wants.
     */
    private Tensor patchEmbedding(Tensor pixels, long n) {
        Tensor patches = pixels.reshape(n, 3, grid, patch, grid, patch).permute(0, 2, 4, 1, 3, 5)
                .reshape(n, grid * grid, 3 * patch * patch);
        return patchProduct.forward(patches);
    }
}
