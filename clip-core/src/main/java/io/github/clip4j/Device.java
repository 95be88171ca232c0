package io.github.clip4j;

/**
 * Where a model runs.
 *
 * <pre>{@code
 * Clip clip = Clip.builder().device(Device.CUDA).build();   // fails with a NativeRuntimeException without a GPU
 * }</pre>
 */
public enum Device {
    /** The CPU; always available. */
    CPU,
    /**
     * The first CUDA GPU; needs libtorch's CUDA-enabled native artifacts (the {@code -gpu} classifier) and a GPU.
     * {@link Clip.Builder#build()} fails with a {@link NativeRuntimeException} naming what is missing otherwise.
     */
    CUDA
}
