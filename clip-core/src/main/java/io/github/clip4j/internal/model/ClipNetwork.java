package io.github.clip4j.internal.model;

import org.bytedeco.pytorch.LongOptional;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * The reference's {@code CLIP} module: an image tower ({@code visual}), the causal text transformer with its
 * embeddings, {@code ln_final}, {@code text_projection} and {@code logit_scale}, all named as OpenAI's state dict.
 * For Chinese-CLIP ({@link ModelConfig#isBert()}) the text tower is {@code bert} ({@link BertModel}), pooled at
 * position 0 ([CLS]) and projected by {@code text_projection} with no final norm, as {@code cn_clip}'s
 * {@code encode_text}.
 */
final class ClipNetwork extends Layer {
    private final ModelConfig config;
    private final Spec spec;
    private final ImageEncoder visual;
    private final BertModel bert;
    private final Transformer transformer;
    private final Embedding tokenEmbedding;
    private final Tensor positionalEmbedding;
    private final LayerNorm lnFinal;
    private final Tensor textProjection;
    private final Tensor logitScale;
    private final TowerPacking imagePacking;
    private final TowerPacking textPacking;

    ClipNetwork(ModelConfig config, Spec spec) {
        this.config = config;
        this.spec = spec;
        int mark = spec.packableMark();
        this.visual = config.isVisionTransformer()
                ? register_module("visual", new VisionTransformer(spec, config))
                : register_module("visual", new ModifiedResNet(spec, config));
        this.imagePacking = new TowerPacking(spec.packablesSince(mark));
        mark = spec.packableMark();
        if (config.isBert()) {
            this.bert = register_module("bert", new BertModel(spec, config));
            this.transformer = null;
            this.tokenEmbedding = null;
            this.positionalEmbedding = null;
            this.lnFinal = null;
        } else {
            this.bert = null;
            this.transformer = register_module("transformer", new Transformer(spec, config.transformerWidth(),
                    config.transformerLayers(), config.transformerHeads()));
            this.tokenEmbedding = register_module("token_embedding",
                    new Embedding(spec, config.vocabSize(), config.transformerWidth()));
            this.positionalEmbedding = parameter(spec, "positional_embedding", config.contextLength(),
                    config.transformerWidth());
            this.lnFinal = register_module("ln_final", new LayerNorm(spec, config.transformerWidth()));
        }
        this.textProjection = parameter(spec, "text_projection", config.transformerWidth(), config.embedDim());
        this.logitScale = fp32Parameter(spec, "logit_scale");
        this.textPacking = new TowerPacking(spec.packablesSince(mark));
    }

    /** The image tower's fp16-packable weights packed now, on all cores (a background load, once copied). */
    void packImageTower() {
        imagePacking.pack();
    }

    /** @param pixels {@code [N, 3, R, R]} of any floating type and device */
    Tensor encodeImage(Tensor pixels) {
        imagePacking.beforeInference();
        return visual.forward(pixels.to(spec.compute.device(), spec.computeType));
    }

    /** @param tokens {@code [N, L]} integer ids, {@code L <= context length}, end token = highest id per row */
    Tensor encodeText(Tensor tokens) {
        textPacking.beforeInference();
        Tensor ids = tokens.to(spec.compute.device(), torch.ScalarType.Long);
        if (bert != null) {
            return encodeBert(ids);
        }
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

    /**
     * Chinese-CLIP's {@code encode_text}: BERT over the ids with the mask {@code ids != 0}, the last hidden state at
     * position 0 ([CLS]) times {@code text_projection}.
     */
    private Tensor encodeBert(Tensor ids) {
        if (spec.kernels.trimText() && ids.size(0) > 0 && ids.size(1) > 1) {
            // Padding gets -10000 added to its scores, whose exp is exactly 0 in fp32: positions after the batch's
            // last non-zero id change no other position, so the tower runs only up to it.
            Tensor nonZero = ids.ne(new Scalar(0)).to(torch.ScalarType.Long);
            Tensor positions = torch.arange(new Scalar(ids.size(1)), new org.bytedeco.pytorch.TensorOptions(
                    torch.ScalarType.Long).device(new org.bytedeco.pytorch.DeviceOptional(spec.compute.device())));
            long used = Math.max(1, nonZero.mul(positions.add(new Scalar(1))).max().item_long());
            if (used < ids.size(1)) {
                ids = ids.narrow(1, 0, used);
            }
        }
        Tensor hidden = bert.forward(ids);
        return hidden.select(1, 0).matmul(textProjection);
    }

    /** {@code exp(logit_scale)} as a 0-dim fp32 tensor (part of the autograd graph when training). */
    Tensor logitScaleExp() {
        return logitScale.exp();
    }

    ModelConfig config() {
        return config;
    }

    /** Frees what the layers made after loading (fp16-packed weights): when the model closes. */
    void releaseDerived() {
        spec.release();
    }
}
