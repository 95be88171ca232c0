package io.github.clip4j.internal.weights;

import io.github.clip4j.CheckpointException;
import static java.util.Objects.requireNonNull;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.util.Arrays;

/**
 * A tensor's bytes in Java-side memory (often a read-only mapping of the checkpoint file): the form every
 * checkpoint reader produces before the model copies the values into libtorch.
 *
 * <p>Data is contiguous, row-major and little-endian. Immutable.
 */
public final class HostTensor {
    private final DType dtype;
    private final long[] shape;
    private final ByteBuffer data;
    /** The file {@code data} maps, or {@code null}; the bytes start at {@code originOffset} there. */
    private final FileOrigin origin;
    private final long originOffset;

    /**
     * A tensor over {@code data} (not copied: later writes to the buffer's content show through).
     *
     * @param dtype the element type; not null
     * @param shape the dimensions, each at least 0 ({@code {}} for a scalar); copied, not null
     * @param data exactly {@code numel * dtype.byteSize()} bytes, little-endian, position 0
     * @throws IllegalArgumentException if the byte count does not match the shape, or a dimension is negative
     */
    public HostTensor(DType dtype, long[] shape, ByteBuffer data) {
        this(dtype, shape, data, null, 0);
    }

    /** A tensor over a mapping of {@code origin}'s bytes from {@code originOffset} on ({@code origin} may be null). */
    HostTensor(DType dtype, long[] shape, ByteBuffer data, FileOrigin origin, long originOffset) {
        this.origin = origin;
        this.originOffset = originOffset;
        this.dtype = requireNonNull(dtype, "dtype");
        this.shape = requireNonNull(shape, "shape").clone();
        long numel = numel(this.shape);
        requireNonNull(data, "data");
        if (numel * dtype.byteSize() != data.remaining()) {
            throw new IllegalArgumentException("tensor of shape " + Arrays.toString(shape) + " and dtype " + dtype
                    + " needs " + numel * dtype.byteSize() + " bytes but has " + data.remaining());
        }
        this.data = data.slice().order(ByteOrder.LITTLE_ENDIAN);
    }

    /** Where the bytes start in the file they were read from (meaningful for readers' own tensors). */
    long originOffset() {
        return originOffset;
    }

    /**
     * A float32 tensor holding a copy of {@code values}; handy for tests and for building a state dict in memory.
     *
     * <pre>{@code
     * HostTensor scale = HostTensor.ofFloats(new long[] {}, new float[] {4.6052f}); // a scalar
     * }</pre>
     *
     * @param shape  the dimensions; their product must equal {@code values.length}
     * @param values the elements in row-major order; copied
     * @return a new {@link DType#F32} tensor on the Java heap
     * @throws IllegalArgumentException if the shape does not hold exactly {@code values.length} elements
     */
    public static HostTensor ofFloats(long[] shape, float[] values) {
        ByteBuffer buffer = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        buffer.asFloatBuffer().put(values);
        return new HostTensor(DType.F32, shape, buffer);
    }

    /**
     * The element type, as stored in the checkpoint.
     *
     * @return the dtype; never null
     */
    public DType dtype() {
        return dtype;
    }

    /**
     * The shape.
     *
     * @return a new array of the dimensions (empty for a scalar) that the caller may modify
     */
    public long[] shape() {
        return shape.clone();
    }

    /**
     * Size of dimension {@code i}; negative {@code i} counts from the end, as in PyTorch.
     *
     * @param i a dimension index in {@code [-rank(), rank())}; {@code -1} is the last dimension
     * @return the number of elements along that dimension
     * @throws ArrayIndexOutOfBoundsException if {@code i} is out of range
     */
    public long dim(int i) {
        return shape[i < 0 ? shape.length + i : i];
    }

    /**
     * The number of dimensions.
     *
     * @return the rank: 0 for a scalar, 2 for a weight matrix
     */
    public int rank() {
        return shape.length;
    }

    /**
     * The number of elements.
     *
     * @return the product of the dimensions: 1 for a scalar, 0 if any dimension is 0
     */
    public long numel() {
        return numel(shape);
    }

