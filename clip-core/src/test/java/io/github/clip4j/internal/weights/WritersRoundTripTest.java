package io.github.clip4j.internal.weights;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.clip4j.testsupport.Fixtures;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What either writer writes, the readers read back identically. */
class WritersRoundTripTest {
    @TempDir
    Path dir;

    /** Tensors of every dtype, including a scalar and an empty tensor. */
    static StateDict everyDtype() {
        Map<String, HostTensor> tensors = new LinkedHashMap<>();
        int seed = 1;
        for (DType dtype : DType.values()) {
            long[] shape = {2, 3};
            byte[] bytes = new byte[6 * dtype.byteSize()];
            for (int i = 0; i < bytes.length; i++) {
                bytes[i] = (byte) (seed++ * 37);
            }
            if (dtype == DType.BOOL) {
                for (int i = 0; i < bytes.length; i++) {
                    bytes[i] = (byte) (i % 2);
                }
            }
            tensors.put("t." + dtype.name().toLowerCase(), new HostTensor(dtype, shape, ByteBuffer.wrap(bytes)));
        }
        tensors.put("scalar", HostTensor.ofFloats(new long[0], new float[] {4.6052f}));
        tensors.put("empty", HostTensor.ofFloats(new long[] {0, 5}, new float[0]));
        tensors.put("long.name.with.dots.0.weight", HostTensor.ofFloats(new long[] {70000},
                new float[70000]));
        return new StateDict(tensors, Map.of(), "test");
    }

    static void assertSameTensors(StateDict actual, StateDict expected) {
        assertThat(actual.names()).containsExactlyElementsOf(expected.names());
        for (String name : expected.names()) {
            HostTensor e = expected.get(name);
            HostTensor a = actual.get(name);
            assertThat(a.dtype()).as(name).isEqualTo(e.dtype());
            assertThat(a.shape()).as(name).isEqualTo(e.shape());
            assertThat(a.data()).as(name).isEqualTo(e.data());
        }
    }

    @Test
    void safetensorsRoundTripKeepsEveryDtypeAndMetadata() {
        StateDict original = everyDtype();
        Path file = dir.resolve("out.safetensors");
        SafetensorsWriter.write(original, file, Map.of("epochs", "3"));
        StateDict back = CheckpointReader.read(file);
        assertSameTensors(back, original);
        assertThat(back.metadata()).containsExactly(Map.entry("epochs", "3"));
    }

    @Test
    void safetensorsHeaderIsPaddedToEightBytes() throws IOException {
        Path file = dir.resolve("out.safetensors");
        SafetensorsWriter.write(everyDtype(), file, Map.of());
        ByteBuffer head = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        assertThat(head.getLong(0) % 8).isZero();
    }

    @Test
    void torchCheckpointRoundTripKeepsEveryDtype() {
        StateDict original = everyDtype();
        Path file = dir.resolve("out.pt");
        TorchCheckpointWriter.write(original, file);
        assertThat(CheckpointReader.detect(file)).isEqualTo(CheckpointFormat.TORCH_STATE_DICT);
        assertSameTensors(CheckpointReader.read(file), original);
    }

    @Test
    void torchCheckpointLayoutIsWhatTorchLoadExpects() throws IOException {
        Path file = dir.resolve("out.pt");
        TorchCheckpointWriter.write(everyDtype(), file);
        try (ZipFile zip = new ZipFile(file.toFile())) { // the JDK's reader also checks our CRCs
            List<String> names = zip.stream().map(ZipEntry::getName).toList();
            assertThat(names).startsWith("archive/data.pkl", "archive/byteorder", "archive/data/0")
                    .endsWith("archive/version");
            for (ZipEntry entry : zip.stream().toList()) {
                assertThat(entry.getMethod()).isEqualTo(ZipEntry.STORED);
                assertThat(zip.getInputStream(entry).readAllBytes()).hasSize((int) entry.getSize());
            }
            assertThat(new String(zip.getInputStream(zip.getEntry("archive/version")).readAllBytes()))
                    .isEqualTo("3\n");
            assertThat(new String(zip.getInputStream(zip.getEntry("archive/byteorder")).readAllBytes()))
                    .isEqualTo("little");
        }
        try (ZipArchive archive = ZipArchive.open(file)) {
            for (ZipArchive.Entry entry : archive.entries().values()) {
                long start = dataStart(file, entry);
                assertThat(start % 64).as(entry.name()).isZero();
            }
        }
    }

    private static long dataStart(Path file, ZipArchive.Entry entry) throws IOException {
        byte[] all = Files.readAllBytes(file);
        ByteBuffer b = ByteBuffer.wrap(all).order(ByteOrder.LITTLE_ENDIAN);
        int at = (int) entry.localHeaderOffset();
        return at + 30 + (b.getShort(at + 26) & 0xffff) + (b.getShort(at + 28) & 0xffff);
    }

    @Test
    void moreThan65535EntriesUseZip64Records() {
        Map<String, HostTensor> tensors = new LinkedHashMap<>();
        for (int i = 0; i < 70_000; i++) {
            tensors.put("p" + i, HostTensor.ofFloats(new long[0], new float[] {i}));
        }
        StateDict many = new StateDict(tensors, Map.of(), "many");
        Path file = dir.resolve("many.pt");
        TorchCheckpointWriter.write(many, file);
        StateDict back = CheckpointReader.read(file);
        assertThat(back.size()).isEqualTo(70_000);
        assertThat(back.get("p69999").toFloatArray()).containsExactly(69999f);
    }

    @Test
    void writersReplaceAnExistingFileAndLeaveNoTemporaryFiles() throws IOException {
        Path file = dir.resolve("model.pt");
        Files.writeString(file, "old");
        TorchCheckpointWriter.write(everyDtype(), file);
        SafetensorsWriter.write(everyDtype(), dir.resolve("model.safetensors"), Map.of());
        try (var files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString()).sorted().toList())
                    .containsExactly("model.pt", "model.safetensors");
        }
    }

    @Test
    void fixtureModelsRoundTripThroughBothWriters() {
        for (String name : List.of("vit-tiny.jit.pt", "rn-tiny.safetensors", "vit-tiny.hf")) {
            StateDict original = CheckpointReader.read(Fixtures.file("models/" + name));
            Path pt = dir.resolve(name + ".pt");
            Path st = dir.resolve(name + ".safetensors");
            TorchCheckpointWriter.write(original, pt);
            SafetensorsWriter.write(original, st, original.metadata());
            assertSameTensors(CheckpointReader.read(pt), original);
            StateDict fromSafetensors = CheckpointReader.read(st);
            assertSameTensors(fromSafetensors, original);
            assertThat(fromSafetensors.metadata()).isEqualTo(original.metadata());
        }
    }
}
