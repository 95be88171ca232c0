package io.github.clip4j.internal.model;

import java.util.ArrayList;
import java.util.List;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Tensor;

/**
 * A stack of {@link ResidualAttentionBlock}s named {@code resblocks.0}, {@code resblocks.1}, ... on batch-first
 * {@code [N, L, D]} input (the reference works sequence-first; the arithmetic is the same).
 */
final class Transformer extends Layer {
    private final List<ResidualAttentionBlock> blocks = new ArrayList<>();

    Transformer(Spec spec, long width, int layers, long heads) {
        Module resblocks = register_module("resblocks", new Module());
        for (int i = 0; i < layers; i++) {
            blocks.add(resblocks.register_module(Integer.toString(i), new ResidualAttentionBlock(spec, width, heads)));
        }
    }

    /** @param causal whether position {@code i} attends only to positions up to {@code i} (the text tower) */
    Tensor forward(Tensor x, boolean causal) {
        for (ResidualAttentionBlock block : blocks) {
            x = block.forward(x, causal);
        }
        return x;
    }
}
