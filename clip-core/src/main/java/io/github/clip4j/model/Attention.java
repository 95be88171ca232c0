package io.github.clip4j.model;

import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * Scaled dot-product attention over already projected queries, keys and values, as PyTorch's
 * {@code multi_head_attention_forward} computes it: queries divided by {@code sqrt(head_dim)}, an additive mask,
 * softmax in fp32.
 */
final class Attention {
    private Attention() {}

    /**
     * @param q    {@code [N, Lq, D]}
     * @param k    {@code [N, Lk, D]}
     * @param v    {@code [N, Lk, D]}
     * @param mask additive {@code [Lq, Lk]} mask or {@code null}
     * @return {@code [N, Lq, D]}, heads concatenated
     */
    static Tensor attend(Tensor q, Tensor k, Tensor v, long heads, Tensor mask) {
        long n = q.size(0);
        long lq = q.size(1);
        long d = q.size(2);
        long headDim = d / heads;
        Tensor qh = split(q, heads, headDim).div(new Scalar(Math.sqrt(headDim)));
        Tensor kh = split(k, heads, headDim);
        Tensor vh = split(v, heads, headDim);
        Tensor scores = qh.matmul(kh.transpose(-2, -1)).to(torch.ScalarType.Float);
        if (mask != null) {
            scores = scores.add(mask);
        }
        Tensor weights = torch.softmax(scores, -1).to(v.scalar_type());
        return weights.matmul(vh).transpose(1, 2).reshape(n, lq, d);
    }

    /** {@code [N, L, D] -> [N, H, L, D/H]}. */
    private static Tensor split(Tensor x, long heads, long headDim) {
        return x.view(x.size(0), x.size(1), heads, headDim).transpose(1, 2);
    }
}
