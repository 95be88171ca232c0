package io.github.clip4j.internal.runtime;

import org.bytedeco.pytorch.Tensor;

/** Run in a fresh JVM by {@link NativeRuntimeFirstLoadTest}: loads libtorch and multiplies two small matrices. */
public final class FirstLoadMain {
    private FirstLoadMain() {}

    public static void main(String[] args) {
        NativeRuntime.ensureLoaded();
        try (InferenceScope scope = InferenceScope.open()) {
            Tensor a = Tensors.fromFloats(new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
            Tensor b = Tensors.fromFloats(new float[] {1, 0, 0, 1, 1, 1}, 3, 2);
            float[][] c = Tensors.toFloatMatrix(a.matmul(b));
            System.out.println("matmul=" + java.util.Arrays.deepToString(c));
        }
    }
}
