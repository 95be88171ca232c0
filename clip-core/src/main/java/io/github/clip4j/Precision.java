package io.github.clip4j;

import org.bytedeco.pytorch.global.torch;

/**
 * The floating-point type weights are stored and multiplied in. Whatever the precision, clip4j computes layer
 * normalisation and softmax in fp32 (as OpenAI's reference does for its fp16 checkpoints) and returns fp32.
 * Only {@link #FP32} reproduces the reference to the last digits; the half types trade a little accuracy
 * (cosine similarity to fp32 typically above 0.99) for speed and half the memory.
 */
public enum Precision {
    /** 32-bit floats: exact, the default. */
    FP32(torch.ScalarType.Float),
    /** bfloat16: fp32's range with 8 bits of mantissa; fast on CPUs with AVX512-BF16/AMX. */
    BF16(torch.ScalarType.BFloat16),
    /** IEEE half: mostly for GPUs; slow on most CPUs. */
    FP16(torch.ScalarType.Half);

    private final torch.ScalarType scalarType;

    Precision(torch.ScalarType scalarType) {
        this.scalarType = scalarType;
    }

    /**
     * The libtorch element type.
     *
     * @return {@code Float}, {@code BFloat16} or {@code Half}
     */
    public torch.ScalarType scalarType() {
        return scalarType;
    }
}
