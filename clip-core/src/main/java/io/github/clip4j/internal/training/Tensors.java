package io.github.clip4j.internal.training;

import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;

/** Copies between Java arrays and CPU tensors: the only place training touches raw tensor memory. */
public final class Tensors {
    private Tensors() {}

    /** A new float32 CPU tensor holding a copy of {@code values}. */
    public static Tensor fromFloats(float[] values, long... shape) {
        Tensor t = torch.zeros(shape, new TensorOptions(torch.ScalarType.Float));
        checkSize(t, values.length);
        t.data_ptr_float().put(values);
        return t;
    }

    /** A new int64 CPU tensor holding a copy of {@code values}. */
    public static Tensor fromLongs(long[] values, long... shape) {
        Tensor t = torch.zeros(shape, new TensorOptions(torch.ScalarType.Long));
        checkSize(t, values.length);
        t.data_ptr_long().put(values);
        return t;
    }

    /** The values of any floating-point tensor as float32, row-major. */
    public static float[] toFloats(Tensor tensor) {
        Tensor t = tensor.detach().to(torch.ScalarType.Float).cpu().contiguous();
        float[] out = new float[Math.toIntExact(t.numel())];
        t.data_ptr_float().get(out);
        return out;
    }

    /** The values of an integer tensor as int64, row-major. */
    static long[] toLongs(Tensor tensor) {
        Tensor t = tensor.detach().to(torch.ScalarType.Long).cpu().contiguous();
        long[] out = new long[Math.toIntExact(t.numel())];
        t.data_ptr_long().get(out);
        return out;
    }

    private static void checkSize(Tensor t, int length) {
        if (t.numel() != length) {
            throw new IllegalArgumentException(length + " values do not fill a tensor of " + t.numel() + " elements");
        }
    }
}
