package io.github.clip4j.internal.model;

import io.github.clip4j.internal.runtime.NativeScopes;
import java.nio.FloatBuffer;
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
        // a scope of its own: what packing makes goes now, not with the caller's batch (which packs every layer)
        try (PointerScope scope = new PointerScope()) {
            Tensor w = weight.detach().contiguous();
            if (!allHalf(w.data_ptr_float().capacity(w.numel()).asBuffer())) {
                return new HalfPackedLinear(null, version);
            }
            LegacyFbgemm.prepare();
            Tensor packed = NativeScopes.own(torch.fbgemm_pack_gemm_matrix_fp16(w));
            owner.accept(packed);
            return new HalfPackedLinear(packed, version);
        }
    }

    /**
     * Whether fp16 holds every value exactly, read in place. libtorch's own test (convert to fp16 and back, compare)
     * took 130 ms for one ViT-B/32 block's weights here, this loop a few.
     */
    static boolean allHalf(FloatBuffer values) {
        for (int i = 0, n = values.limit(); i < n; i++) {
            if (!isHalf(values.get(i))) {
                return false;
            }
        }
        return true;
    }

    /**
     * Whether {@code value} is exactly an IEEE fp16 value: zero or an infinity; a normal fp16 (exponent -14..15, at
     * most 10 significant mantissa bits); or an fp16 subnormal (a multiple of 2^-24 below 2^-14). NaN: no (its
     * payload need not survive).
     */
    static boolean isHalf(float value) {
        int bits = Float.floatToRawIntBits(value);
        int exponentField = (bits >>> 23) & 0xFF;
        int mantissa = bits & 0x7FFFFF;
        if (exponentField == 0xFF) {
            return mantissa == 0;                       // infinity yes, NaN no
        }
        if (exponentField == 0) {
            return mantissa == 0;                       // fp32 subnormals are far below fp16's smallest, 2^-24
        }
        int exponent = exponentField - 127;
        if (exponent > 15 || exponent < -24) {
            return false;
        }
        // fp16 keeps 10 mantissa bits for normals; for subnormals (exponent < -14) 10 - (-14 - exponent) of them
        int dropped = exponent >= -14 ? 13 : 13 + (-14 - exponent);
        return (mantissa & ((1 << dropped) - 1)) == 0;
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
