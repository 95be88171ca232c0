package io.github.clip4j.internal.weights;

import io.github.clip4j.CheckpointException;
import java.util.Locale;

/**
 * Element types of stored tensors. The constant names are the safetensors dtype names, so
 * {@code DType.valueOf("BF16")} and {@link #fromSafetensorsName(String)} agree; every element is stored
 * little-endian.
 */
public enum DType {
    /** IEEE 754 double precision (8 bytes); PyTorch's {@code torch.float64}. */
    F64(8),
    /** IEEE 754 single precision (4 bytes); PyTorch's {@code torch.float32}, the usual weight type. */
    F32(4),
    /** IEEE 754 half precision (2 bytes); PyTorch's {@code torch.float16}, used by OpenAI's GPU releases. */
    F16(2),
    /** bfloat16 (2 bytes): the upper half of a float32, PyTorch's {@code torch.bfloat16}. */
    BF16(2),
    /** Signed 64-bit integer; PyTorch's {@code torch.int64} (e.g. {@code position_ids} buffers). */
    I64(8),
    /** Signed 32-bit integer; PyTorch's {@code torch.int32}. */
    I32(4),
    /** Signed 16-bit integer; PyTorch's {@code torch.int16}. */
    I16(2),
    /** Signed 8-bit integer; PyTorch's {@code torch.int8}. */
    I8(1),
    /** Unsigned 8-bit integer; PyTorch's {@code torch.uint8}. */
    U8(1),
    /** Boolean stored as one byte, 0 or 1; PyTorch's {@code torch.bool}. */
    BOOL(1);

    private final int byteSize;

    DType(int byteSize) {
        this.byteSize = byteSize;
    }

    /**
     * Bytes per element.
     *
     * @return the size of one element in bytes: 1, 2, 4 or 8
     */
    public int byteSize() {
        return byteSize;
    }

    /**
     * Whether this is a floating-point type.
     *
     * @return {@code true} for {@link #F64}, {@link #F32}, {@link #F16} and {@link #BF16}
     */
    public boolean isFloatingPoint() {
        return this == F64 || this == F32 || this == F16 || this == BF16;
    }

    /**
     * The type with this safetensors name ({@code "F32"}, {@code "BF16"}, ...).
     *
     * @param name a safetensors dtype name, in any letter case; not null
     * @return the matching type
     * @throws CheckpointException for a name clip4j cannot read
     */
    public static DType fromSafetensorsName(String name) {
        try {
            return valueOf(name.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new CheckpointException("unsupported tensor dtype '" + name + "'");
        }
    }
}
