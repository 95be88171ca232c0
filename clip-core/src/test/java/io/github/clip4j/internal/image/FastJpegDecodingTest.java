package io.github.clip4j.internal.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import com.twelvemonkeys.imageio.color.ColorSpaces;
import io.github.clip4j.InvalidImageException;
import io.github.clip4j.testsupport.Fixtures;
import java.awt.Transparency;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.WritableRaster;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriter;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * ImageDecoding.FAST's JPEG path ({@link FastJpegDecoder}): where it applies it reduces the image and stays close
 * to the exact path; everywhere else it is the exact path, errors included; hostile files never crash the JVM.
 */
class FastJpegDecodingTest {
    private static final int SIZE = 224;
    private static final ClipPreprocessor PREPROCESSOR = ClipPreprocessor.of(SIZE);

    @TempDir
    Path dir;

    @BeforeAll
    static void openCvLoads() {
        assertThat(FastJpegDecoder.isAvailable()).as("OpenCV (test dependency) loads").isTrue();
    }

    @Test
    void reductionIsTheLargestThatKeepsTheShorterSideAtTwiceTheInput() {
        assertThat(FastJpegDecoder.reduction(4032, 3024, 224)).isEqualTo(4);   // 756 >= 448; 378 is not
        assertThat(FastJpegDecoder.reduction(3024, 4032, 224)).isEqualTo(4);
        assertThat(FastJpegDecoder.reduction(8000, 6000, 224)).isEqualTo(8);   // 750
        assertThat(FastJpegDecoder.reduction(1000, 900, 224)).isEqualTo(2);    // 450
        assertThat(FastJpegDecoder.reduction(1000, 895, 224)).isEqualTo(2);    // ceil(895 / 2) = 448
        assertThat(FastJpegDecoder.reduction(1000, 894, 224)).isEqualTo(1);
        assertThat(FastJpegDecoder.reduction(640, 427, 224)).isEqualTo(1);
        assertThat(FastJpegDecoder.reduction(4032, 3024, 336)).isEqualTo(4);   // 756 >= 672
    }

    @Test
    void nonJpegInputsDecodeExactly() throws IOException {
        byte[] png = write("png", photo(1200, 1000, BufferedImage.TYPE_INT_RGB, 1));
        assertSame(ImageDecoder.decode(png, "big.png", SIZE), ImageDecoder.decode(png, "big.png"));
        byte[] bmp = write("bmp", photo(1000, 950, BufferedImage.TYPE_3BYTE_BGR, 2));
        assertSame(ImageDecoder.decode(bmp, "big.bmp", SIZE), ImageDecoder.decode(bmp, "big.bmp"));
        for (String name : new String[] {"chelsea.png", "camera.png", "logo.png", "palette_color.png"}) {
            Path file = Fixtures.file("images/" + name);
            assertSame(ImageDecoder.decode(file, SIZE), ImageDecoder.decode(file));
        }
    }

    @Test
    void smallJpegsDecodeExactly() throws IOException {
        Path rocket = Fixtures.file("images/rocket.jpg"); // 640x427: shorter side under 2 * 2 * 224
        assertSame(ImageDecoder.decode(rocket, SIZE), ImageDecoder.decode(rocket));
        byte[] jpeg = jpeg(photo(1600, 894, BufferedImage.TYPE_INT_RGB, 3), false);
        assertSame(ImageDecoder.decode(jpeg, "wide.jpg", SIZE), ImageDecoder.decode(jpeg, "wide.jpg"));
    }

    @Test
    void largeJpegsAreReducedAndStayCloseToExact() throws IOException {
        byte[] jpeg = jpeg(photo(2000, 1504, BufferedImage.TYPE_INT_RGB, 4), false);
        DecodedImage fast = ImageDecoder.decode(jpeg, "photo.jpg", SIZE);
        assertThat(fast.width()).isEqualTo(1000);
        assertThat(fast.height()).isEqualTo(752);
        assertThat(fast.mode()).isEqualTo(PillowMode.RGB);
        assertThat(cropPsnr(fast, ImageDecoder.decode(jpeg, "photo.jpg"))).isGreaterThan(30);
    }

