package io.github.clip4j.internal.model;

import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.T_TensorTensorDoubleLong_T;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * A linear layer's int8 form for {@link io.github.clip4j.Precision#INT8}: the weight quantized once (per tensor,
 * libtorch's {@code fbgemm_linear_quantize_weight}) and packed for fbgemm ({@code fbgemm_pack_quantized_matrix});
 * {@link #forward} quantizes the activations per call (their range over the whole batch) and multiplies in int8
 * with int32 accumulation, adding the fp32 bias ({@code fbgemm_linear_int8_weight_fp32_activation}). These are
 * libtorch's legacy dynamic-quantization operators, the ones its {@code nn.quantized.dynamic.Linear} used before
 * the packed-parameter classes, and the only ones the JavaCPP presets expose; measured on the AVX512-VNNI machine
 * of issue 17, the four linear layers of one ViT-B/32 block at batch 16 took 21 ms against 73 ms in fp32
 * (OpenBLAS) and 43 ms in bf16 (oneDNN).
 */
final class QuantizedLinear {
    private final Tensor quantized;
    private final Tensor packed;
    private final Tensor columnOffsets;
    private final Scalar scale;
    private final Scalar zeroPoint;
    private final Tensor bias;

    private QuantizedLinear(Tensor weight, Tensor bias) {
        LegacyFbgemm.prepare();
        Tensor fp32 = weight.detach().to(torch.ScalarType.Float).contiguous();
        T_TensorTensorDoubleLong_T q = torch.fbgemm_linear_quantize_weight(fp32);
        this.quantized = q.get0();
        this.columnOffsets = q.get1();
        this.scale = new Scalar(q.get2());
        this.zeroPoint = new Scalar(q.get3());
        this.packed = torch.fbgemm_pack_quantized_matrix(quantized);
        this.bias = bias.detach().to(torch.ScalarType.Float).contiguous();
    }

    /** Quantizes {@code weight [out, in]} (with {@code bias [out]}) as it is now: call after the weights are loaded. */
    static QuantizedLinear of(Tensor weight, Tensor bias) {
        return new QuantizedLinear(weight, bias);
    }

    /** {@code x W^T + b} for fp32 {@code x [..., in]}, in int8 arithmetic; fp32 result {@code [..., out]}. */
    Tensor forward(Tensor x) {
        return torch.fbgemm_linear_int8_weight_fp32_activation(x.contiguous(), quantized, packed, columnOffsets,
                scale, zeroPoint, bias);
    }
}
