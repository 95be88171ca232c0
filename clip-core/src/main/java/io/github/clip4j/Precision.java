package io.github.clip4j;

/**
 * The floating-point type weights are stored and multiplied in. Whatever the precision, clip4j computes layer
 * normalisation and softmax in fp32 (as OpenAI's reference does for its fp16 checkpoints) and returns fp32.
 * Only {@link #FP32} reproduces the reference to the last digits; the half types trade a little accuracy
 * (cosine similarity to fp32 typically above 0.99) for speed and half the memory.
 *
 * <pre>{@code
 * Clip clip = Clip.builder().precision(Precision.BF16).build();
 * }</pre>
 */
public enum Precision {
    /** 32-bit floats: exact, the default. */
    FP32,
    /** bfloat16: fp32's range with 8 bits of mantissa; fast on CPUs with AVX512-BF16/AMX. */
    BF16,
    /** IEEE half: mostly for GPUs; slow on most CPUs. */
    FP16
}