    /**
     * The native buffers are pooled and reused across decodes (OpenCvJpeg.Scratch): photos of different sizes,
     * decoded in turns on several threads, give exactly what each gives alone.
     */
    @Test
    void reusedNativeBuffersNeverLeakOnePhotoIntoAnother() throws Exception {
        byte[][] jpegs = {
            jpeg(photo(2000, 1504, BufferedImage.TYPE_INT_RGB, 21), false),
            jpeg(photo(1000, 900, BufferedImage.TYPE_INT_RGB, 22), false),
            jpeg(photo(1900, 1000, BufferedImage.TYPE_BYTE_GRAY, 23), false),
            jpeg(photo(1800, 1800, BufferedImage.TYPE_INT_RGB, 24), true),
        };
        byte[][] alone = new byte[jpegs.length][];
        for (int i = 0; i < jpegs.length; i++) {
            alone[i] = PREPROCESSOR.rgb(ImageDecoder.decode(jpegs[i], "alone-" + i + ".jpg", SIZE));
        }
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(3);
        try {
            java.util.List<java.util.concurrent.Future<?>> done = new java.util.ArrayList<>();
            for (int round = 0; round < 24; round++) {
                int i = (round * 3) % jpegs.length;
                done.add(pool.submit(() -> assertThat(PREPROCESSOR.rgb(ImageDecoder.decode(jpegs[i], "turn.jpg", SIZE)))
                        .isEqualTo(alone[i])));
            }
            for (java.util.concurrent.Future<?> f : done) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void progressiveAndGrayJpegs() throws IOException {
        byte[] progressive = jpeg(photo(1800, 1800, BufferedImage.TYPE_INT_RGB, 5), true);
        DecodedImage fast = ImageDecoder.decode(progressive, "progressive.jpg", SIZE);
        assertThat(fast.width()).isEqualTo(450); // 1800 / 4 = 450 >= 448
        assertThat(cropPsnr(fast, ImageDecoder.decode(progressive, "progressive.jpg"))).isGreaterThan(30);

        byte[] gray = jpeg(photo(1900, 1000, BufferedImage.TYPE_BYTE_GRAY, 6), false);
        DecodedImage fastGray = ImageDecoder.decode(gray, "gray.jpg", SIZE);
        assertThat(fastGray.mode()).isEqualTo(PillowMode.L);
        assertThat(fastGray.width()).isEqualTo(950);
        assertThat(cropPsnr(fastGray, ImageDecoder.decode(gray, "gray.jpg"))).isGreaterThan(30);
    }

    @Test
    void exifOrientationIsIgnoredInBothModes() throws IOException {
        byte[] plain = jpeg(photo(2000, 1000, BufferedImage.TYPE_INT_RGB, 7), false);
        byte[] rotated = withExifOrientation(plain, 6); // "rotate 90 CW to display"
        DecodedImage exact = ImageDecoder.decode(rotated, "rotated.jpg");
        DecodedImage fast = ImageDecoder.decode(rotated, "rotated.jpg", SIZE);
        assertThat(new int[] {exact.width(), exact.height()}).containsExactly(2000, 1000);
        assertThat(new int[] {fast.width(), fast.height()}).containsExactly(1000, 500);
        assertSame(exact, ImageDecoder.decode(plain, "plain.jpg"));
        assertSame(fast, ImageDecoder.decode(plain, "plain.jpg", SIZE));
        assertThat(cropPsnr(fast, exact)).isGreaterThan(30);
    }

    @Test
    void cmykAndYcckJpegsDecodeExactly() throws IOException {
        for (String writer : new String[] {"com.twelvemonkeys.", "com.sun."}) {
            byte[] jpeg = cmykJpeg(1000, 960, writer);
            DecodedImage exact = ImageDecoder.decode(jpeg, "cmyk.jpg");
            assertThat(exact.mode()).isEqualTo(PillowMode.CMYK);
            assertSame(ImageDecoder.decode(jpeg, "cmyk.jpg", SIZE), exact);
        }
    }

    @Test
    void truncatedJpegsFailAlikeInBothModes() throws IOException {
        byte[] jpeg = jpeg(photo(1200, 1000, BufferedImage.TYPE_INT_RGB, 8), false);
        for (int length : new int[] {jpeg.length / 2, jpeg.length - 2, 600}) {
            Path file = dir.resolve("cut-" + length + ".jpg");
            Files.write(file, Arrays.copyOf(jpeg, length));
            String exact = message(() -> ImageDecoder.decode(file));
            String fast = message(() -> ImageDecoder.decode(file, SIZE));
            assertThat(fast).isEqualTo(exact).contains(file.toString());
        }
    }

    @Test
    void pixelLimitFailsAlikeInBothModes() throws IOException {
        byte[] jpeg = jpeg(photo(1000, 960, BufferedImage.TYPE_INT_RGB, 9), false);
        byte[] bomb = jpeg.clone();
        int sof = indexOfSof(bomb); // height and width at +5..+8 of the marker: make it 65535x65535
        bomb[sof + 5] = bomb[sof + 6] = bomb[sof + 7] = bomb[sof + 8] = (byte) 0xFF;
        String exact = message(() -> ImageDecoder.decode(bomb, "bomb.jpg"));
        assertThat(message(() -> ImageDecoder.decode(bomb, "bomb.jpg", SIZE))).isEqualTo(exact).contains("bomb.jpg", "limit");
    }

    /**
     * A few thousand seeded mutations of a JPEG through the native decoder: every outcome is an image or an
     * {@link InvalidImageException} naming the file, never another exception or a crashed JVM. Small images and
     * a small draft size keep it to seconds; the native path runs for every mutation that keeps an EOI.
     */
    @Test
    void hostileJpegsNeverEscapeAsAnythingButInvalidImage() throws IOException {
        byte[] seed = jpeg(photo(480, 456, BufferedImage.TYPE_INT_RGB, 10), false);
        byte[] progressive = jpeg(photo(480, 456, BufferedImage.TYPE_INT_RGB, 11), true);
        Random random = new Random(20240611);
        int mutations = Integer.getInteger("clip4j.fuzz.mutations", 3000);
        long deadline = System.nanoTime() + 60_000_000_000L;
        int decoded = 0;
        int refused = 0;
        int run = 0;
        for (; run < mutations && System.nanoTime() < deadline; run++) {
            byte[] bytes = (run % 2 == 0 ? seed : progressive).clone();
            int edits = 1 + random.nextInt(8);
            for (int e = 0; e < edits; e++) {
                // Headers (the first ~600 bytes: tables, frame, scan) are where decoders go wrong; hit them often.
                int at = random.nextInt(4) == 0 ? random.nextInt(bytes.length) : random.nextInt(Math.min(600, bytes.length));
                bytes[at] = random.nextInt(3) == 0 ? (byte) 0xFF : (byte) random.nextInt(256);
            }
            String name = "mutant-" + run + ".jpg";
            try {
                DecodedImage image = ImageDecoder.decode(bytes, name, 56); // 456 / 4 >= 2 * 56: the 1/4 path
                assertThat(image.width()).isPositive();
                decoded++;
            } catch (InvalidImageException e) {
                assertThat(e.getMessage()).contains(name);
                refused++;
            }
        }
        assertThat(decoded + refused).isEqualTo(run);
        assertThat(run).isGreaterThanOrEqualTo(Math.min(mutations, 300));
    }

    // ------------------------------------------------------------------------------------------------ helpers

    private static void assertSame(DecodedImage actual, DecodedImage expected) {
        assertThat(actual.width()).isEqualTo(expected.width());
        assertThat(actual.height()).isEqualTo(expected.height());
        assertThat(actual.mode()).isEqualTo(expected.mode());
        assertThat(PREPROCESSOR.rgb(actual)).isEqualTo(PREPROCESSOR.rgb(expected));
    }

    /** PSNR of the 224x224 RGB crops the model sees. */
    static double cropPsnr(DecodedImage a, DecodedImage b) {
        byte[] x = PREPROCESSOR.rgb(a);
        byte[] y = PREPROCESSOR.rgb(b);
        double sum = 0;
        for (int i = 0; i < x.length; i++) {
            double d = (x[i] & 0xFF) - (y[i] & 0xFF);
            sum += d * d;
        }
        double mse = sum / x.length;
        return mse == 0 ? Double.POSITIVE_INFINITY : 10 * Math.log10(255 * 255 / mse);
    }

    private static String message(Runnable decode) {
        try {
            decode.run();
        } catch (InvalidImageException e) {
            return e.getMessage();
        }
        throw new AssertionError("expected an InvalidImageException");
    }

    /** Smooth shapes, texture and noise: compresses like a photo, not like a flat test card. */
    static BufferedImage photo(int width, int height, int type, long seed) {
        Random random = new Random(seed);
        BufferedImage image = new BufferedImage(width, height, type);
        double fx = 0.002 + random.nextDouble() * 0.01;
        double fy = 0.002 + random.nextDouble() * 0.01;
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                int r = (int) (128 + 90 * Math.sin(x * fx + y * 0.003) + random.nextGaussian() * 12);
                int g = (int) (128 + 90 * Math.cos(y * fy - x * 0.002) + ((x / 40 + y / 40) % 2) * 20);
                int b = (int) (128 + 60 * Math.sin((x + y) * 0.05) + random.nextGaussian() * 12);
                image.setRGB(x, y, (clamp(r) << 16) | (clamp(g) << 8) | clamp(b));
            }
        }
        return image;
    }

