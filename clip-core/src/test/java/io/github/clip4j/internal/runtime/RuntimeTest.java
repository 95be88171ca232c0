package io.github.clip4j.internal.runtime;

import io.github.clip4j.Device;
import io.github.clip4j.NativeRuntimeException;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.InferenceMode;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Test;

class RuntimeTest {

    @Test
    void cudaWithoutAGpuIsAClearError() {
        assumeThat(NativeRuntime.cudaAvailable()).as("this machine has no CUDA GPU").isFalse();
        assertThatThrownBy(() -> NativeTypes.requireAvailable(Device.CUDA))
                .isInstanceOf(NativeRuntimeException.class)
                .hasMessageContaining("CUDA")
                .hasMessageContaining("Device.CPU");
        NativeTypes.requireAvailable(Device.CPU);
    }

    @Test
    void threadsCanBeSetAndRead() {
        int before = NativeRuntime.threads();
        try {
            NativeRuntime.setThreads(1);
            assertThat(NativeRuntime.threads()).isEqualTo(1);
            assertThat(NativeRuntime.blasThreads()).as("OpenBLAS follows libtorch").isEqualTo(1);
            NativeRuntime.setThreads(2);
            // split batches (on by default) keep OpenBLAS at one thread; a whole-graph run (training) gets 2
            int split = Boolean.parseBoolean(System.getProperty("clip4j.splitBatches", "true")) ? 1 : 2;
            assertThat(NativeRuntime.blasThreads()).isEqualTo(split);
            try (NativeRuntime.WholeGraphs training = NativeRuntime.wholeGraphs()) {
                assertThat(NativeRuntime.blasThreads()).isEqualTo(2);
                NativeRuntime.wholeGraphs().close(); // a nested run ending leaves the outer one's count
                assertThat(NativeRuntime.blasThreads()).isEqualTo(2);
            }
            assertThat(NativeRuntime.blasThreads()).isEqualTo(split);
            NativeRuntime.setThreads(1, 2);
            assertThat(NativeRuntime.threads()).isEqualTo(1);
            assertThat(NativeRuntime.blasThreads()).isEqualTo(split);
            try (NativeRuntime.WholeGraphs training = NativeRuntime.wholeGraphs()) {
                assertThat(NativeRuntime.blasThreads()).isEqualTo(2);
            }
        } finally {
            NativeRuntime.setThreads(before);
        }
        assertThatThrownBy(() -> NativeRuntime.setThreads(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> NativeRuntime.setThreads(1, 0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void inferenceScopeFreesWhatItMadeAndKeepsWhatItWasAskedTo() {
        NativeRuntime.ensureLoaded();
        long before = Pointer.totalCount();
        Tensor kept;
        Tensor a;
        Tensor product;
        try (InferenceScope scope = InferenceScope.open()) {
            assertThat(InferenceMode.is_enabled()).isTrue();
            a = Tensors.fromFloats(new float[] {1, 2, 3, 4}, 2, 2);
            product = a.matmul(a).add(a);
            kept = scope.keep(a.mul(a));
        }
        assertThat(InferenceMode.is_enabled()).isFalse();
        assertThat(a.isNull()).as("freed with the scope").isTrue();
        assertThat(product.isNull()).as("freed with the scope").isTrue();
        assertThat(Tensors.toFloatArray(kept)).containsExactly(1, 4, 9, 16);
        kept.close();
        // at most: objects earlier tests left to the garbage collector may be freed meanwhile (it failed run alone)
        assertThat(Pointer.totalCount()).isLessThanOrEqualTo(before);
    }

    @Test
    void inferenceScopesNestInsideOtherScopes() {
        NativeRuntime.ensureLoaded();
        long before = Pointer.totalCount();
        try (PointerScope outer = new PointerScope()) {
            for (int i = 0; i < 3; i++) {
                try (InferenceScope scope = InferenceScope.open()) {
                    assertThat(Tensors.toFloatArray(torch.ones(2).add(torch.ones(2)))).containsExactly(2, 2);
                }
                assertThat(InferenceMode.is_enabled()).isFalse();
            }
        }
        assertThat(Pointer.totalCount()).isLessThanOrEqualTo(before); // see above
    }

    @Test
    void escapedPointersMoveToTheOuterScope() {
        NativeRuntime.ensureLoaded();
        long before = Pointer.totalCount();
        try (PointerScope outer = new PointerScope()) {
            Tensor result;
            try (PointerScope inner = new PointerScope()) {
                Tensor scratch = torch.ones(3);
                result = NativeScopes.escape(inner, scratch.add(scratch));
            }
            assertThat(Tensors.toFloatArray(result)).containsExactly(2, 2, 2);
        }
        assertThat(Pointer.totalCount()).isLessThanOrEqualTo(before); // see above
    }

    @Test
    void tensorConversionsCheckShapes() {
        assertThatThrownBy(() -> Tensors.fromFloats(new float[5], 2, 3))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("[2, 3]");
        assertThatThrownBy(() -> Tensors.fromIntRows(new int[][] {{1, 2}, {3}}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("row 1");
        try (InferenceScope scope = InferenceScope.open()) {
            assertThat(Tensors.toFloatMatrix(Tensors.fromIntRows(new int[][] {{1, 2}, {3, 4}})))
                    .isDeepEqualTo(new float[][] {{1, 2}, {3, 4}});
        }
    }
}
