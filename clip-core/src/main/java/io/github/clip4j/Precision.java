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
    FP16,
    /**
     * 8-bit integer matrix products for inference on CPUs with AVX2 (fastest with AVX512-VNNI): the weights of the
     * linear layers (attention projections and MLPs, about 90% of a ViT's arithmetic) are quantized once at load,
     * symmetric per tensor, and each batch's activations are quantized per tensor as they enter a linear layer
     * (dynamic quantization, libtorch's fbgemm kernels); everything else runs in fp32. Features stay close to fp32
     * (cosine typically above 0.99) but depend slightly on the other inputs of the same batch, through the
     * activations' range. Inference only: fine-tuning refuses it; the fp32 weights stay loaded beside the 8-bit ones.
     */
    INT8
}
