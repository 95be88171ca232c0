package io.github.clip4j.internal.image;

import io.github.clip4j.InvalidImageException;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.clip4j.common.ClipException;
import io.github.clip4j.testsupport.Fixtures;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.function.ToIntFunction;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Every bad input is an {@link InvalidImageException} that names it; nothing else escapes. */
class ImageDecoderErrorsTest {
    @TempDir
    Path dir;

    @Test
    void missingFile() {
        Path missing = dir.resolve("no-such-image.png");
        assertThatThrownBy(() -> ImageDecoder.decode(missing))
                .isInstanceOf(InvalidImageException.class)
                .isInstanceOf(ClipException.class)
                .hasMessageContaining(missing.toString())
                .hasMessageContaining("not found");
    }

    @Test
    void directory() {
        assertThatThrownBy(() -> ImageDecoder.decode(dir))
                .isInstanceOf(InvalidImageException.class)
                .hasMessageContaining(dir.toString())
                .hasMessageContaining("directory");
    }

    @Test
    void emptyFile() throws IOException {
        Path empty = Files.write(dir.resolve("empty.jpg"), new byte[0]);
        assertThatThrownBy(() -> ImageDecoder.decode(empty))
                .isInstanceOf(InvalidImageException.class)
                .hasMessageContaining(empty.toString())
                .hasMessageContaining("empty");
    }

    @Test
    void textFile() throws IOException {
        Path text = Files.writeString(dir.resolve("notes.png"), "this is not an image\n", StandardCharsets.UTF_8);
        assertThatThrownBy(() -> ImageDecoder.decode(text))
                .isInstanceOf(InvalidImageException.class)
                .hasMessageContaining(text.toString())
                .hasMessageContaining("not a supported image");
    }

    @ParameterizedTest
    @ValueSource(strings = {"rocket.jpg", "coffee.png"})
    void fileCutInHalf(String fixture) throws IOException {
        Path truncated = truncatedCopy(fixture, full -> full.length / 2);
        assertThatThrownBy(() -> ImageDecoder.decode(truncated))
                .isInstanceOf(InvalidImageException.class)
                .hasMessageContaining(truncated.toString())
                .hasMessageContaining("truncated");
    }

    @Test
    void jpegCutInsideItsHeaders() throws IOException {
        Path truncated = truncatedCopy("rocket.jpg", full -> 40);
        assertThatThrownBy(() -> ImageDecoder.decode(truncated))
                .isInstanceOf(InvalidImageException.class)
                .hasMessageContaining(truncated.toString());
    }

    /** The first bytes of a fixture image, as many as {@code length} says for the whole file, in a file of its own. */
    private Path truncatedCopy(String fixture, ToIntFunction<byte[]> length) throws IOException {
        byte[] full = Files.readAllBytes(Fixtures.file("images/" + fixture));
        return Files.write(dir.resolve("truncated-" + fixture), Arrays.copyOf(full, length.applyAsInt(full)));
    }

    @Test
    void corruptBytesInsideAPng() throws IOException {
        byte[] bytes = Files.readAllBytes(Fixtures.file("images/chelsea.png"));
        for (int i = bytes.length / 2; i < bytes.length / 2 + 64; i++) {
            bytes[i] ^= 0x5A;
        }
        assertThatThrownBy(() -> ImageDecoder.decode(bytes, "upload-17"))
                .isInstanceOf(InvalidImageException.class)
                .hasMessageContaining("upload-17");
    }

    @Test
    void pngAboveThePixelLimitIsRefusedFromItsHeader() throws IOException {
        // Only a header claiming 20000x20000 (400 MB of RGB): no image data at all, so a decoder that went past the
        // header would fail differently (truncated) instead of reporting the limit.
        Path bomb = Files.write(dir.resolve("bomb.png"), pngHeaderOnly(20_000, 20_000));
        assertThatThrownBy(() -> ImageDecoder.decode(bomb))
                .isInstanceOf(InvalidImageException.class)
                .hasMessageContaining(bomb.toString())
                .hasMessageContaining("20000x20000")
                .hasMessageContaining("limit");
    }

    @Test
    void pngJustAtThePixelLimitIsNotRefusedForItsSize() {
        // 178,956,970 = 2 * 5 * 17,895,697: a 10 x 17,895,697 header is at the limit, so decoding goes on and fails
        // on the missing data instead.
        assertThatThrownBy(() -> ImageDecoder.decode(pngHeaderOnly(10, 17_895_697), "edge.png"))
                .isInstanceOf(InvalidImageException.class)
                .hasMessageContaining("edge.png")
                .hasMessageContaining("truncated")
                .hasMessageNotContaining("limit");
    }

    @Test
    void jpegAndGifAboveThePixelLimitAreRefusedFromTheirHeaders() {
        byte[] jpeg = {
            (byte) 0xFF, (byte) 0xD8, (byte) 0xFF, (byte) 0xC0, 0, 11, 8,
            (byte) (20_000 >> 8), (byte) (20_000 & 0xFF), (byte) (20_000 >> 8), (byte) (20_000 & 0xFF), 1, 1, 0x11, 0,
        };
        assertThatThrownBy(() -> ImageDecoder.decode(jpeg, "bomb.jpg"))
                .isInstanceOf(InvalidImageException.class)
                .hasMessageContaining("bomb.jpg")
                .hasMessageContaining("limit");
        byte[] gif = {'G', 'I', 'F', '8', '9', 'a', 0x20, 0x4E, 0x20, 0x4E, 0, 0, 0, ';'};
        assertThatThrownBy(() -> ImageDecoder.decode(gif, "bomb.gif"))
                .isInstanceOf(InvalidImageException.class)
                .hasMessageContaining("bomb.gif")
                .hasMessageContaining("limit");
    }

    @Test
    void streamsAndByteArraysNameTheInput() {
        assertThatThrownBy(() -> ImageDecoder.decode(new ByteArrayInputStream(new byte[0]), "stream #3"))
                .isInstanceOf(InvalidImageException.class)
                .hasMessageContaining("stream #3");
        assertThatThrownBy(() -> ImageDecoder.decode(new byte[] {1, 2, 3}))
                .isInstanceOf(InvalidImageException.class)
                .hasMessageContaining("in-memory image");
    }

    /** A PNG signature and a valid IHDR (8-bit RGB), then IEND: no pixel data. */
    static byte[] pngHeaderOnly(int width, int height) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(new byte[] {(byte) 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A});
        byte[] ihdr = new byte[13];
        putInt(ihdr, 0, width);
        putInt(ihdr, 4, height);
        ihdr[8] = 8;
        ihdr[9] = 2;
        writeChunk(out, "IHDR", ihdr);
        writeChunk(out, "IEND", new byte[0]);
        return out.toByteArray();
    }

    private static void writeChunk(ByteArrayOutputStream out, String type, byte[] data) throws IOException {
        byte[] length = new byte[4];
        putInt(length, 0, data.length);
        out.write(length);
        byte[] typeBytes = type.getBytes(StandardCharsets.US_ASCII);
        out.write(typeBytes);
        out.write(data);
        CRC32 crc = new CRC32();
        crc.update(typeBytes);
        crc.update(data);
        byte[] crcBytes = new byte[4];
        putInt(crcBytes, 0, (int) crc.getValue());
        out.write(crcBytes);
    }

    private static void putInt(byte[] b, int offset, int v) {
        b[offset] = (byte) (v >>> 24);
        b[offset + 1] = (byte) (v >>> 16);
        b[offset + 2] = (byte) (v >>> 8);
        b[offset + 3] = (byte) v;
    }
}
