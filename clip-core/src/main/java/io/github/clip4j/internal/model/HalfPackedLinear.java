package io.github.clip4j.internal.model;

import io.github.clip4j.internal.runtime.NativeScopes;
import java.util.function.Consumer;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.global.torch;

/**
 * A linear layer's fp32 product on fbgemm's fp16 kernel, for a weight that fp16 holds exactly: the weight is
 * packed once into fbgemm's blocked fp16 layout ({@code fbgemm_pack_gemm_matrix_fp16}) and every product converts
 * it back to fp32 inside the kernel and accumulates in fp32, so the result is the fp32 product, summed in another
 * order. OpenAI's released CLIP checkpoints store every weight in fp16, so all their linear layers qualify.
 *
 * <p>Why: OpenBLAS repacks each weight at every product, and a split batch's slices each repack all of them; the
 * packing took 9% of an fp32 batch (ViT-B/32, issue 17). At ViT-B/32's shapes on one thread of the AVX512 machine
 * of issue 17, fbgemm ran the four linear layers of a block at 200 GFLOP/s against OpenBLAS's 190 (800 rows, a
 * batch of 16) and 177 (400 rows, a slice of 8). The kernel always runs on one thread, so it is used only while
 * OpenBLAS is on one thread too (split batches, or one configured thread).
 *
 * <p>Costs: the packed copy (half the weight's fp32 bytes) is kept beside the fp32 weight, which training and
 * checkpoints still use; and the packing is made for one version of the weight: once it changes (an optimizer
 * step, a copy into it), {@link #isFor} is false and {@link LinearProduct} packs again or falls back.
 */
final class HalfPackedLinear {
    /** The packed weight, or null when the weight is not exactly fp16 (then this only records that). */
    private final Tensor packed;
    private final long version;

    private HalfPackedLinear(Tensor packed, long version) {
        this.packed = packed;
        this.version = version;
    }

    /**
     * Packs {@code weight [out, in]} as it is now, if fp16 holds every value exactly.
     *
     * @param weight an fp32 weight on the CPU
     * @param owner  takes the packed tensor, which outlives every scope of this thread, to free it with the model
     * @return the packing; {@link #exact()} tells whether the weight qualified
     */
    static HalfPackedLinear pack(Tensor weight, Consumer<Tensor> owner) {
        long version = weight._version();
        // a scope of its own: the check's two copies of the weight go now, not with the caller's batch (which packs
        // every layer: ViT-B/32's copies would add up to ~500 MB, kept by the tuned malloc afterwards)
        try (PointerScope scope = new PointerScope()) {
            Tensor w = weight.detach();
            if (!w.to(torch.ScalarType.Half).to(torch.ScalarType.Float).equal(w)) {
                return new HalfPackedLinear(null, version);
            }
            LegacyFbgemm.prepare();
            Tensor packed = NativeScopes.own(torch.fbgemm_pack_gemm_matrix_fp16(w.contiguous()));
            owner.accept(packed);
            return new HalfPackedLinear(packed, version);
        }
    }

    /** Whether this packing was made from {@code weight} as it is now. */
    boolean isFor(Tensor weight) {
        return weight._version() == version;
    }

    /** Whether the weight was exactly fp16 and is packed. */
    boolean exact() {
        return packed != null;
    }

    /** {@code x W^T + b} for fp32 {@code x [..., in]}; fp32 result {@code [..., out]}. */
    Tensor forward(Tensor x, Tensor bias) {
        return torch.fbgemm_linear_fp16_weight_fp32_activation(x.contiguous(), packed,
                bias == null ? new TensorOptional() : new TensorOptional(bias));
    }
}
