package io.github.clip4j;

import io.github.clip4j.internal.runtime.NativeRuntime;
import org.bytedeco.pytorch.global.torch;

/**
 * Where tensors live and models run.
 *
 * <pre>{@code
 * Device device = NativeRuntime.cudaAvailable() ? Device.CUDA : Device.CPU;
 * }</pre>
 */
public enum Device {
    /** The CPU; always available. */
    CPU(torch.DeviceType.CPU),
    /** The first CUDA GPU; needs CUDA-enabled native artifacts and a GPU ({@link NativeRuntime#cudaAvailable()}). */
    CUDA(torch.DeviceType.CUDA);

    private final torch.DeviceType type;

    Device(torch.DeviceType type) {
        this.type = type;
    }

    /**
     * Fails unless this device can be used in this process.
     *
     * @throws NativeRuntimeException for CUDA without a CUDA-enabled libtorch or without a GPU
     */
    public void requireAvailable() {
        NativeRuntime.ensureLoaded();
        if (this == CUDA && !NativeRuntime.cudaAvailable()) {
            throw new NativeRuntimeException("device CUDA requested but libtorch sees no CUDA GPU: use Device.CPU "
                    + "(--device cpu), or run on a machine with an NVIDIA driver and the CUDA-enabled "
                    + "org.bytedeco:pytorch-gpu artifacts on the class path");
        }
    }

    /**
     * A new libtorch device handle. The caller owns it (it belongs to the innermost {@code PointerScope}).
     *
     * @return a handle for this device (CUDA device index unset, meaning the current GPU); loads libtorch if needed
     * @throws NativeRuntimeException if libtorch cannot be loaded
     */
    public org.bytedeco.pytorch.Device toNative() {
        NativeRuntime.ensureLoaded();
        return new org.bytedeco.pytorch.Device(type);
    }
}
