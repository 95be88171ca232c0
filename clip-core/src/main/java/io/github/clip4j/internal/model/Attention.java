package io.github.clip4j.internal.model;

import org.bytedeco.pytorch.DoubleOptional;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.global.torch;

/**
 * Scaled dot-product attention over already projected queries, keys and values, in two interchangeable forms:
 * {@link #attend} is PyTorch's {@code multi_head_attention_forward} written out (queries divided by
 * {@code sqrt(head_dim)}, an additive mask, softmax in fp32), the form the reference runs; {@link #fused} hands the
 * same computation to libtorch's {@code scaled_dot_product_attention}, which on CPU never materialises the
 * {@code [N, H, L, L]} score tensor and accumulates in fp32 for every input type. Both agree within float rounding
 * ({@code AttentionKernelsTest} states the tolerance).
 */
final class Attention {
    private Attention() {}

    /**
     * The straightforward form.
     *
     * @param q      {@code [N, Lq, D]}
     * @param k      {@code [N, Lk, D]}
     * @param v      {@code [N, Lk, D]}
     * @param causal whether position {@code i} may only attend to positions {@code <= i} (requires {@code Lq == Lk})
     * @return {@code [N, Lq, D]}, heads concatenated
     */
    static Tensor attend(Tensor q, Tensor k, Tensor v, long heads, boolean causal) {
        long n = q.size(0);
        long lq = q.size(1);
        long d = q.size(2);
        long headDim = d / heads;
        Tensor qh = split(q, heads, headDim).div(new Scalar(Math.sqrt(headDim)));
        Tensor kh = split(k, heads, headDim);
        Tensor vh = split(v, heads, headDim);
        Tensor scores = qh.matmul(kh.transpose(-2, -1)).to(torch.ScalarType.Float);
        if (causal) {
            // -inf above the diagonal, as the reference's build_attention_mask (triu_(1) of a -inf matrix)
            scores = scores.masked_fill(torch.ones(new long[] {lq, lq},
                    new org.bytedeco.pytorch.TensorOptions(torch.ScalarType.Bool)
                            .device(new org.bytedeco.pytorch.DeviceOptional(q.device()))).triu(1),
                    new Scalar(Float.NEGATIVE_INFINITY));
        }
        Tensor weights = torch.softmax(scores, -1).to(v.scalar_type());
        return merge(weights.matmul(vh), n, lq, d);
    }

    /**
     * The fused form: same arguments and result as {@link #attend}. Half-precision inputs are attended in fp32
     * (and the result converted back): libtorch's CPU kernel for bf16 was measured 20 to 30 times slower than its
     * fp32 kernel at CLIP's shapes (16 x 12 heads x 50 or 77 positions x 64), and the fp32 computation is also the
     * more accurate one; the conversions cost a few percent of the attention.
     */
    static Tensor fused(Tensor q, Tensor k, Tensor v, long heads, boolean causal) {
        long n = q.size(0);
        long lq = q.size(1);
        long d = q.size(2);
        long headDim = d / heads;
        torch.ScalarType type = q.scalar_type();
        boolean widen = widens(q);
        Tensor out = torch.scaled_dot_product_attention(split(widen(q, widen), heads, headDim),
                split(widen(k, widen), heads, headDim), split(widen(v, widen), heads, headDim),
                new TensorOptional(), 0.0, causal, new DoubleOptional(1.0 / Math.sqrt(headDim)), false);
        return merge(widen ? out.to(type) : out, n, lq, d);
    }

    /** Whether {@link #fused} computes {@code x}'s type in fp32 (half types on the CPU). */
    static boolean widens(Tensor x) {
        torch.ScalarType type = x.scalar_type();
        return x.device().is_cpu() && type != torch.ScalarType.Float && type != torch.ScalarType.Double;
    }

    private static Tensor widen(Tensor x, boolean widen) {
        return widen ? x.to(torch.ScalarType.Float) : x;
    }

    /** {@code [N, L, D] -> [N, H, L, D/H]}. */
    private static Tensor split(Tensor x, long heads, long headDim) {
        return x.view(x.size(0), x.size(1), heads, headDim).transpose(1, 2);
    }

    /** {@code [N, H, L, D/H] -> [N, L, D]}. */
    private static Tensor merge(Tensor x, long n, long l, long d) {
        return x.transpose(1, 2).reshape(n, l, d);
    }
}
