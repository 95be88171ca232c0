package io.github.clip4j.internal.model;

import io.github.clip4j.internal.runtime.CpuFeatures;
import io.github.clip4j.internal.runtime.LibtorchWarnings;
import java.util.Locale;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.T_TensorTensorDoubleLong_T;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;

/**
 * libtorch's legacy fbgemm operators, the ones behind {@link QuantizedLinear} (int8) and {@link HalfPackedLinear}
 * (fp32 on fp16-packed weights): the only packed-weight products the JavaCPP presets expose. libtorch 2.10 marks
 * them deprecated and prints a warning the first time each runs in a process; clip4j pins that libtorch version,
 * so {@link #prepare} runs each once on a tiny input with libtorch's warnings held back, and later calls print
 * nothing. fbgemm exists for x86-64 CPUs with AVX2 only.
 */
final class LegacyFbgemm {
    private static volatile boolean prepared;

    private LegacyFbgemm() {}

    /** Whether this machine runs fbgemm's kernels: x86-64 with AVX2, as far as {@link CpuFeatures} knows. */
    static boolean available() {
        String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        return (arch.equals("amd64") || arch.equals("x86_64")) && CpuFeatures.current().has("avx2");
    }

    /** Runs every legacy operator clip4j uses once, quietly; call before the first real call (cheap after). */
    static void prepare() {
        if (prepared) {
            return;
        }
        synchronized (LegacyFbgemm.class) {
            if (prepared) {
                return;
            }
            LibtorchWarnings.suppressed(() -> {
                try (PointerScope scope = new PointerScope()) {
                    TensorOptions fp32 = new TensorOptions(torch.ScalarType.Float);
                    Tensor weight = torch.ones(new long[] {4, 4}, fp32);
                    Tensor input = torch.ones(new long[] {1, 4}, fp32);
                    Tensor bias = torch.zeros(new long[] {4}, fp32);
                    Tensor half = torch.fbgemm_pack_gemm_matrix_fp16(weight);
                    torch.fbgemm_linear_fp16_weight_fp32_activation(input, half, new TensorOptional(bias));
                    T_TensorTensorDoubleLong_T q = torch.fbgemm_linear_quantize_weight(weight);
                    Tensor packed = torch.fbgemm_pack_quantized_matrix(q.get0());
                    torch.fbgemm_linear_int8_weight_fp32_activation(input, q.get0(), packed, q.get1(),
                            new Scalar(q.get2()), new Scalar(q.get3()), bias);
                }
            });
            prepared = true;
        }
    }
}
