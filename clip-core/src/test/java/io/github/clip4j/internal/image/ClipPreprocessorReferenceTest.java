package io.github.clip4j.internal.image;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.clip4j.testsupport.Fixtures;
import io.github.clip4j.internal.weights.HostTensor;
import io.github.clip4j.internal.weights.SafetensorsReader;
import io.github.clip4j.internal.weights.StateDict;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.Locale;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The transform against the reference's own outputs ({@code fixtures/images/expected.safetensors}). */
class ClipPreprocessorReferenceTest {
    private static final Logger LOG = LoggerFactory.getLogger(ClipPreprocessorReferenceTest.class);
    private static final float PIXEL_TOLERANCE = 1e-6f;
    private static StateDict expected;

    @BeforeAll
    static void loadExpected() {
        expected = SafetensorsReader.read(Fixtures.file("images/expected.safetensors"));
    }

    static Stream<Arguments> pngCases() {
        return Stream.of("camera.png", "chelsea.png", "coffee.png", "logo.png", "palette_color.png")
                .flatMap(name -> Stream.of(Arguments.of(name, 224), Arguments.of(name, 336)));
    }

    static Stream<Arguments> jpegCases() {
        return Stream.of(Arguments.of("rocket.jpg", 224), Arguments.of("rocket.jpg", 336));
    }

    private static DecodedImage image(String name) {
        Path file = Fixtures.file("images/" + name);
        return ImageDecoder.decode(file);
    }

    private static byte[] expectedRgb(String name, int size) {
        HostTensor tensor = expected.get(name + "/" + size + "/rgb_u8");
        assertThat(tensor.shape()).containsExactly(size, size, 3);
        byte[] out = new byte[size * size * 3];
        tensor.data().duplicate().get(out);
        return out;
    }

    private static float[] expectedPixels(String name, int size) {
        HostTensor tensor = expected.get(name + "/" + size + "/pixels");
        assertThat(tensor.shape()).containsExactly(3, size, size);
        return tensor.toFloatArray();
    }

    @Test
    void decodesThePillowModesOfTheFixtures() {
        assertThat(image("camera.png").mode()).isEqualTo(PillowMode.L);
        assertThat(image("chelsea.png").mode()).isEqualTo(PillowMode.RGB);
        assertThat(image("coffee.png").mode()).isEqualTo(PillowMode.RGB);
        assertThat(image("logo.png").mode()).isEqualTo(PillowMode.RGBA);
        assertThat(image("palette_color.png").mode()).isEqualTo(PillowMode.P);
        assertThat(image("rocket.jpg").mode()).isEqualTo(PillowMode.RGB);
        // The reference's metadata records each image's mode and size.
        for (String name : new String[] {"camera.png", "chelsea.png", "coffee.png", "logo.png", "palette_color.png", "rocket.jpg"}) {
            DecodedImage image = image(name);
            assertThat(image.mode().pillowName() + " " + image.width() + "x" + image.height())
                    .isEqualTo(expected.metadata().get(name));
        }
    }

    @ParameterizedTest(name = "{0} at {1}")
    @MethodSource("pngCases")
    void pngRgbStageIsExact(String name, int size) {
        RgbStage stage = RgbStage.of(name, size);
        assertThat(stage.actual()).as("%s at %d: %s", name, size, stage).isEqualTo(stage.wanted());
    }

    @ParameterizedTest(name = "{0} at {1}")
    @MethodSource("jpegCases")
    void jpegRgbStageIsWithinOneLevelOnAverage(String name, int size) {
        assertThat(RgbStage.of(name, size).meanDifference()).as("%s at %d: mean absolute difference in 8-bit levels", name, size)
                .isLessThanOrEqualTo(1.0);
    }

    /**
     * Our {@code rgb_u8} stage of a fixture next to the reference's, and how far apart they are in 8-bit levels
     * (logged, for the record).
     */
    private record RgbStage(byte[] actual, byte[] wanted, int equal, double meanDifference, int maxDifference) {
        static RgbStage of(String name, int size) {
            byte[] actual = ClipPreprocessor.of(size).rgb(image(name));
            byte[] wanted = expectedRgb(name, size);
            assertThat(actual).as("%s at %d: rgb_u8 length", name, size).hasSameSizeAs(wanted);
            long sum = 0;
            int equal = 0;
            int max = 0;
            for (int i = 0; i < wanted.length; i++) {
                int d = Math.abs((actual[i] & 0xFF) - (wanted[i] & 0xFF));
                sum += d;
                max = Math.max(max, d);
                if (d == 0) {
                    equal++;
                }
            }
            RgbStage stage = new RgbStage(actual, wanted, equal, (double) sum / wanted.length, max);
            LOG.info("{} at {}: {}", name, size, stage);
            return stage;
        }

        @Override
        public String toString() {
            return String.format(Locale.ROOT, "rgb_u8 %d/%d samples equal, mean |diff| %.4f, max %d", equal,
                    wanted.length, meanDifference, maxDifference);
        }
    }

    @ParameterizedTest(name = "{0} at {1}")
    @MethodSource({"pngCases", "jpegCases"})
    void pixelsMatchWhereTheRgbStageMatches(String name, int size) {
        ClipPreprocessor preprocessor = ClipPreprocessor.of(size);
        DecodedImage image = image(name);
        byte[] rgb = preprocessor.rgb(image);
        byte[] wantedRgb = expectedRgb(name, size);
        float[] actual = preprocessor.pixels(image);
        float[] wanted = expectedPixels(name, size);
        int plane = size * size;
        int compared = 0;
        float maxDifference = 0f;
        for (int c = 0; c < 3; c++) {
            for (int i = 0; i < plane; i++) {
                if (rgb[i * 3 + c] != wantedRgb[i * 3 + c]) {
                    continue;
                }
                compared++;
                float a = actual[c * plane + i];
                float w = wanted[c * plane + i];
                maxDifference = Math.max(maxDifference, Math.abs(a - w));
                if (Math.abs(a - w) > PIXEL_TOLERANCE) {
                    throw new AssertionError(name + " at " + size + ": pixel [" + c + "," + i / size + "," + i % size
                            + "] is " + a + ", expected " + w);
                }
            }
        }
        LOG.info("{} at {}: pixels compared {}/{}, max |diff| {}", name, size, compared, plane * 3, maxDifference);
        assertThat(compared).isGreaterThan(plane * 3 * 9 / 10);
    }

    @Test
    void writesIntoArraysAndBuffersAtAnOffset() {
        ClipPreprocessor preprocessor = ClipPreprocessor.of(224);
        DecodedImage image = image("chelsea.png");
        float[] single = preprocessor.pixels(image);
        int n = preprocessor.pixelCount();

        float[] batch = new float[2 * n + 5];
        preprocessor.pixels(image, batch, n + 5);
        for (int i = 0; i < n; i++) {
            assertThat(batch[n + 5 + i]).isEqualTo(single[i]);
        }
        assertThat(batch[n + 4]).isZero();

        FloatBuffer direct = ByteBuffer.allocateDirect(4 * 2 * n).order(ByteOrder.nativeOrder()).asFloatBuffer();
        preprocessor.pixels(image, direct, n);
        assertThat(direct.position()).isZero();
        for (int i = 0; i < n; i++) {
            assertThat(direct.get(n + i)).isEqualTo(single[i]);
        }
    }
}
