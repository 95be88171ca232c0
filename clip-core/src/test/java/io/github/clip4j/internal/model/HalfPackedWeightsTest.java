package io.github.clip4j.internal.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.github.clip4j.Device;
import io.github.clip4j.Precision;
import io.github.clip4j.internal.runtime.InferenceScope;
import io.github.clip4j.internal.runtime.NativeRuntime;
import io.github.clip4j.internal.runtime.NativeTypes;
import io.github.clip4j.internal.runtime.Tensors;
import io.github.clip4j.internal.weights.StateDict;
import java.util.SplittableRandom;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * fp32 inference on fbgemm's fp16-packed weights ({@link LinearProduct}, {@link HalfPackedLinear}): used exactly
 * when the weight is fp16-exact, the same product as libtorch's {@code linear} within fp32 rounding, never stale
 * after the weight changes, never on the autograd path, and freed with the model.
 *
 * <p>Tolerance: both compute fp32 sums of the same fp32 products in different orders; every value within
 * {@code 1e-5} of the result's largest magnitude (64 to 256 terms per sum).
 */
class HalfPackedWeightsTest {
    private static final double RELATIVE = 1e-5;

    @BeforeEach
    void packedProductsAreInUse() {
        NativeRuntime.ensureLoaded();
        assumeTrue(LegacyFbgemm.available(), "fbgemm needs an x86-64 CPU with AVX2");
        // the test JVM splits batches (several cores) or has one thread: OpenBLAS is then on one thread
        assumeTrue(NativeRuntime.blasThreads() == 1, "OpenBLAS runs on several threads in this JVM");
    }

    @Test
    void exactlyHalfWeightsMultiplyOnThePackedKernel() {
        try (PointerScope owner = new PointerScope()) {
            Linear layer = layer(Kernels.FAST, 64, 96, 1);
            Linear plain = layer(Kernels.REFERENCE, 64, 96, 1);
            try (InferenceScope scope = InferenceScope.open()) {
                Tensor x = random(2, 5, 7, 64);
                float[] packed = Tensors.toFloatArray(layer.forward(x));
                float[] reference = Tensors.toFloatArray(linear(x, layer));
                assertThat(layer.usesHalfPackedWeights()).isTrue();
                assertWithin(packed, reference);
                assertThat(Tensors.toFloatArray(plain.forward(x))).containsExactly(reference);
                assertThat(plain.usesHalfPackedWeights()).as("REFERENCE kernels").isFalse();
            }
        }
    }

    @Test
    void theExactnessCheckAgreesWithLibtorchsRoundTrip() {
        // every fp16 value, neighbours one fp32 ulp away, fp16's edges (subnormals, 65504, infinities), random floats
        java.util.List<Float> values = new java.util.ArrayList<>();
        try (InferenceScope scope = InferenceScope.open()) {
            short[] halves = new short[65536];
            for (int i = 0; i < halves.length; i++) {
                halves[i] = (short) i;
            }
            Tensor all = torch.from_blob(new org.bytedeco.javacpp.ShortPointer(halves), new long[] {65536},
                    new org.bytedeco.pytorch.TensorOptions(torch.ScalarType.Half)).to(torch.ScalarType.Float);
            for (float f : Tensors.toFloatArray(all)) {
                values.add(f);
                values.add(Math.nextUp(f));
                values.add(Math.nextDown(f));
            }
        }
        for (float f : new float[] {0f, -0f, 65504f, 65520f, 1e-8f, Float.MIN_VALUE, Float.MIN_NORMAL, 1f / (1 << 24),
                1f / (1 << 25), 3f / (1 << 25), Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NaN}) {
            values.add(f);
        }
        SplittableRandom random = new SplittableRandom(3);
        for (int i = 0; i < 100_000; i++) {
            values.add(Float.intBitsToFloat(random.nextInt()));
        }
        float[] array = new float[values.size()];
        for (int i = 0; i < array.length; i++) {
            array[i] = values.get(i);
        }
        try (InferenceScope scope = InferenceScope.open()) {
            Tensor x = Tensors.fromFloats(array, array.length);
            // libtorch's own test; NaN never equals itself, which is also the answer wanted for NaN
            float[] same = Tensors.toFloatArray(x.to(torch.ScalarType.Half).to(torch.ScalarType.Float).eq(x)
                    .to(torch.ScalarType.Float));
            int exact = 0;
            for (int i = 0; i < array.length; i++) {
                assertThat(HalfPackedLinear.isHalf(array[i])).as("%s (bits %08x)", array[i],
                        Float.floatToRawIntBits(array[i])).isEqualTo(same[i] == 1f);
                exact += same[i] == 1f ? 1 : 0;
            }
            assertThat(exact).as("fp16 values found exact").isGreaterThan(60_000);
        }
    }

    @Test
    void weightsFp16CannotHoldStayOnLibtorchsProduct() {
        try (PointerScope owner = new PointerScope()) {
            Linear layer = layer(Kernels.FAST, 32, 48, 3);
            set(layer.weight(), layer.weight().detach().add(new org.bytedeco.pytorch.Scalar(1e-4)));
            try (InferenceScope scope = InferenceScope.open()) {
                assertLibtorchsProduct(layer, random(4, 6, 32));
            }
        }
    }

