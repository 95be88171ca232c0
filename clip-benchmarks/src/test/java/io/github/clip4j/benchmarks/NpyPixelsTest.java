package io.github.clip4j.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The .npy reader of the engine comparison takes only what it can time: {@code <f4 [N, 3, R, R]}, exactly sized. */
class NpyPixelsTest {
    @TempDir
    Path dir;

    @Test
    void readsALittleEndianFloatBatch() throws IOException {
        Path file = npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3, 2, 2), }", 2 * 3 * 2 * 2, 0);
        NpyPixels pixels = NpyPixels.read(file);
        assertThat(pixels.n()).isEqualTo(2);
        assertThat(pixels.resolution()).isEqualTo(2);
        assertThat(pixels.pixels().isDirect()).isTrue();
        assertThat(pixels.pixels().get(5)).isEqualTo(5 * 0.25f);
        assertThat(pixels.pixels().limit()).isEqualTo(24);
    }

    @Test
    void rejectsOtherDtypesOrdersAndShapes() throws IOException {
        assertThatThrownBy(() -> NpyPixels.read(npy("{'descr': '<f8', 'fortran_order': False, 'shape': (1, 3, 2, 2), }",
                12, 0))).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'<f4'");
        assertThatThrownBy(() -> NpyPixels.read(npy("{'descr': '<f4', 'fortran_order': True, 'shape': (1, 3, 2, 2), }",
                12, 0))).hasMessageContaining("Fortran");
        assertThatThrownBy(() -> NpyPixels.read(npy("{'descr': '<f4', 'fortran_order': False, 'shape': (1, 4, 2, 2), }",
                16, 0))).hasMessageContaining("[N, 3, R, R]");
        assertThatThrownBy(() -> NpyPixels.read(npy("{'descr': '<f4', 'fortran_order': False, 'shape': (1, 3, 2), }",
                12, 0))).hasMessageContaining("[N, 3, R, R]");
        assertThatThrownBy(() -> NpyPixels.read(npy("{'descr': '<f4', 'fortran_order': False, 'shape': (1, 3, x, 2), }",
                12, 0))).hasMessageContaining("not an integer");
    }

    @Test
    void rejectsSizesThatDoNotMatchTheHeader() throws IOException {
        String header = "{'descr': '<f4', 'fortran_order': False, 'shape': (1, 3, 2, 2), }";
        assertThatThrownBy(() -> NpyPixels.read(npy(header, 11, 0))).hasMessageContaining("needs 48");
        assertThatThrownBy(() -> NpyPixels.read(npy(header, 12, 3))).hasMessageContaining("needs 48");
        String huge = "{'descr': '<f4', 'fortran_order': False, 'shape': (100000, 3, 224, 224), }";
        assertThatThrownBy(() -> NpyPixels.read(npy(huge, 1, 0))).hasMessageContaining("out of bounds");
    }

    @Test
    void rejectsAHeaderLongerThanItsBoundOrTheFile() throws IOException {
        Path file = dir.resolve("long.npy");
        ByteBuffer b = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 2, 0}).putInt(Integer.MAX_VALUE).putInt(0);
        Files.write(file, b.array());
        assertThatThrownBy(() -> NpyPixels.read(file)).hasMessageContaining("header");
        Files.write(file, "not numpy at all".getBytes(StandardCharsets.US_ASCII));
        assertThatThrownBy(() -> NpyPixels.read(file)).hasMessageContaining("magic");
        Files.write(file, new byte[] {(byte) 0x93, 'N'});
        assertThatThrownBy(() -> NpyPixels.read(file)).hasMessageContaining("ends early");
    }

    @Test
    void rejectsNonFinitePixels() throws IOException {
        Path file = npy("{'descr': '<f4', 'fortran_order': False, 'shape': (1, 3, 1, 1), }", 3, 0);
        byte[] bytes = Files.readAllBytes(file);
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putFloat(bytes.length - 4, Float.NaN);
        Files.write(file, bytes);
        assertThatThrownBy(() -> NpyPixels.read(file)).hasMessageContaining("NaN");
    }

    @Test
    void writtenFeaturesReadBackWithNumpysLayout() throws IOException {
        Path file = dir.resolve("features.npy");
        NpyPixels.writeMatrix(new float[][] {{1, 2}, {3, 4}}, file);
        byte[] bytes = Files.readAllBytes(file);
        int headerLength = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getShort(8);
        assertThat((10 + headerLength) % 64).isZero();
        assertThat(new String(bytes, 10, headerLength, StandardCharsets.ISO_8859_1)).contains("'shape': (2, 2)");
        assertThat(ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getFloat(10 + headerLength + 12)).isEqualTo(4f);
    }

    /** A version-1 file with {@code floats} values 0, 0.25, 0.5, ... and {@code extra} trailing bytes. */
    private Path npy(String dict, int floats, int extra) throws IOException {
        byte[] header = (dict + "\n").getBytes(StandardCharsets.ISO_8859_1);
        ByteBuffer b = ByteBuffer.allocate(10 + header.length + floats * 4 + extra).order(ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0}).putShort((short) header.length).put(header);
        for (int i = 0; i < floats; i++) {
            b.putFloat(i * 0.25f);
        }
        Path file = Files.createTempFile(dir, "pixels", ".npy");
        Files.write(file, b.array());
        return file;
    }
}
