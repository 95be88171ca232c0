package io.github.clip4j.internal.model;

import org.bytedeco.pytorch.Tensor;

/**
 * Which of two equivalent computations the model runs where clip4j has a faster one than the reference's
 * straightforward form. {@link #FAST} is what {@link ClipModel#load} uses; {@link #REFERENCE} exists so tests can
 * prove each shortcut gives the reference's numbers (within float rounding).
 *
 * @param fusedAttention libtorch's fused {@code scaled_dot_product_attention} instead of explicit
 *     matmul / mask / softmax / matmul
 * @param trimText       run the text tower only over the positions up to the batch's last end-of-text token instead
 *     of all context positions: exact, because the causal mask keeps every position's output independent of later
 *     ones and only the end-of-text position is pooled
 * @param patchMatmul    the Vision Transformer's patch embedding as one matrix product instead of a strided
 *     convolution (the same sums in another order)
 * @param halfPackedWeights fp32 inference multiplies exactly-fp16 weights on fbgemm's packed fp16 kernel
 *     ({@link HalfPackedLinear}: the same fp32 sums in another order); {@code -Dclip4j.fp16PackedWeights=false}
 *     leaves every fp32 product to OpenBLAS
 */
record Kernels(boolean fusedAttention, boolean trimText, boolean patchMatmul, boolean halfPackedWeights) {
    static final Kernels FAST = new Kernels(true, true, true,
            Boolean.parseBoolean(System.getProperty("clip4j.fp16PackedWeights", "true")));
    static final Kernels REFERENCE = new Kernels(false, false, false, false);

    Tensor attend(Tensor q, Tensor k, Tensor v, long heads, boolean causal) {
        return fusedAttention ? Attention.fused(q, k, v, heads, causal) : Attention.attend(q, k, v, heads, causal);
    }
}
