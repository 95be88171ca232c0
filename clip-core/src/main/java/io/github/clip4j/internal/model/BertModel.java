package io.github.clip4j.internal.model;

import io.github.clip4j.internal.runtime.NativeScopes;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Tensor;

/**
 * Chinese-CLIP's text encoder, the reference's {@code BertModel} without its pooler: {@code embeddings}, then
 * {@code encoder.layer.0..} ({@link BertLayer}s) with the padding mask {@code ids != 0}. Registered under
 * {@code bert} in {@link ClipNetwork}, so its parameters have the checkpoint's names
 * ({@code bert.encoder.layer.0.attention.self.query.weight}, ...). The caller pools position 0 ([CLS]).
 */
final class BertModel extends Layer {
    private final BertEmbeddings embeddings;
    private final List<BertLayer> layers = new ArrayList<>();

    BertModel(Spec spec, ModelConfig config) {
        this.embeddings = register_module("embeddings", new BertEmbeddings(spec, config));
        Module encoder = register_module("encoder", new Module());
        Module layer = encoder.register_module("layer", new Module());
        for (int i = 0; i < config.transformerLayers(); i++) {
            layers.add(layer.register_module(Integer.toString(i), new BertLayer(spec, config)));
        }
    }

    /** @param ids {@code [N, L]} int64 ids on the model's device; returns the last hidden states {@code [N, L, H]} */
    Tensor forward(Tensor ids) {
        Tensor mask = BertEmbeddings.additiveMask(ids);
        Tensor x = embeddings.forward(ids);
        for (BertLayer layer : layers) { // each layer's intermediates freed when it ends (see Transformer)
            try (PointerScope scope = new PointerScope()) {
                x = NativeScopes.escape(scope, layer.forward(x, mask));
            }
        }
        return x;
    }
}
