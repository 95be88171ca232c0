package io.github.clip4j.internal.runtime;

import io.github.clip4j.Precision;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CpuFeaturesTest {
    @TempDir
    Path dir;

    @Test
    void readsTheFirstProcessorsFlags() throws Exception {
        Path cpuinfo = dir.resolve("cpuinfo");
        Files.writeString(cpuinfo, "processor\t: 0\nflags\t\t: fpu avx2 avx512f avx512_bf16\n\n"
                + "processor\t: 1\nflags\t\t: fpu\n");
        CpuFeatures features = new CpuFeatures(CpuFeatures.readFlags(cpuinfo));
        assertThat(features.isKnown()).isTrue();
        assertThat(features.isFast(Precision.FP32)).isTrue();
        assertThat(features.isFast(Precision.BF16)).isTrue();
        assertThat(features.isFast(Precision.FP16)).isFalse();
        assertThat(features.isFast(Precision.INT8)).isTrue();
        assertThat(features.has("avx512f")).isTrue();
        assertThat(features.has("avx512_vnni")).isFalse();
        assertThat(new CpuFeatures(Set.of("sse4_2")).isFast(Precision.INT8)).isFalse();
    }

    @Test
    void unknownFeaturesOnlyVouchForFp32() {
        CpuFeatures none = new CpuFeatures(CpuFeatures.readFlags(dir.resolve("absent")));
        assertThat(none.isKnown()).isFalse();
        assertThat(none.isFast(Precision.FP32)).isTrue();
        assertThat(none.isFast(Precision.BF16)).isFalse();
        assertThat(new CpuFeatures(Set.of("amx_fp16")).isFast(Precision.FP16)).isTrue();
    }
}
