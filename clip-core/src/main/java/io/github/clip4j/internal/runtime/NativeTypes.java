package io.github.clip4j.internal.runtime;

import io.github.clip4j.Device;
import io.github.clip4j.NativeRuntimeException;
import io.github.clip4j.Precision;
import org.bytedeco.pytorch.global.torch;

/** libtorch's counterparts of the public {@link Device} and {@link Precision}, kept here so the API has no native types. */
public final class NativeTypes {
    private NativeTypes() {}

    /**
     * {@return libtorch's element type for {@code precision}: {@code Float}, {@code BFloat16} or {@code Half}}
     *
     * @param precision the precision, not null
     */
    public static torch.ScalarType scalarType(Precision precision) {
        return switch (precision) {
            case FP32 -> torch.ScalarType.Float;
            case BF16 -> torch.ScalarType.BFloat16;
            case FP16 -> torch.ScalarType.Half;
            case INT8 -> torch.ScalarType.Float; // fp32 weights and activations; the linear layers add int8 copies
        };
    }

    /**
     * {@return libtorch's device for {@code device}} Loads libtorch if needed.
     *
     * @param device the device, not null
     */
    public static org.bytedeco.pytorch.Device device(Device device) {
        NativeRuntime.ensureLoaded();
        return new org.bytedeco.pytorch.Device(switch (device) {
            case CPU -> torch.DeviceType.CPU;
            case CUDA -> torch.DeviceType.CUDA;
        });
    }

    /**
     * Fails unless {@code device} can be used in this process.
     *
     * @param device the device, not null
     * @throws NativeRuntimeException for CUDA without a CUDA-enabled libtorch or without a GPU
     */
    public static void requireAvailable(Device device) {
        NativeRuntime.ensureLoaded();
        if (device == Device.CUDA && !NativeRuntime.cudaAvailable()) {
            throw new NativeRuntimeException("device CUDA requested but libtorch sees no CUDA GPU: use Device.CPU "
                    + "(--device cpu), or run on a machine with an NVIDIA driver and the CUDA-enabled "
                    + "org.bytedeco:pytorch-gpu artifacts on the class path");
        }
    }
}
