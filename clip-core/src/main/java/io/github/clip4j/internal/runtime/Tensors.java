package io.github.clip4j.internal.runtime;

import io.github.clip4j.NativeRuntimeException;
import io.github.clip4j.internal.weights.DType;
import io.github.clip4j.internal.weights.HostTensor;
import java.lang.ref.Reference;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.Objects;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.MemoryFormatOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;

/**
 * Conversions between Java arrays, {@link HostTensor}s and libtorch tensors.
 *
 * <p>Every tensor returned belongs to the innermost {@code PointerScope} of the calling thread (see
 * {@link InferenceScope}), or with none to the caller; the methods free their own temporaries before returning and
 * keep no reference to their arguments.
 */
public final class Tensors {
    private Tensors() {}

    /**
     * A new CPU fp32 tensor holding a copy of {@code values}, shaped {@code shape}.
     *
     * <pre>{@code Tensor pixels = Tensors.fromFloats(data, n, 3, 224, 224);}</pre>
     *
     * @param values the elements in row-major order; copied, not null
     * @param shape  the dimensions, whose product must equal {@code values.length} (none for a scalar)
     * @return a new tensor owned as described in the class comment
     * @throws IllegalArgumentException if the shape does not hold exactly {@code values.length} elements
     * @throws NativeRuntimeException   if libtorch cannot be loaded
     */
    public static Tensor fromFloats(float[] values, long... shape) {
        Objects.requireNonNull(values, "values");
        checkCount(values.length, shape);
        NativeRuntime.ensureLoaded();
        try (PointerScope scope = new PointerScope()) {
            Tensor t = empty(torch.ScalarType.Float, shape);
            if (values.length > 0) {
                t.data_ptr_float().put(values);
            }
            return NativeScopes.escape(scope, t);
        }
    }

    /**
     * A new CPU fp32 tensor holding a copy of {@code values[offset ..]}, shaped {@code shape}: a slice of a batch
     * without an intermediate array.
     *
     * @param values the array holding the elements in row-major order from {@code offset} on; not null
     * @param offset the index of the first element, at least 0
     * @param shape  the dimensions; their product elements must lie within {@code values} from {@code offset}
     * @return a new tensor owned as described in the class comment
     * @throws IllegalArgumentException if the range lies outside {@code values}
     */
    public static Tensor fromFloatRange(float[] values, int offset, long... shape) {
        Objects.requireNonNull(values, "values");
        long count = 1;
        for (long d : shape) {
            count = Math.multiplyExact(count, d);
        }
        if (offset < 0 || count < 0 || offset + count > values.length) {
            throw new IllegalArgumentException(count + " floats from " + offset + " do not fit an array of "
                    + values.length);
        }
        NativeRuntime.ensureLoaded();
        try (PointerScope scope = new PointerScope()) {
            Tensor t = empty(torch.ScalarType.Float, shape);
            if (count > 0) {
                t.data_ptr_float().put(values, offset, (int) count);
            }
            return NativeScopes.escape(scope, t);
        }
    }

    /**
     * A new CPU int64 tensor holding a copy of {@code values}, shaped {@code shape}.
     *
     * <pre>{@code Tensor tokens = Tensors.fromLongs(ids, n, 77);}</pre>
     *
     * @param values the elements in row-major order; copied, not null
     * @param shape  the dimensions, whose product must equal {@code values.length}
     * @return a new tensor owned as described in the class comment
     * @throws IllegalArgumentException if the shape does not hold exactly {@code values.length} elements
     * @throws NativeRuntimeException   if libtorch cannot be loaded
     */
    public static Tensor fromLongs(long[] values, long... shape) {
        Objects.requireNonNull(values, "values");
        checkCount(values.length, shape);
        NativeRuntime.ensureLoaded();
        try (PointerScope scope = new PointerScope()) {
            Tensor t = empty(torch.ScalarType.Long, shape);
            if (values.length > 0) {
                t.data_ptr_long().put(values);
            }
            return NativeScopes.escape(scope, t);
        }
    }