    /**
     * A read-only little-endian view of the raw bytes. Reading a mapped tensor through it pages the file in;
     * prefer {@link #copyInChunks} for bulk copies.
     *
     * @return a new buffer (own position and limit) over all {@code numel() * dtype().byteSize()} bytes
     */
    public ByteBuffer data() {
        return data.asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN);
    }

    /** Receives a tensor's bytes chunk by chunk from {@link #copyInChunks}, in order, on the calling thread. */
    @FunctionalInterface
    public interface ChunkSink {
        /**
         * Consumes one chunk; copy what you need before returning.
         *
         * @param byteOffset where {@code chunk} starts within the tensor's bytes
         * @param chunk      the next bytes (position 0, little-endian, a whole number of elements); valid only
         *                   during the call
         */
        void accept(long byteOffset, ByteBuffer chunk);
    }

    /**
     * Streams the raw bytes through {@code buffer}, in order, a whole number of elements at a time. When the tensor
     * lies in a checkpoint file that is unchanged since it was read, the bytes are read from the file with
     * positional reads instead of through its mapping, so loading a model never makes the file's pages part of the
     * process's resident memory; otherwise they are copied from {@link #data()}.
     *
     * <pre>{@code
     * ByteBuffer staging = ByteBuffer.allocateDirect(8 << 20);
     * tensor.copyInChunks(staging, (offset, chunk) -> target.put(offset, chunk));
     * }</pre>
     *
     * @param buffer reused for every chunk (its contents and position are overwritten); at least 8 bytes
     * @param sink   receives each chunk with its byte offset in the tensor; not null
     * @throws CheckpointException      if the file can no longer be read
     * @throws IllegalArgumentException if {@code buffer} cannot hold a single element
     */
    public void copyInChunks(ByteBuffer buffer, ChunkSink sink) {
        requireNonNull(buffer, "buffer");
        requireNonNull(sink, "sink");
        int step = buffer.capacity() - buffer.capacity() % dtype.byteSize();
        if (step <= 0) {
            throw new IllegalArgumentException("buffer of " + buffer.capacity() + " bytes cannot hold a " + dtype);
        }
        buffer.order(ByteOrder.LITTLE_ENDIAN);
        long total = data.remaining();
        FileChannel channel = origin == null || total == 0 ? null : origin.open();
        try {
            for (long done = 0; done < total; ) {
                int n = (int) Math.min(step, total - done);
                buffer.clear().limit(n);
                if (channel != null) {
                    while (buffer.hasRemaining()) {
                        if (channel.read(buffer, originOffset + done + buffer.position()) < 0) {
                            throw new EOFException("end of file");
                        }
                    }
                } else {
                    buffer.put(data.duplicate().position((int) done).limit((int) done + n));
                }
                buffer.flip();
                sink.accept(done, buffer);
                done += n;
            }
        } catch (IOException e) {
            throw new CheckpointException("cannot read tensor bytes from " + origin + ": " + e.getMessage(), e);
        } finally {
            if (channel != null) {
                try {
                    channel.close();
                } catch (IOException ignored) {
                    // read-only channel: nothing was written that could be lost
                }
            }
        }
    }

    /**
     * The values converted to float (from F32, F16, BF16, F64 or any integer type). F16 and BF16 convert
     * exactly; F64 and large integers round to the nearest float.
     *
     * @return a new array of all {@link #numel()} values in row-major order
     */
    public float[] toFloatArray() {
        return toFloatArray(Integer.MAX_VALUE);
    }

    /**
     * The first {@code limit} values (or all, if there are fewer) converted to float, without touching the rest.
     *
     * @param limit how many values at most, at least 0
     * @return a new array of {@code min(limit, numel())} floats
     */
    public float[] toFloatArray(int limit) {
        if (limit < 0) {
            throw new IllegalArgumentException("limit must not be negative: " + limit);
        }
        int n = (int) Math.min(limit, numel());
        float[] out = new float[n];
        ByteBuffer b = data();
        switch (dtype) {
            case F32 -> b.asFloatBuffer().get(out);
            case F16 -> {
                for (int i = 0; i < n; i++) {
                    out[i] = Float16.toFloat(b.getShort(2 * i));
                }
            }
            case BF16 -> {
                for (int i = 0; i < n; i++) {
                    out[i] = Float.intBitsToFloat((b.getShort(2 * i) & 0xffff) << 16);
                }
            }
            case F64 -> {
                for (int i = 0; i < n; i++) {
                    out[i] = (float) b.getDouble(8 * i);
                }
            }
            default -> {
                long[] longs = toLongArray();
                for (int i = 0; i < n; i++) {
                    out[i] = longs[i];
                }
            }
        }
        return out;
    }

    /**
     * The values of an integer (or bool) tensor as longs; unsigned for U8, 0 or 1 for BOOL.
     *
     * @return a new array of all {@link #numel()} values in row-major order
     * @throws IllegalStateException if this is a floating-point tensor
     * @throws ArithmeticException   if the tensor has more than {@code Integer.MAX_VALUE} elements
     */
    public long[] toLongArray() {
        int n = Math.toIntExact(numel());
        long[] out = new long[n];
        ByteBuffer b = data();
        for (int i = 0; i < n; i++) {
            out[i] = switch (dtype) {
                case I64 -> b.getLong(8 * i);
                case I32 -> b.getInt(4 * i);
                case I16 -> b.getShort(2 * i);
                case I8 -> b.get(i);
                case U8, BOOL -> b.get(i) & 0xff;
                default -> throw new IllegalStateException("not an integer tensor: " + dtype);
            };
        }
        return out;
    }

    static long numel(long[] shape) {
        long n = 1;
        for (long d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(shape));
            }
            n = Math.multiplyExact(n, d);
        }
        return n;
    }

    @Override
    public String toString() {
        return "HostTensor[" + dtype + " " + Arrays.toString(shape) + "]";
    }
}
