package io.github.clip4j.internal.model;

import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * The reference's {@code BertEmbeddings}: word + position + token-type embeddings, then {@code LayerNorm}
 * (eps 1e-12). Positions are {@code 0..L-1} and every token has type 0, as Chinese-CLIP's {@code encode_text}
 * passes them. (Dropout is the identity in eval mode and is not applied.)
 */
final class BertEmbeddings extends Layer {
    private final Embedding wordEmbeddings;
    private final Tensor positionEmbeddings;
    private final Tensor tokenTypeEmbeddings;
    private final LayerNorm layerNorm;
    private final Spec spec;

    BertEmbeddings(Spec spec, ModelConfig config) {
        this.spec = spec;
        long hidden = config.transformerWidth();
        this.wordEmbeddings = register_module("word_embeddings", new Embedding(spec, config.vocabSize(), hidden));
        Layer positions = register_module("position_embeddings", new Embedding(spec,
                config.bert().maxPositionEmbeddings(), hidden));
        this.positionEmbeddings = ((Embedding) positions).weight();
        Layer types = register_module("token_type_embeddings", new Embedding(spec, config.bert().typeVocabSize(),
                hidden));
        this.tokenTypeEmbeddings = ((Embedding) types).weight();
        this.layerNorm = register_module("LayerNorm", new LayerNorm(spec, hidden, BertConfig.LAYER_NORM_EPS));
    }

    /** @param ids {@code [N, L]} int64 token ids on the model's device; returns {@code [N, L, hidden]} */
    Tensor forward(Tensor ids) {
        long length = ids.size(1);
        Tensor x = wordEmbeddings.forward(ids);
        x = x.add(positionEmbeddings.narrow(0, 0, length));
        x = x.add(tokenTypeEmbeddings.select(0, 0));
        return layerNorm.forward(x.to(spec.computeType));
    }

    /** {@code exp(-10000)} in fp32 is 0: the reference's additive mask, {@code (1 - (ids != 0)) * -10000}. */
    static Tensor additiveMask(Tensor ids) {
        return ids.eq(new Scalar(0)).to(torch.ScalarType.Float).mul(new Scalar(-10000.0))
                .view(ids.size(0), 1, 1, ids.size(1));
    }
}