    private static int clamp(int v) {
        return Math.max(0, Math.min(255, v));
    }

    private static byte[] write(String format, BufferedImage image) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertThat(ImageIO.write(image, format, out)).isTrue();
        return out.toByteArray();
    }

    static byte[] jpeg(BufferedImage image, boolean progressive) throws IOException {
        return writeJpeg(image, "com.sun.", progressive, 0.9f);
    }

    private static byte[] writeJpeg(BufferedImage image, String writerPackage, boolean progressive, float quality)
            throws IOException {
        ImageWriter writer = TestJpegs.writer(writerPackage);
        assumeThat(writer).as("a JPEG writer from %s", writerPackage).isNotNull();
        return TestJpegs.write(image, writer, progressive, quality);
    }

    private static byte[] cmykJpeg(int width, int height, String writerPackage) throws IOException {
        ColorSpace cmyk = ColorSpaces.getColorSpace(ColorSpaces.CS_GENERIC_CMYK);
        ComponentColorModel model = new ComponentColorModel(cmyk, false, false, Transparency.OPAQUE, DataBuffer.TYPE_BYTE);
        WritableRaster raster = model.createCompatibleWritableRaster(width, height);
        int[] ink = new int[4];
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                ink[0] = (x * 255) / width;
                ink[1] = (y * 255) / height;
                ink[2] = ((x + y) / 8) % 256;
                ink[3] = (x / 100) * 20;
                raster.setPixel(x, y, ink);
            }
        }
        return writeJpeg(new BufferedImage(model, raster, false, null), writerPackage, false, 0.9f);
    }

    /** Inserts an APP1 Exif segment holding one IFD0 entry, Orientation, right after SOI. */
    private static byte[] withExifOrientation(byte[] jpeg, int orientation) {
        byte[] tiff = {'M', 'M', 0, 42, 0, 0, 0, 8, 0, 1,
            0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, (byte) orientation, 0, 0, 0, 0, 0, 0};
        byte[] exif = new byte[6 + tiff.length];
        System.arraycopy(new byte[] {'E', 'x', 'i', 'f', 0, 0}, 0, exif, 0, 6);
        System.arraycopy(tiff, 0, exif, 6, tiff.length);
        int length = exif.length + 2;
        byte[] out = new byte[jpeg.length + 4 + exif.length];
        out[0] = (byte) 0xFF;
        out[1] = (byte) 0xD8;
        out[2] = (byte) 0xFF;
        out[3] = (byte) 0xE1;
        out[4] = (byte) (length >> 8);
        out[5] = (byte) length;
        System.arraycopy(exif, 0, out, 6, exif.length);
        System.arraycopy(jpeg, 2, out, 6 + exif.length, jpeg.length - 2);
        return out;
    }

    private static int indexOfSof(byte[] b) {
        for (int i = 2; i + 1 < b.length; i++) {
            if (b[i] == (byte) 0xFF && (b[i + 1] == (byte) 0xC0 || b[i + 1] == (byte) 0xC2)) {
                return i;
            }
        }
        throw new AssertionError("no SOF0/SOF2");
    }
}