    /**
     * A CPU fp32 tensor over the floats of a direct buffer, without copying them (e.g. a batch decoded by the
     * decode pipeline). It is only valid while {@code values} is reachable: keep the buffer referenced (e.g.
     * {@code Reference.reachabilityFence}) until the tensor and every view of it are no longer used.
     *
     * @param values a direct, native-order buffer; the floats from its position on are used (not changed)
     * @param shape  the dimensions, whose product must equal {@code values.remaining()}
     * @return a new tensor owned as described in the class comment
     * @throws IllegalArgumentException if the buffer is not direct and native-order, or the shape does not fit
     * @throws NativeRuntimeException   if libtorch cannot be loaded
     */
    public static Tensor view(FloatBuffer values, long... shape) {
        Objects.requireNonNull(values, "values");
        if (!values.isDirect() || values.order() != ByteOrder.nativeOrder()) {
            throw new IllegalArgumentException("values must be a direct buffer in native byte order "
                    + "(ByteBuffer.allocateDirect(bytes).order(ByteOrder.nativeOrder()).asFloatBuffer())");
        }
        checkCount(values.remaining(), shape);
        NativeRuntime.ensureLoaded();
        try (PointerScope scope = new PointerScope()) {
            Tensor t = values.remaining() == 0 ? empty(torch.ScalarType.Float, shape)
                    // slice(): a pointer at the buffer's position (from_blob takes void*, ignoring JavaCPP positions)
                    : torch.from_blob(new FloatPointer(values.slice()), shape, new TensorOptions(torch.ScalarType.Float));
            return NativeScopes.escape(scope, t);
        }
    }

    /**
     * A new CPU int64 tensor {@code [rows, columns]} from equally long rows (e.g. token ids).
     *
     * @param rows at least one row, all of the same length; copied, not null
     * @return a new tensor owned as described in the class comment
     * @throws IllegalArgumentException if there are no rows or a row is null or of another length
     * @throws NativeRuntimeException   if libtorch cannot be loaded
     */
    public static Tensor fromIntRows(int[][] rows) {
        Objects.requireNonNull(rows, "rows");
        if (rows.length == 0) {
            throw new IllegalArgumentException("no rows");
        }
        int columns = Objects.requireNonNull(rows[0], "rows[0]").length;
        long[] flat = new long[Math.multiplyExact(rows.length, columns)];
        for (int i = 0; i < rows.length; i++) {
            int[] row = rows[i];
            if (row == null || row.length != columns) {
                throw new IllegalArgumentException("row " + i + " has " + (row == null ? "no" : row.length) + " values, row 0 has " + columns);
            }
            for (int j = 0; j < columns; j++) {
                flat[i * columns + j] = row[j];
            }
        }
        NativeRuntime.ensureLoaded();
        try (PointerScope scope = new PointerScope()) {
            Tensor t = empty(torch.ScalarType.Long, rows.length, columns);
            if (flat.length > 0) {
                t.data_ptr_long().put(flat);
            }
            return NativeScopes.escape(scope, t);
        }
    }

    /**
     * A tensor over the bytes of {@code host}, without copying them when they are direct (memory-mapped): then it is
     * only valid while {@code host}'s buffer is; {@code copy_} it into a parameter, or {@code clone()} it, to keep
     * the values. Heap buffers are copied once into an owning tensor.
     *
     * @param host the stored tensor; not null
     * @return a CPU tensor of the matching libtorch type and shape (see {@link #scalarType(DType)})
     * @throws NativeRuntimeException if libtorch cannot be loaded
     */
    public static Tensor view(HostTensor host) {
        Objects.requireNonNull(host, "host");
        NativeRuntime.ensureLoaded();
        ByteBuffer bytes = host.data();
        TensorOptions options = new TensorOptions(scalarType(host.dtype()));
        try (PointerScope scope = new PointerScope()) {
            Tensor t;
            if (bytes.remaining() == 0) {
                t = empty(options, host.shape());
            } else if (bytes.isDirect()) {
                t = torch.from_blob(new BytePointer(bytes), host.shape(), options);
            } else {
                // A heap buffer can move or be collected: stage it in native memory and return an owning copy.
                ByteBuffer direct = ByteBuffer.allocateDirect(bytes.remaining()).order(ByteOrder.LITTLE_ENDIAN);
                direct.put(bytes).flip();
                t = torch.from_blob(new BytePointer(direct), host.shape(), options).clone();
                Reference.reachabilityFence(direct);
            }
            return NativeScopes.escape(scope, t);
        } finally {
            options.close();
        }
    }

