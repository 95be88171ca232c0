package io.github.clip4j.internal.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The transform's rules, checked on synthetic images (the reference comparison is in the fixture test). */
class ClipPreprocessorTest {
    private static final Random RANDOM = new Random(7);

    private static byte[] randomBytes(int n) {
        byte[] bytes = new byte[n];
        RANDOM.nextBytes(bytes);
        return bytes;
    }

    @Test
    void shorterSideBecomesTheSizeAndTheLongerIsTruncated() {
        ClipPreprocessor p = ClipPreprocessor.of(224);
        assertThat(p.resizedSize(451, 300)).containsExactly(336, 224); // 224 * 451 / 300 = 336.75
        assertThat(p.resizedSize(300, 451)).containsExactly(224, 336);
        assertThat(p.resizedSize(500, 500)).containsExactly(224, 224);
        assertThat(p.resizedSize(10, 10)).containsExactly(224, 224);
        assertThat(ClipPreprocessor.of(336).resizedSize(640, 427)).containsExactly(503, 336); // 503.6
    }

    @Test
    void anImageAlreadyAtTheSizeIsOnlyCropped() {
        // 224 wide: the resize keeps 224x300, so the output is rows 38..261 untouched (no resampling at all).
        byte[] rgb = randomBytes(224 * 300 * 3);
        byte[] out = ClipPreprocessor.of(224).rgb(DecodedImage.ofRgb(224, 300, rgb));
        assertThat(out).isEqualTo(Arrays.copyOfRange(rgb, 38 * 224 * 3, (38 + 224) * 224 * 3));
    }

    @Test
    void cropOffsetsRoundHalfToEven() {
        // Heights 225 and 227 need no resize; (225 - 224) / 2 = 0.5 rounds to 0, (227 - 224) / 2 = 1.5 rounds to 2.
        byte[] gray225 = randomBytes(224 * 225);
        byte[] out225 = ClipPreprocessor.of(224).rgb(DecodedImage.ofGray(224, 225, gray225));
        assertThat(out225[0]).isEqualTo(gray225[0]);
        assertThat(out225[3 * 224]).isEqualTo(gray225[224]);

        byte[] gray227 = randomBytes(224 * 227);
        byte[] out227 = ClipPreprocessor.of(224).rgb(DecodedImage.ofGray(224, 227, gray227));
        for (int x = 0; x < 224; x++) {
            assertThat(out227[x * 3]).isEqualTo(gray227[2 * 224 + x]);
        }
    }

    @Test
    void bicubicKeepsAConstantImageConstant() {
        for (int[] size : new int[][] {{1000, 700}, {50, 90}, {224, 500}, {3, 2}}) {
            byte[] rgb = new byte[size[0] * size[1] * 3];
            for (int i = 0; i < rgb.length; i += 3) {
                rgb[i] = (byte) 17;
                rgb[i + 1] = (byte) 128;
                rgb[i + 2] = (byte) 250;
            }
            byte[] out = ClipPreprocessor.of(64).rgb(DecodedImage.ofRgb(size[0], size[1], rgb));
            for (int i = 0; i < out.length; i += 3) {
                assertThat(new int[] {out[i] & 0xFF, out[i + 1] & 0xFF, out[i + 2] & 0xFF})
                        .as("%dx%d", size[0], size[1]).containsExactly(17, 128, 250);
            }
        }
    }

    @Test
    void computingOnlyTheCropWindowEqualsResizingEverythingThenCropping() {
        int inW = 97;
        int inH = 61;
        byte[] samples = randomBytes(inW * inH * 3);
        int outW = 53;
        int outH = 40;
        byte[] whole = PillowResampler.bicubic8(samples, inW, inH, 3, outW, outH,
                new PillowResampler.Window(0, 0, outW, outH));
        byte[] window = PillowResampler.bicubic8(samples, inW, inH, 3, outW, outH,
                new PillowResampler.Window(7, 5, 20, 30));
        for (int y = 0; y < 30; y++) {
            for (int x = 0; x < 20; x++) {
                for (int b = 0; b < 3; b++) {
                    assertThat(window[(y * 20 + x) * 3 + b]).isEqualTo(whole[((y + 5) * outW + x + 7) * 3 + b]);
                }
            }
        }
    }

    @Test
    void downscalingAveragesOverTheWholeFootprint() {
        // Antialiasing: a 1-pixel-wide checkerboard shrunk 8x becomes a flat mid-gray, not aliased stripes.
        int side = 512;
        byte[] gray = new byte[side * side];
        for (int i = 0; i < gray.length; i++) {
            gray[i] = (byte) (((i % side) + (i / side)) % 2 == 0 ? 255 : 0);
        }
        byte[] out = ClipPreprocessor.of(64).rgb(DecodedImage.ofGray(side, side, gray));
        for (byte v : out) {
            assertThat(v & 0xFF).isBetween(126, 129);
        }
    }

    @Test
    void normalizesWithToTensorThenMeanAndStd() {
        byte[] rgb = new byte[4 * 4 * 3];
        Arrays.fill(rgb, (byte) 200);
        ClipPreprocessor p = ClipPreprocessor.of(4);
        float[] pixels = p.pixels(DecodedImage.ofRgb(4, 4, rgb));
        float[] mean = p.mean();
        float[] std = p.std();
        for (int c = 0; c < 3; c++) {
            assertThat(pixels[c * 16 + 5]).isEqualTo((200 / 255f - mean[c]) / std[c]);
        }
        assertThat(mean).containsExactly(0.48145466f, 0.4578275f, 0.40821073f);
        assertThat(std).containsExactly(0.26862954f, 0.26130258f, 0.27577711f);

        ClipPreprocessor half = ClipPreprocessor.of(4, new double[] {0.5, 0.5, 0.5}, new double[] {0.5, 0.5, 0.5});
        Arrays.fill(rgb, (byte) 255);
        assertThat(half.pixels(DecodedImage.ofRgb(4, 4, rgb))).containsOnly(1f);
        Arrays.fill(rgb, (byte) 0);
        assertThat(half.pixels(DecodedImage.ofRgb(4, 4, rgb))).containsOnly(-1f);
    }

    @Test
    void rejectsBadArguments() {
        assertThatThrownBy(() -> ClipPreprocessor.of(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("size");
        assertThatThrownBy(() -> ClipPreprocessor.of(224, new double[] {0.5, 0.5}, new double[] {1, 1, 1}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("mean");
        assertThatThrownBy(() -> ClipPreprocessor.of(224, new double[] {0.5, 0.5, 0.5}, new double[] {1, 0, 1}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("std");
        ClipPreprocessor p = ClipPreprocessor.of(8);
        DecodedImage image = DecodedImage.ofGray(8, 8, new byte[64]);
        assertThatThrownBy(() -> p.pixels(image, new float[p.pixelCount()], 1))
                .isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> DecodedImage.ofRgb(2, 2, new byte[11])).isInstanceOf(IllegalArgumentException.class);
    }
}