    @Test
    void aChangedWeightIsNeverMultipliedInItsOldPacking() {
        try (PointerScope owner = new PointerScope()) {
            Linear layer = layer(Kernels.FAST, 32, 40, 5);
            Tensor x;
            try (InferenceScope scope = InferenceScope.open()) {
                x = scope.keep(random(6, 9, 32));
                assertPackedProduct(layer, x);
            }
            set(layer.weight(), halfExact(7, 40, 32));                     // another fp16-exact weight: packed again
            assertThat(layer.usesHalfPackedWeights()).as("stale until used").isFalse();
            try (InferenceScope scope = InferenceScope.open()) {
                assertPackedProduct(layer, x);
            }
            set(layer.weight(), halfExact(8, 40, 32).mul(new org.bytedeco.pytorch.Scalar(1.0001))); // as after training
            try (InferenceScope scope = InferenceScope.open()) {
                assertLibtorchsProduct(layer, x);
            }
        }
    }

    @Test
    void recordedGradientsGoThroughLibtorchsProduct() {
        try (PointerScope owner = new PointerScope()) {
            Linear layer = layer(Kernels.FAST, 16, 24, 9);
            Tensor y = layer.forward(random(10, 3, 16));
            assertThat(y.requires_grad()).isTrue();
            y.sum().backward();
            assertThat(layer.weight().grad().defined()).isTrue();
            assertThat(layer.usesHalfPackedWeights()).as("nothing packed for training").isFalse();
        }
    }

    @Test
    void scaledInputEqualsScalingFirst() {
        try (PointerScope owner = new PointerScope()) {
            Linear packed = layer(Kernels.FAST, 64, 32, 11);
            Linear plain = layer(Kernels.REFERENCE, 64, 32, 11);
            try (InferenceScope scope = InferenceScope.open()) {
                Tensor x = random(12, 8, 64);
                float[] expected = Tensors.toFloatArray(linear(x.mul(new org.bytedeco.pytorch.Scalar(0.6)), packed));
                assertWithin(Tensors.toFloatArray(packed.forwardScaledInput(x.clone(), 0.6)), expected);
                assertThat(packed.usesHalfPackedWeights()).isTrue();
                assertWithin(Tensors.toFloatArray(plain.forwardScaledInput(x.clone(), 0.6)), expected);
            }
        }
    }

    @Test
    void scaledOutputEqualsScalingAfter() {
        try (PointerScope owner = new PointerScope()) {
            Linear packed = layer(Kernels.FAST, 64, 48, 13);
            Linear plain = layer(Kernels.REFERENCE, 64, 48, 13);
            try (InferenceScope scope = InferenceScope.open()) {
                Tensor x = random(14, 8, 64);
                float[] expected = Tensors.toFloatArray(linear(x, packed).mul(new org.bytedeco.pytorch.Scalar(1.7)));
                assertWithin(Tensors.toFloatArray(packed.forwardScaled(x, 1.7)), expected);
                assertThat(packed.usesHalfPackedWeights()).isTrue();
                assertWithin(Tensors.toFloatArray(plain.forwardScaled(x, 1.7)), expected);
            }
        }
    }

    @Test
    void closingTheModelFreesThePackedWeights() {
        StateDict expected = ModelFixtures.expected("vit-tiny");
        float[] pixels = expected.get("pixels").toFloatArray();
        int n = (int) expected.get("pixels").dim(0);
        int[][] tokens = ModelFixtures.intRows(expected.get("tokens"));
        long before = Pointer.totalCount();
        ClipModel model = ClipModel.load(ModelFixtures.weights("vit-tiny.f16.safetensors"), Device.CPU, Precision.FP32);
        long loaded = Pointer.totalCount();
        model.encodeImages(pixels, n);
        model.encodeTexts(tokens);
        assertThat(Pointer.totalCount()).as("packed weights of every linear layer").isGreaterThan(loaded);
        model.close();
        // at most: objects earlier tests left to the garbage collector may be freed meanwhile
        assertThat(Pointer.totalCount()).as("live native objects after close").isLessThanOrEqualTo(before);
    }

    /** A linear layer with fp16-exact random weights, made outside inference mode as the model makes its own. */
    private static Linear layer(Kernels kernels, long in, long out, int seed) {
        Layer.Spec spec = new Layer.Spec(torch.ScalarType.Float, NativeTypes.device(Device.CPU), kernels);
        Linear layer = new Linear(spec, in, out);
        set(layer.weight(), halfExact(seed, out, in));
        set(layer.bias(), random(seed + 100, out));
        return layer;
    }

    private static void set(Tensor parameter, Tensor value) {
        try (NoGradGuard guard = new NoGradGuard()) {
            parameter.copy_(value); // bumps the parameter's version, as loading and optimizer steps do
        }
    }

    /** The layer's product on fp16-packed weights: within fp32 rounding of libtorch's. */
    private static void assertPackedProduct(Linear layer, Tensor x) {
        assertWithin(Tensors.toFloatArray(layer.forward(x)), Tensors.toFloatArray(linear(x, layer)));
        assertThat(layer.usesHalfPackedWeights()).isTrue();
    }

    /** The layer's product on libtorch's linear: the very same bits, nothing packed in use. */
    private static void assertLibtorchsProduct(Linear layer, Tensor x) {
        assertThat(Tensors.toFloatArray(layer.forward(x))).containsExactly(Tensors.toFloatArray(linear(x, layer)));
        assertThat(layer.usesHalfPackedWeights()).isFalse();
    }

    private static Tensor linear(Tensor x, Linear layer) {
        return torch.linear(x, layer.weight(), new TensorOptional(layer.bias()));
    }

    private static Tensor halfExact(int seed, long... shape) {
        return random(seed, shape).mul(new org.bytedeco.pytorch.Scalar(0.05)).to(torch.ScalarType.Half)
                .to(torch.ScalarType.Float);
    }

    private static Tensor random(int seed, long... shape) {
        return ModelFixtures.uniform(new SplittableRandom(seed), 1, shape);
    }

    private static void assertWithin(float[] actual, float[] expected) {
        ModelFixtures.assertWithin(actual, expected, RELATIVE);
    }
}
