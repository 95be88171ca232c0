package io.github.clip4j.internal.weights;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;

/** Byte-level tensor operations the readers need: strided views, concatenation and 2-D transposition. */
final class HostTensors {
    private HostTensors() {}

    /**
     * The tensor {@code (size, stride, offset)} over {@code storage} (all in elements), as torch's
     * {@code _rebuild_tensor_v2} defines it: a slice when the view is contiguous, else a contiguous copy.
     *
     * @throws IllegalArgumentException if the view reaches outside the storage or is malformed
     */
    static HostTensor view(DType dtype, ByteBuffer storage, long offset, long[] size, long[] stride) {
        return view(dtype, storage, offset, size, stride, null, 0);
    }

    /** As {@link #view(DType, ByteBuffer, long, long[], long[])}, for a storage that starts at {@code fileOffset} in {@code origin}. */
    static HostTensor view(DType dtype, ByteBuffer storage, long offset, long[] size, long[] stride,
                           FileOrigin origin, long fileOffset) {
        if (size.length != stride.length) {
            throw new IllegalArgumentException("size " + Arrays.toString(size) + " and stride "
                    + Arrays.toString(stride) + " differ in rank");
        }
        long elementSize = dtype.byteSize();
        long storageElements = storage.remaining() / elementSize;
        long numel = HostTensor.numel(size);
        if (offset < 0) {
            throw new IllegalArgumentException("negative storage offset " + offset);
        }
        if (numel == 0) {
            return new HostTensor(dtype, size, ByteBuffer.allocate(0));
        }
        long last = offset;
        for (int i = 0; i < size.length; i++) {
            if (stride[i] < 0) {
                throw new IllegalArgumentException("negative stride in " + Arrays.toString(stride));
            }
            last = Math.addExact(last, Math.multiplyExact(size[i] - 1, stride[i]));
        }
        if (last >= storageElements) {
            throw new IllegalArgumentException("view (offset " + offset + ", size " + Arrays.toString(size)
                    + ", stride " + Arrays.toString(stride) + ") reaches element " + last + " of a storage of "
                    + storageElements);
        }
        if (!isContiguous(size, stride) && numel > storageElements) {
            // Only a view that repeats elements (a zero or overlapping stride) has more elements than its
            // storage; copying it would turn a few stored bytes into gigabytes.
            throw new IllegalArgumentException("view (size " + Arrays.toString(size) + ", stride "
                    + Arrays.toString(stride) + ") repeats the elements of a storage of " + storageElements
                    + " into " + numel + " elements (an expanded or overlapping view); re-save the tensor with"
                    + " .contiguous()");
        }
        if (Math.multiplyExact(numel, elementSize) > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("tensor of shape " + Arrays.toString(size) + " is larger than 2 GiB");
        }
        ByteBuffer source = storage.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        int base = source.position();
        if (isContiguous(size, stride)) {
            int from = base + (int) (offset * elementSize);
            ByteBuffer slice = source.position(from).limit(from + (int) (numel * elementSize)).slice();
            return new HostTensor(dtype, size, slice, origin, fileOffset + offset * elementSize);
        }
        int es = (int) elementSize;
        byte[] out = new byte[(int) (numel * es)];
        long[] index = new long[size.length];
        byte[] element = new byte[es];
        for (int n = 0; n < numel; n++) {
            long at = offset;
            for (int d = 0; d < size.length; d++) {
                at += index[d] * stride[d];
            }
            source.get(base + (int) (at * es), element);
            System.arraycopy(element, 0, out, n * es, es);
            for (int d = size.length - 1; d >= 0; d--) {
                if (++index[d] < size[d]) {
                    break;
                }
                index[d] = 0;
            }
        }
        return new HostTensor(dtype, size, ByteBuffer.wrap(out));
    }

    /** Whether row-major order visits the elements at consecutive positions (size-1 dimensions do not matter). */
    static boolean isContiguous(long[] size, long[] stride) {
        long expected = 1;
        for (int i = size.length - 1; i >= 0; i--) {
            if (size[i] != 1 && stride[i] != expected) {
                return false;
            }
            expected *= size[i];
        }
        return true;
    }

    /**
     * The tensors joined along dimension 0 (like {@code torch.cat(parts)}), e.g. q, k, v into {@code in_proj}.
     *
     * @throws IllegalArgumentException if the dtypes or trailing shapes differ
     */
    static HostTensor concat(List<HostTensor> parts) {
        HostTensor first = parts.get(0);
        long[] shape = first.shape();
        long rows = 0;
        long bytes = 0;
        for (HostTensor part : parts) {
            long[] s = part.shape();
            if (part.dtype() != first.dtype() || s.length != shape.length || s.length == 0
                    || !Arrays.equals(s, 1, s.length, shape, 1, shape.length)) {
                throw new IllegalArgumentException("cannot concatenate " + part + " with " + first);
            }
            rows += s[0];
            bytes += part.data().remaining();
        }
        if (bytes > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("concatenation larger than 2 GiB");
        }
        ByteBuffer out = ByteBuffer.allocate((int) bytes);
        for (HostTensor part : parts) {
            out.put(part.data());
        }
        out.flip();
        shape[0] = rows;
        return new HostTensor(first.dtype(), shape, out);
    }

    /** The transpose of a 2-D tensor, copied contiguous. */
    static HostTensor transpose(HostTensor matrix) {
        if (matrix.rank() != 2) {
            throw new IllegalArgumentException("transpose needs a matrix, not " + matrix);
        }
        long rows = matrix.dim(0);
        long cols = matrix.dim(1);
        return view(matrix.dtype(), matrix.data(), 0, new long[] {cols, rows}, new long[] {1, cols});
    }
}