    /**
     * The values of a floating-point tensor of any shape, device and type, as fp32, in row-major order. The
     * tensor is not modified; a GPU tensor is copied to the host first.
     *
     * @param tensor any floating-point tensor with at most {@code Integer.MAX_VALUE} elements; not null
     * @return a new array of {@code tensor.numel()} values
     * @throws ArithmeticException if the tensor has too many elements for a Java array
     */
    public static float[] toFloatArray(Tensor tensor) {
        Objects.requireNonNull(tensor, "tensor");
        try (PointerScope scope = new PointerScope()) {
            Tensor t = tensor.detach().to(torch.ScalarType.Float).cpu().contiguous();
            long n = t.numel();
            float[] out = new float[Math.toIntExact(n)];
            if (n > 0) {
                t.data_ptr_float().get(out);
            }
            return out;
        }
    }

    /**
     * The values of an integer tensor of any shape and device as int64, in row-major order.
     *
     * @param tensor any integer tensor with at most {@code Integer.MAX_VALUE} elements; not null
     * @return a new array of {@code tensor.numel()} values
     * @throws ArithmeticException if the tensor has too many elements for a Java array
     */
    public static long[] toLongArray(Tensor tensor) {
        Objects.requireNonNull(tensor, "tensor");
        try (PointerScope scope = new PointerScope()) {
            Tensor t = tensor.detach().to(torch.ScalarType.Long).cpu().contiguous();
            long n = t.numel();
            long[] out = new long[Math.toIntExact(n)];
            if (n > 0) {
                t.data_ptr_long().get(out);
            }
            return out;
        }
    }

    /**
     * A 2-D tensor's values as fp32 rows, as {@link #toFloatArray(Tensor)} reads them.
     *
     * @param tensor a floating-point {@code [rows, columns]} tensor, e.g. a batch of embeddings; not null
     * @return a new {@code [rows][columns]} array
     * @throws IllegalArgumentException if the tensor is not two-dimensional
     */
    public static float[][] toFloatMatrix(Tensor tensor) {
        Objects.requireNonNull(tensor, "tensor");
        if (tensor.dim() != 2) {
            throw new IllegalArgumentException("expected a 2-D tensor, got shape " + Arrays.toString(shape(tensor)));
        }
        int rows = Math.toIntExact(tensor.size(0));
        int columns = Math.toIntExact(tensor.size(1));
        float[] flat = toFloatArray(tensor);
        float[][] out = new float[rows][];
        for (int i = 0; i < rows; i++) {
            out[i] = Arrays.copyOfRange(flat, i * columns, (i + 1) * columns);
        }
        return out;
    }

    /**
     * The shape of {@code tensor}.
     *
     * @param tensor any defined tensor
     * @return a new array of its dimensions (empty for a scalar)
     */
    public static long[] shape(Tensor tensor) {
        long[] shape = new long[Math.toIntExact(tensor.dim())];
        for (int i = 0; i < shape.length; i++) {
            shape[i] = tensor.size(i);
        }
        return shape;
    }

    /**
     * The libtorch element type of a stored tensor type.
     *
     * @param dtype a checkpoint element type; not null
     * @return the libtorch type with the same bits per element, e.g. {@code Half} for {@link DType#F16}
     */
    public static torch.ScalarType scalarType(DType dtype) {
        return switch (dtype) {
            case F64 -> torch.ScalarType.Double;
            case F32 -> torch.ScalarType.Float;
            case F16 -> torch.ScalarType.Half;
            case BF16 -> torch.ScalarType.BFloat16;
            case I64 -> torch.ScalarType.Long;
            case I32 -> torch.ScalarType.Int;
            case I16 -> torch.ScalarType.Short;
            case I8 -> torch.ScalarType.Char;
            case U8 -> torch.ScalarType.Byte;
            case BOOL -> torch.ScalarType.Bool;
        };
    }

    /**
     * An uninitialised tensor with {@code options}' type and device; every element must be written before use.
     *
     * @param options the element type and device (and layout) of the result
     * @param shape   the dimensions
     * @return a new tensor owned by the innermost {@code PointerScope}, or the caller
     */
    public static Tensor empty(TensorOptions options, long... shape) {
        return torch.empty(shape, options, new MemoryFormatOptional());
    }

    private static Tensor empty(torch.ScalarType type, long... shape) {
        return empty(new TensorOptions(type), shape);
    }

    private static void checkCount(long count, long[] shape) {
        long n = 1;
        for (long d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(shape));
            }
            n = Math.multiplyExact(n, d);
        }
        if (n != count) {
            throw new IllegalArgumentException(count + " values do not fill shape " + Arrays.toString(shape)
                    + " (" + n + " values)");
        }
    }
}
