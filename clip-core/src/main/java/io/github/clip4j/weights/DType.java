package io.github.clip4j.weights;

import java.util.Locale;

/** Element types of stored tensors, with their safetensors names. */
public enum DType {
    F64(8), F32(4), F16(2), BF16(2), I64(8), I32(4), I16(2), I8(1), U8(1), BOOL(1);

    private final int byteSize;

    DType(int byteSize) {
        this.byteSize = byteSize;
    }

    /** Bytes per element. */
    public int byteSize() {
        return byteSize;
    }

    /** Whether this is a floating-point type. */
    public boolean isFloatingPoint() {
        return this == F64 || this == F32 || this == F16 || this == BF16;
    }

    /**
     * The type with this safetensors name ({@code "F32"}, {@code "BF16"}, ...).
     *
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
