package io.github.clip4j.internal.model;

import static io.github.clip4j.internal.model.ModelFixtures.cosine;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import io.github.clip4j.Device;
import io.github.clip4j.Precision;
import io.github.clip4j.internal.runtime.BatchWorkers;
import io.github.clip4j.internal.runtime.NativeRuntime;
import io.github.clip4j.internal.weights.StateDict;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A batch cut into slices that run side by side ({@link BatchWorkers}) gives the whole batch's features: in fp32
 * within float rounding (the products' heights differ), in bf16 within bf16 rounding; rows stay in order, and the
 * caller's thread settings are what they were.
 */
class SplitBatchTest {

    @ParameterizedTest
    @EnumSource(value = Precision.class, names = {"FP32", "BF16"})
    void slicesGiveTheWholeBatchsFeaturesInOrder(Precision precision) {
        StateDict expected = ModelFixtures.expected("vit-tiny");
        int n0 = (int) expected.get("pixels").dim(0);
        float[] one = expected.get("pixels").toFloatArray();
        // five images (odd, so the slices differ in size): the fixture's images repeated, each a distinct row
        int n = 5;
        int per = one.length / n0;
        float[] pixels = new float[n * per];
        for (int i = 0; i < n; i++) {
            float contrast = 1 - 0.15f * i; // rows differ even where the fixture's images repeat
            for (int j = 0; j < per; j++) {
                pixels[i * per + j] = one[(i % n0) * per + j] * contrast;
            }
        }
        int[][] tokens = FastKernelsTest.shortPrompts(7, 77, 3);
        int before = NativeRuntime.threads();
        try (ClipModel model = ClipModel.load(ModelFixtures.weights("vit-tiny.f16.safetensors"), Device.CPU,
                precision)) {
            NativeRuntime.setThreads(1);
            assertThat(BatchWorkers.slices(n)).isEqualTo(1);
            float[][] wholeImages = model.encodeImages(pixels, n);
            float[][] wholeTexts = model.encodeTexts(tokens);

            NativeRuntime.setThreads(2);
            assumeThat(BatchWorkers.slices(n)).as("-Dclip4j.splitBatches=false").isEqualTo(2);
            float[][] splitImages = model.encodeImages(pixels, n);
            FloatBuffer direct = ByteBuffer.allocateDirect((pixels.length + per) * 4).order(ByteOrder.nativeOrder())
                    .asFloatBuffer();
            direct.position(per).put(pixels).position(per); // from a position: the slices must honour it
            float[][] splitDirect = model.encodeImages(direct, n);
            float[][] splitTexts = model.encodeTexts(tokens);

            assertRowsClose(splitImages, wholeImages, precision);
            assertRowsClose(splitDirect, wholeImages, precision);
            assertRowsClose(splitTexts, wholeTexts, precision);
            assertThat(direct.position()).isEqualTo(per);
            // the workers set one libtorch thread for themselves only; OpenBLAS is back to its count
            assertThat(torch.get_num_threads()).isEqualTo(2);
            assertThat(NativeRuntime.batchThreads()).isEqualTo(2);
        } finally {
            NativeRuntime.setThreads(before);
        }
    }

    private static void assertRowsClose(float[][] actual, float[][] expected, Precision precision) {
        assertThat(actual.length).isEqualTo(expected.length);
        for (int i = 0; i < expected.length; i++) {
            double c = cosine(actual[i], expected[i]);
            assertThat(c).as("row %d cosine", i).isGreaterThanOrEqualTo(precision == Precision.FP32 ? 0.99999 : 0.999);
            for (int j = 0; j < expected.length; j++) {
                if (j != i && cosine(expected[i], expected[j]) < 0.999) { // rows in order
                    assertThat(cosine(actual[i], expected[j])).as("row %d against row %d", i, j).isLessThan(c);
                }
            }
        }
    }
}
