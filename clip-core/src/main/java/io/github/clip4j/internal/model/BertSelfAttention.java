package io.github.clip4j.internal.model;

import org.bytedeco.pytorch.DoubleOptional;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.global.torch;

/**
 * The reference's {@code BertSelfAttention}: separate {@code query}, {@code key} and {@code value} projections,
 * scores {@code q k^T / sqrt(head)} plus the additive padding mask, softmax, weighted values, heads concatenated.
 * With {@link Kernels#fusedAttention()} the same computation runs in libtorch's
 * {@code scaled_dot_product_attention} (in fp32 for half types on the CPU, as {@link Attention#fused} does).
 */
final class BertSelfAttention extends Layer {
    private final Linear query;
    private final Linear key;
    private final Linear value;
    private final long heads;
    private final long hidden;
    private final Kernels kernels;

    BertSelfAttention(Spec spec, long hidden, long heads) {
        this.hidden = hidden;
        this.heads = heads;
        this.kernels = spec.kernels;
        this.query = register_module("query", new Linear(spec, hidden, hidden));
        this.key = register_module("key", new Linear(spec, hidden, hidden));
        this.value = register_module("value", new Linear(spec, hidden, hidden));
    }

    /**
     * @param x    {@code [N, L, hidden]}
     * @param mask fp32 {@code [N, 1, 1, L]}: 0 for tokens, -10000 for padding
     * @return the context {@code [N, L, hidden]} in {@code x}'s type
     */
    Tensor forward(Tensor x, Tensor mask) {
        long n = x.size(0);
        long length = x.size(1);
        long headSize = hidden / heads;
        torch.ScalarType type = x.scalar_type();
        boolean widen = Attention.widens(x);
        Tensor q = split(query.forward(x), headSize, widen);
        Tensor k = split(key.forward(x), headSize, widen);
        Tensor v = split(value.forward(x), headSize, widen);
        Tensor context;
        if (kernels.fusedAttention()) {
            context = torch.scaled_dot_product_attention(q, k, v, new TensorOptional(mask.to(q.scalar_type())), 0.0,
                    false, new DoubleOptional(1.0 / Math.sqrt(headSize)), false);
        } else {
            Tensor scores = q.matmul(k.transpose(-2, -1)).to(torch.ScalarType.Float)
                    .div(new Scalar(Math.sqrt(headSize))).add(mask);
            context = torch.softmax(scores, -1).to(v.scalar_type()).matmul(v);
        }
        context = context.transpose(1, 2).reshape(n, length, hidden);
        return context.scalar_type() == type ? context : context.to(type);
    }

    private Tensor split(Tensor x, long headSize, boolean widen) {
        Tensor t = widen ? x.to(torch.ScalarType.Float) : x;
        return t.view(t.size(0), t.size(1), heads, headSize).transpose(1, 2);
    }
}
