package io.github.clip4j.internal.training;

import org.bytedeco.pytorch.global.torch;

/**
 * A scope in which libtorch's CPU autocast runs eligible ops (matmuls, convolutions, linear layers) in
 * bfloat16, like Python's {@code torch.autocast("cpu", dtype=torch.bfloat16)}. A disabled scope does nothing.
 * Not thread-safe: autocast state is per thread.
 */
public final class CpuAutocast implements AutoCloseable {
    private final boolean enabled;
    private final boolean previous;

  public   CpuAutocast(boolean enabled) {
        this.enabled = enabled;
        this.previous = enabled && torch.is_autocast_enabled(torch.DeviceType.CPU);
        if (enabled) {
            torch.set_autocast_dtype(torch.DeviceType.CPU, torch.ScalarType.BFloat16);
            torch.set_autocast_enabled(torch.DeviceType.CPU, true);
            torch.increment_nesting();
        }
    }

    @Override
    public void close() {
        if (enabled) {
            if (torch.decrement_nesting() == 0) {
                torch.clear_cache(); // cached bf16 copies of the weights are stale after the optimizer step
            }
            torch.set_autocast_enabled(torch.DeviceType.CPU, previous);
        }
    }
}
