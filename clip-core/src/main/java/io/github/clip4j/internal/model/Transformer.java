package io.github.clip4j.internal.model;

import io.github.clip4j.internal.runtime.NativeScopes;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.javacpp.PointerScope;
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

    /**
     * Runs the blocks one after the other. Each block's intermediate tensors (about 4.5 MB per ViT-B/32 image: the
     * attention's projections and scores, the MLP's 4x-wide activations) are freed when the block ends, not when
     * the caller's scope does: held to the end of the forward pass they were ~50 MB per image, 800 MB of transient
     * native memory for one batch of 16, which glibc then kept as the process's resident set. Autograd keeps what
     * backward needs through libtorch's own references, so training is unaffected.
     *
     * @param causal whether position {@code i} attends only to positions up to {@code i} (the text tower)
     */
    Tensor forward(Tensor x, boolean causal) {
        for (ResidualAttentionBlock block : blocks) {
            try (PointerScope scope = new PointerScope()) {
                x = NativeScopes.escape(scope, block.forward(x, causal));
            }
        }
        return x;
    }
}
