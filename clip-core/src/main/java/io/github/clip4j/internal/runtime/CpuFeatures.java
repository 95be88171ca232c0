package io.github.clip4j.internal.runtime;

import io.github.clip4j.Precision;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Which reduced-precision instructions this machine's CPU has, from the Linux kernel's {@code /proc/cpuinfo} flags.
 * bf16 and fp16 inference work on every CPU, but is only faster than fp32 where the CPU multiplies in that type
 * natively; elsewhere libtorch converts every value and runs slower than fp32.
 *
 * <pre>{@code
 * Precision precision = CpuFeatures.current().isFast(Precision.BF16) ? Precision.BF16 : Precision.FP32;
 * }</pre>
 */
public final class CpuFeatures {
    private static final CpuFeatures CURRENT = new CpuFeatures(readFlags(Path.of("/proc/cpuinfo")));

    private final Set<String> flags;

    CpuFeatures(Set<String> flags) {
        this.flags = Set.copyOf(flags);
    }

    /**
     * This machine's features, read once per process (none known where {@code /proc/cpuinfo} is unavailable,
     * e.g. macOS, Windows).
     *
     * @return the shared, immutable instance for this machine
     */
    public static CpuFeatures current() {
        return CURRENT;
    }

    /**
     * Whether the features are known at all.
     *
     * @return {@code false} off Linux or when {@code /proc/cpuinfo} has no flags: then {@link #isFast} answers
     *         {@code true} only for fp32, whatever the CPU can really do
     */
    public boolean isKnown() {
        return !flags.isEmpty();
    }

    /**
     * Whether {@code precision} runs natively on this CPU: always for fp32; bf16 with AVX512-BF16 or AMX-BF16; fp16
     * with AVX512-FP16 or AMX-FP16; int8 with AVX2.
     *
     * @param precision the precision a model would be loaded in; not null
     * @return {@code true} if this CPU multiplies in that type without converting to fp32
     */
    public boolean isFast(Precision precision) {
        return switch (precision) {
            case FP32 -> true;
            case BF16 -> flags.contains("avx512_bf16") || flags.contains("amx_bf16");
            case FP16 -> flags.contains("avx512_fp16") || flags.contains("amx_fp16");
            case INT8 -> flags.contains("avx2"); // fbgemm's kernels need AVX2 (AVX512-VNNI is faster still)
        };
    }

    /** Whether the CPU reports {@code flag} in {@code /proc/cpuinfo} (e.g. {@code avx512f}). */
    public boolean has(String flag) {
        return flags.contains(flag);
    }

    /** The {@code flags} line of the first processor in a {@code /proc/cpuinfo}-format file, or nothing. */
    static Set<String> readFlags(Path cpuinfo) {
        try (var lines = Files.lines(cpuinfo)) {
            return lines.filter(line -> line.startsWith("flags")).findFirst()
                    .map(line -> Arrays.stream(line.substring(line.indexOf(':') + 1).trim().split("\\s+"))
                            .collect(Collectors.toSet()))
                    .orElse(Set.of());
        } catch (IOException | RuntimeException e) {
            return Set.of();
        }
    }

    @Override
    public String toString() {
        return "CpuFeatures[bf16 " + isFast(Precision.BF16) + ", fp16 " + isFast(Precision.FP16) + "]";
    }
}
