package io.github.clip4j.internal.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.github.clip4j.InvalidImageException;
import io.github.clip4j.testsupport.Fixtures;
import java.awt.image.BufferedImage;
import java.awt.image.IndexColorModel;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Issue 18's hostile images, each generated here, each refused within 10 s with an {@link InvalidImageException}. */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class HostileImagesTest {
    @TempDir
    Path dir;

    /** Made before the tests (deflating 1.35 GB of zero rows takes seconds on a busy machine; not the decoder's time). */
    private static byte[] hugePng;

    @org.junit.jupiter.api.BeforeAll
    static void makeHugePng() throws IOException {
        if (13000L * 13000 * 14 > DecodeBudget.BYTES) {
            hugePng = zeroPng(13000, 13000, 16, 6, 8);
        }
    }

    // ----------------------------------------------------------------------------------------- item 6

    @Test
    void devicesAndFifosAreNotRead() throws Exception {
        assumeTrue(Files.exists(Path.of("/dev/zero")));
        assertThatThrownBy(() -> ImageDecoder.decode(Path.of("/dev/zero")))
                .isInstanceOf(InvalidImageException.class).hasMessageContaining("not a regular file");
        Path fifo = dir.resolve("photo.png");
        assumeTrue(new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor() == 0);
        assertThatThrownBy(() -> ImageDecoder.decode(fifo))
                .isInstanceOf(InvalidImageException.class).hasMessageContaining("not a regular file");
    }

    @Test
    void anEndlessStreamIsCutAtTheLimit() {
        InputStream zeros = new InputStream() {
            @Override
            public int read() {
                return 0;
            }

            @Override
            public int read(byte[] b, int off, int len) {
                java.util.Arrays.fill(b, off, off + len, (byte) 0);
                return len;
            }
        };
        assumeTrue(ImageDecoder.MAX_FILE_BYTES < Runtime.getRuntime().maxMemory() / 2);
        assertThatThrownBy(() -> ImageDecoder.decode(zeros, "endless"))
                .isInstanceOf(InvalidImageException.class).hasMessageContaining("endless").hasMessageContaining("larger than");
    }

    // ----------------------------------------------------------------------------------------- item 7

    /** A valid PNG of {@code width x height} zero pixels, 16-bit RGBA, deflated row by row (a 13000^2 one is ~1.3 MB). */
    static byte[] zeroPng(int width, int height, int bitDepth, int colorType, int bytesPerPixel) throws IOException {
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        png.write(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
        ByteBuffer ihdr = ByteBuffer.allocate(13).putInt(width).putInt(height).put((byte) bitDepth)
                .put((byte) colorType).put((byte) 0).put((byte) 0).put((byte) 0);
        chunk(png, "IHDR", ihdr.array());
        ByteArrayOutputStream idat = new ByteArrayOutputStream();
        Deflater deflater = new Deflater(Deflater.BEST_SPEED);
        try (OutputStream z = new DeflaterOutputStream(idat, deflater, 1 << 16)) {
            byte[] row = new byte[1 + width * bytesPerPixel];
            for (int y = 0; y < height; y++) {
                z.write(row);
            }
        } finally {
            deflater.end();
        }
        chunk(png, "IDAT", idat.toByteArray());
        chunk(png, "IEND", new byte[0]);
        return png.toByteArray();
    }

    static void chunk(ByteArrayOutputStream out, String type, byte[] data) throws IOException {
        byte[] t = type.getBytes(StandardCharsets.US_ASCII);
        out.write(ByteBuffer.allocate(4).putInt(data.length).array());
        out.write(t);
        out.write(data);
        CRC32 crc = new CRC32();
        crc.update(t);
        crc.update(data);
        out.write(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
    }

    @Test
    void anImageWithinPillowsPixelLimitThatCannotFitTheBudgetIsRefusedBeforeDecoding() throws IOException {
        // 13000 x 13000 RGBA16: 169 M pixels, under Pillow's limit, about 2.4 GB to decode
        long estimate = 13000L * 13000 * 14;
        assumeTrue(estimate > DecodeBudget.BYTES, "the heap is large enough to decode it");
        byte[] png = hugePng;
        assertThat(png.length).isLessThan(8 << 20);
        long start = System.nanoTime();
        assertThatThrownBy(() -> ImageDecoder.decode(png, "huge.png"))
                .isInstanceOf(InvalidImageException.class)
                .hasMessageContaining("huge.png").hasMessageContaining("decoding budget");
        assertThat(System.nanoTime() - start).isLessThan(TimeUnit.SECONDS.toNanos(1));
        assertThat(DecodeBudget.available()).isEqualTo(DecodeBudget.BYTES / 1024 * 1024);
    }

    @Test
    void parallelDecodersShareOneBudget() throws Exception {
        // one decoder holds almost all of the budget: the others wait instead of allocating alongside it
        DecodeBudget.Permit big = DecodeBudget.acquire("big", DecodeBudget.BYTES - (1 << 20));
        byte[] png = zeroPng(600, 600, 8, 6, 4); // needs ~3 MB, more than what is left
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            AtomicBoolean decodedEarly = new AtomicBoolean();
            CountDownLatch started = new CountDownLatch(4);
            List<Future<DecodedImage>> results = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                results.add(pool.submit(() -> {
                    started.countDown();
                    DecodedImage image = ImageDecoder.decode(png, "wait.png");
                    decodedEarly.compareAndSet(false, big.toString() != null && bigHeld);
                    return image;
                }));
            }
            started.await();
            Thread.sleep(300);
            assertThat(results).noneMatch(Future::isDone);
            bigHeld = false;
            big.close();
            for (Future<DecodedImage> result : results) {
                assertThat(result.get(8, TimeUnit.SECONDS).width()).isEqualTo(600);
            }
            assertThat(decodedEarly).isFalse();
        } finally {
            bigHeld = false;
            big.close();
            pool.shutdownNow();
        }
        assertThat(DecodeBudget.available()).isEqualTo(DecodeBudget.BYTES / 1024 * 1024);
    }

    private static volatile boolean bigHeld = true;

    // ---------------------------------------------------------------------------------------- item 19

    @Test
    void aPngWithABadIhdrChecksumIsRefusedAsPillowRefusesIt() throws IOException {
        byte[] png = Files.readAllBytes(Fixtures.file("images/chelsea.png"));
        png[8 + 8 + 13 + 3] ^= 0x01; // last byte of IHDR's CRC
        assertThatThrownBy(() -> ImageDecoder.decode(png, "bad-crc.png"))
                .isInstanceOf(InvalidImageException.class)
                .hasMessageContaining("bad-crc.png").hasMessageContaining("checksum of its IHDR chunk");
        // and a bad CRC in an ancillary chunk before the image data too (Pillow checks them all)
        ByteArrayOutputStream withText = new ByteArrayOutputStream();
        byte[] good = Files.readAllBytes(Fixtures.file("images/chelsea.png"));
        withText.write(good, 0, 33);
        ByteArrayOutputStream text = new ByteArrayOutputStream();
        chunk(text, "tEXt", "Comment\0hello".getBytes(StandardCharsets.ISO_8859_1));
        byte[] textChunk = text.toByteArray();
        textChunk[textChunk.length - 1] ^= 0x01;
        withText.write(textChunk);
        withText.write(good, 33, good.length - 33);
        assertThatThrownBy(() -> ImageDecoder.decode(withText.toByteArray(), "bad-text.png"))
                .isInstanceOf(InvalidImageException.class).hasMessageContaining("tEXt");
    }

    /** A GIF whose logical screen is {@code screen x screen} and whose first frame declares {@code frame x frame}. */
    private static byte[] gif(int screen, int frame) throws IOException {
        byte[] palette = {0, (byte) 255, 0, (byte) 255, 0, (byte) 255};
        IndexColorModel colours = new IndexColorModel(1, 2, palette, palette, palette);
        BufferedImage image = new BufferedImage(4, 4, BufferedImage.TYPE_BYTE_BINARY, colours);
        image.getRaster().setSample(1, 1, 0, 1);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertThat(ImageIO.write(image, "gif", out)).isTrue();
        byte[] gif = out.toByteArray();
        gif[6] = (byte) screen;
        gif[7] = (byte) (screen >> 8);
        gif[8] = (byte) screen;
        gif[9] = (byte) (screen >> 8);
        int p = 13 + ((gif[10] & 0x80) != 0 ? 3 * (2 << (gif[10] & 7)) : 0);
        while (gif[p] == 0x21) { // extensions: label, then sub-blocks
            p += 2;
            while (gif[p] != 0) {
                p += 1 + (gif[p] & 0xff);
            }
            p++;
        }
        assertThat(gif[p]).isEqualTo((byte) 0x2c);
        gif[p + 5] = (byte) frame;
        gif[p + 6] = (byte) (frame >> 8);
        gif[p + 7] = (byte) frame;
        gif[p + 8] = (byte) (frame >> 8);
        return gif;
    }

    @Test
    void aGifFrameLargerThanItsScreenEnlargesTheImageAndMeetsTheBombCheck() throws IOException {
        // Pillow: the frame's extent enlarges the size, then the decompression-bomb check runs on it
        assertThatThrownBy(() -> ImageDecoder.decode(gif(1, 60000), "bomb.gif"))
                .isInstanceOf(InvalidImageException.class)
                .hasMessageContaining("bomb.gif").hasMessageContaining("60000x60000");
        DecodedImage enlarged = ImageDecoder.decode(gif(2, 4), "enlarged.gif");
        assertThat(enlarged.width()).isEqualTo(4);
        assertThat(enlarged.height()).isEqualTo(4);
    }

    // ---------------------------------------------------------------------------------------- item 17

    @Test
    void notAnImageNamesTheContentTypeWithoutQuotingIt() throws IOException {
        Path secret = Files.writeString(dir.resolve("environ.png"), "SECRET=hunter2\0PATH=/usr/bin\0");
        assertThatThrownBy(() -> ImageDecoder.decode(secret))
                .isInstanceOf(InvalidImageException.class)
                .hasMessageContaining("binary data")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("hunter2").doesNotContain("534543"));
    }
}
