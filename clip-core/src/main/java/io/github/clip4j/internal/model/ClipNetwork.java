package io.github.clip4j.internal.model;

import org.bytedeco.pytorch.LongOptional;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * The reference's {@code CLIP} module: an image tower ({@code visual}), the causal text transformer with its
 * embeddings, {@code ln_final}, {@code text_projection} and {@code logit_scale}, all named as OpenAI's state dict.
 */
final class ClipNetwork extends Layer {
    private final ModelConfig config;
    private final Spec spec;
    private final ImageEncoder visual;
    private final Transformer transformer;
    private final Embedding tokenEmbedding;
    private final Tensor positionalEmbedding;
    private final LayerNorm lnFinal;
    private final Tensor textProjection;
    private final Tensor logitScale;

    ClipNetwork(ModelConfig config, Spec spec) {
        this.config = config;
        this.spec = spec;
        this.visual = config.isVisionTransformer()
                ? register_module("visual", new VisionTransformer(spec, config))
                : register_module("visual", new ModifiedResNet(spec, config));
        this.transformer = register_module("transformer", new Transformer(spec, config.transformerWidth(),
                config.transformerLayers(), config.transformerHeads()));
        this.tokenEmbedding = register_module("token_embedding",
                new Embedding(spec, config.vocabSize(), config.transformerWidth()));
        this.positionalEmbedding = parameter(spec, "positional_embedding", config.contextLength(),
                config.transformerWidth());
        this.lnFinal = register_module("ln_final", new LayerNorm(spec, config.transformerWidth()));
        this.textProjection = parameter(spec, "text_projection", config.transformerWidth(), config.embedDim());
        this.logitScale = fp32Parameter(spec, "logit_scale");
    }

    /** @param pixels {@code [N, 3, R, R]} of any floating type and device */
    Tensor encodeImage(Tensor pixels) {
        return visual.forward(pixels.to(spec.compute.device(), spec.computeType));
    }

    /** @param tokens {@code [N, L]} integer ids, {@code L <= context length}, end token = highest id per row */
    Tensor encodeText(Tensor tokens) {
        Tensor ids = tokens.to(spec.compute.device(), torch.ScalarType.Long);
        long n = ids.size(0);
        // the end-of-text token has the highest id, so argmax finds each row's last position
        Tensor last = ids.argmax(new LongOptional(-1), false);
        if (spec.kernels.trimText() && n > 0 && ids.size(1) > 1) {
            // Causal attention: positions after the batch's last end token cannot change any pooled output.
            long used = last.max().item_long() + 1;
            if (used < ids.size(1)) {
                ids = ids.narrow(1, 0, used);
            }
        }
        long length = ids.size(1);
        Tensor x = tokenEmbedding.forward(ids).to(spec.computeType);
        x = x.add(positionalEmbedding.narrow(0, 0, length).to(spec.computeType));
        x = transformer.forward(x, true);
        x = lnFinal.forward(x);
        Tensor rows = torch.arange(new Scalar(n), new org.bytedeco.pytorch.TensorOptions(torch.ScalarType.Long)
                .device(new org.bytedeco.pytorch.DeviceOptional(spec.compute.device())));
        Tensor pooled = x.reshape(n * length, -1).index_select(0, rows.mul(new Scalar(length)).add(last));
        return pooled.matmul(textProjection);
    }

    /** {@code exp(logit_scale)} as a 0-dim fp32 tensor (part of the autograd graph when training). */
    Tensor logitScaleExp() {
        return logitScale.exp();
    }

    ModelConfig config() {
        return config;
    }
}
