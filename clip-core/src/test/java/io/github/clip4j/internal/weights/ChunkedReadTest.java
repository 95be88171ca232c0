package io.github.clip4j.internal.weights;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link HostTensor#copyInChunks}: the bytes read from the checkpoint file equal the mapped bytes, chunks hold whole
 * elements, and a file replaced since it was read is not read again (the mapping's original bytes are used).
 */
class ChunkedReadTest {
    @TempDir
    Path dir;

    @Test
    void fileBackedTensorsStreamTheirExactBytes() {
        Path file = dir.resolve("w.safetensors");
        SafetensorsWriter.write(sample(1f), file, Map.of());
        Path archive = dir.resolve("w.pt");
        TorchCheckpointWriter.write(sample(1f), archive);
        for (StateDict read : new StateDict[] {SafetensorsReader.read(file), TorchArchiveReader.read(archive)}) {
            for (HostTensor t : read.tensors().values()) {
                assertThat(streamed(t, 10)).as(t.toString()).isEqualTo(bytes(t.data()));
            }
        }
    }

    @Test
    void aReplacedFileIsNotReadAgain() throws Exception {
        Path file = dir.resolve("w.safetensors");
        SafetensorsWriter.write(sample(1f), file, Map.of());
        StateDict read = SafetensorsReader.read(file);
        byte[] original = bytes(read.get("a").data());
        Path other = dir.resolve("other.safetensors");
        SafetensorsWriter.write(sample(2f), other, Map.of());
        Files.move(other, file, StandardCopyOption.REPLACE_EXISTING);
        assertThat(streamed(read.get("a"), 64)).isEqualTo(original);
        Files.delete(file);
        assertThat(streamed(read.get("a"), 64)).isEqualTo(original);
    }

    @Test
    void heapTensorsStreamToo() {
        HostTensor t = HostTensor.ofFloats(new long[] {3}, new float[] {1, 2, 3});
        assertThat(streamed(t, 8)).isEqualTo(bytes(t.data()));
    }

    private static StateDict sample(float scale) {
        Map<String, HostTensor> tensors = new LinkedHashMap<>();
        float[] a = new float[1001];
        for (int i = 0; i < a.length; i++) {
            a[i] = scale * (i - 500) / 7f;
        }
        tensors.put("a", HostTensor.ofFloats(new long[] {7, 143}, a));
        tensors.put("b", HostTensor.ofFloats(new long[] {}, new float[] {scale}));
        return new StateDict(tensors, Map.of(), "sample");
    }

    /** The tensor's bytes through a staging buffer of {@code capacity} bytes, checking offsets and element alignment. */
    private static byte[] streamed(HostTensor t, int capacity) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        t.copyInChunks(ByteBuffer.allocateDirect(capacity), (offset, chunk) -> {
            assertThat(offset).isEqualTo(out.size());
            assertThat(chunk.remaining() % t.dtype().byteSize()).isZero();
            out.writeBytes(bytes(chunk));
        });
        return out.toByteArray();
    }

    private static byte[] bytes(ByteBuffer buffer) {
        byte[] out = new byte[buffer.remaining()];
        buffer.duplicate().get(out);
        return out;
    }
}
