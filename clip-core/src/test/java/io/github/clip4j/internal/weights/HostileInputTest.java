package io.github.clip4j.internal.weights;

import io.github.clip4j.CheckpointException;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.clip4j.testsupport.Fixtures;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Truncated, random and malicious files are refused with a {@link CheckpointException} naming the file. */
class HostileInputTest {
    @TempDir
    Path dir;

    private static void assertRefused(Path file, String... fragments) {
        assertThatThrownBy(() -> CheckpointReader.read(file))
                .isInstanceOf(CheckpointException.class)
                .hasMessageContaining(file.toString())
                .satisfies(e -> {
                    for (String fragment : fragments) {
                        assertThat(e.getMessage()).contains(fragment);
                    }
                });
    }

    @ParameterizedTest
    @ValueSource(strings = {"vit-tiny.jit.pt", "vit-tiny.state_dict.pt", "vit-tiny.f16.safetensors",
            "rn-tiny.safetensors", "vit-p14-336-tiny.jit.pt"})
    void truncatedCopiesAreRefused(String name) throws IOException {
        Path source = Fixtures.file("models/" + name);
        long size = Files.size(source);
        for (long length : new long[] {0, 1, 8, 9, 100, 5000, size / 2, size - 23, size - 1}) {
            Path cut = TestArchives.truncatedCopy(source, dir.resolve(length + "-" + name), length);
            assertRefused(cut);
        }
    }

    @Test
    void huggingFaceFolderWithTruncatedWeightsIsRefused() throws IOException {
        Path source = Fixtures.file("models/vit-tiny.hf");
        Path folder = Files.createDirectory(dir.resolve("hf"));
        Files.copy(source.resolve("config.json"), folder.resolve("config.json"));
        Path weights = source.resolve("model.safetensors");
        TestArchives.truncatedCopy(weights, folder.resolve("model.safetensors"), Files.size(weights) - 1);
        assertRefused(folder, "model.safetensors");
    }

    @Test
    void folderWithoutConfigAndNonClipConfigAreRefused() throws IOException {
        Path empty = Files.createDirectory(dir.resolve("empty"));
        assertRefused(empty, "config.json", "Supported formats");
        Path bert = Files.createDirectory(dir.resolve("bert"));
        Files.writeString(bert.resolve("config.json"), "{\"model_type\": \"bert\"}");
        assertRefused(bert, "bert");
    }

    @Test
    void randomBytesAreRefused() throws IOException {
        Random random = new Random(42);
        for (int i = 0; i < 40; i++) {
            byte[] bytes = new byte[random.nextInt(4096)];
            random.nextBytes(bytes);
            if (i % 4 == 1 && bytes.length > 4) { // looks like a zip
                bytes[0] = 'P';
                bytes[1] = 'K';
                bytes[2] = 3;
                bytes[3] = 4;
            } else if (i % 4 == 2 && bytes.length > 9) { // looks like safetensors
                ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putLong(0, random.nextInt(bytes.length));
                bytes[8] = '{';
            } else if (i % 4 == 3 && bytes.length > 2) { // looks like a pickle
                bytes[0] = (byte) 0x80;
                bytes[1] = 2;
            }
            Path file = Files.write(dir.resolve("random-" + i), bytes);
            assertRefused(file);
        }
    }

    @Test
    void missingFileIsRefused() {
        assertRefused(dir.resolve("nope.pt"), "not found");
    }

    @Test
    void unknownFormatListsTheSupportedOnes() throws IOException {
        Path file = Files.writeString(dir.resolve("model.onnx"), "ONNX-ish content that is not a checkpoint");
        assertRefused(file, "unknown checkpoint format", "TorchScript", "safetensors", "Hugging Face");
    }

    @Test
    void legacyTorchSaveAsksForAResave() throws IOException {
        byte[] legacy = {(byte) 0x80, 2, (byte) 0x8a, 0x0a, 0x6c, (byte) 0xfc, (byte) 0x9c, 0x46, (byte) 0xf9,
            0x20, 0x6a, (byte) 0xa8, 0x50, 0x19, 0x2e};
        assertRefused(Files.write(dir.resolve("legacy.pt"), legacy), "re-save");
    }

    @Test
    void pickleCallingOsSystemIsRefusedBeforeAnythingRuns() throws IOException {
        Path marker = dir.resolve("pwned");
        byte[] evil = new PickleWriter().proto(2).global("os", "system")
                .mark().string("touch " + marker).tuple().reduce().stop().toByteArray();
        Path file = TestArchives.torchZip(dir.resolve("evil.pt"), evil, Map.of());
        assertRefused(file, "os.system");
        assertThat(marker).doesNotExist();
        // Python 3's name for the same function, reached through STACK_GLOBAL (protocol 4)
        byte[] evil4 = new PickleWriter().proto(4).raw((byte) 0x8c, (byte) 5).raw("posix".getBytes())
                .raw((byte) 0x8c, (byte) 6).raw("system".getBytes()).raw((byte) 0x93)
                .string("id").raw((byte) 0x85).reduce().stop().toByteArray();
        assertRefused(TestArchives.torchZip(dir.resolve("evil4.pt"), evil4, Map.of()), "posix.system");
    }

    @Test
    void wholeModulePicklesAreRefused() throws IOException {
        byte[] module = new PickleWriter().proto(2).global("clip.model", "CLIP").emptyTuple()
                .raw((byte) 0x81).emptyDict().raw((byte) 'b').stop().toByteArray();
        assertRefused(TestArchives.torchZip(dir.resolve("module.pt"), module, Map.of()), "clip.model.CLIP");
    }

    @Test
    void tensorViewOutsideItsStorageIsRefused() throws IOException {
        PickleWriter p = new PickleWriter().proto(2).emptyDict().mark().string("w");
        TestArchives.rebuildTensor(p, "FloatStorage", "0", 4, 2, new long[] {2, 2}, new long[] {2, 1});
        byte[] pickle = p.setItems().stop().toByteArray();
        Path file = TestArchives.torchZip(dir.resolve("view.pt"), pickle, Map.of("0", TestArchives.floats(1, 2, 3, 4)));
        assertRefused(file, "reaches element");
    }

    @Test
    void storageLargerThanItsEntryIsRefused() throws IOException {
        PickleWriter p = new PickleWriter().proto(2).emptyDict().mark().string("w");
        TestArchives.rebuildTensor(p, "FloatStorage", "0", 1_000_000, 0, new long[] {1_000_000}, new long[] {1});
        byte[] pickle = p.setItems().stop().toByteArray();
        Path file = TestArchives.torchZip(dir.resolve("short.pt"), pickle, Map.of("0", TestArchives.floats(1, 2)));
        assertRefused(file, "storage 0");
    }

    @Test
    void missingStorageEntryIsRefused() throws IOException {
        PickleWriter p = new PickleWriter().proto(2).emptyDict().mark().string("w");
        TestArchives.rebuildTensor(p, "FloatStorage", "7", 2, 0, new long[] {2}, new long[] {1});
        byte[] pickle = p.setItems().stop().toByteArray();
        assertRefused(TestArchives.torchZip(dir.resolve("missing.pt"), pickle, Map.of()), "storage 7");
    }

    @Test
    void cyclicTorchScriptModuleIsRefusedWithoutStackOverflow() throws IOException {
        // m = A(); m.child = m
        byte[] pickle = new PickleWriter().proto(2).global("__torch__.evil", "A").emptyTuple().raw((byte) 0x81)
                .raw((byte) 'q', (byte) 0).emptyDict().string("child").raw((byte) 'h', (byte) 0).raw((byte) 's')
                .raw((byte) 'b').stop().toByteArray();
        assertRefused(TestArchives.torchZip(dir.resolve("cycle.pt"), pickle, Map.of()), "contains itself");
    }

    @Test
    void hugeDeclaredLengthsInsideThePickleAreRefused() throws IOException {
        byte[] pickle = new PickleWriter().proto(2).raw((byte) 'X', (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0x7f)
                .stop().toByteArray();
        assertRefused(TestArchives.torchZip(dir.resolve("long-string.pt"), pickle, Map.of()), "past the end");
    }

    @Test
    void deeplyNestedPickleDoesNotOverflowTheStack() throws IOException {
        PickleWriter p = new PickleWriter().proto(2);
        for (int i = 0; i < 200_000; i++) {
            p.mark();
        }
        for (int i = 0; i < 200_000; i++) {
            p.tuple();
        }
        byte[] pickle = p.stop().toByteArray();
        assertRefused(TestArchives.torchZip(dir.resolve("deep.pt"), pickle, Map.of()), "nested more than");
    }

    @Test
    void safetensorsWithOutOfRangeOffsetsIsRefused() throws IOException {
        Path file = safetensors("{\"w\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16000000000]}}", 16);
        assertRefused(file, "'w'", "outside the file");
        Path negative = safetensors("{\"w\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[-16,0]}}", 16);
        assertRefused(negative, "'w'");
        Path mismatch = safetensors("{\"w\":{\"dtype\":\"F32\",\"shape\":[5],\"data_offsets\":[0,16]}}", 16);
        assertRefused(mismatch, "'w'", "needs 20");
        Path overflow = safetensors("{\"w\":{\"dtype\":\"F32\",\"shape\":[4611686018427387904,4],"
                + "\"data_offsets\":[0,16]}}", 16);
        assertRefused(overflow, "'w'");
    }

    @Test
    void safetensorsWithHugeHeaderLengthIsRefused() throws IOException {
        for (long length : new long[] {Long.MAX_VALUE, -1, 1L << 40, 200L * 1024 * 1024}) {
            ByteBuffer b = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN);
            b.putLong(length).put((byte) '{');
            Path file = Files.write(dir.resolve("huge-" + Long.toHexString(length)), b.array());
            assertRefused(file);
        }
    }

    @Test
    void safetensorsWithUnknownDtypeOrBadJsonIsRefused() throws IOException {
        assertRefused(safetensors("{\"w\":{\"dtype\":\"F8_E4M3\",\"shape\":[4],\"data_offsets\":[0,4]}}", 4),
                "F8_E4M3");
        assertRefused(safetensors("{\"w\": [1, 2", 4), "corrupt safetensors header");
        assertRefused(safetensors("{" + "\"a\":[".repeat(5000) + "]".repeat(5000) + "}", 4));
    }

    private Path safetensors(String header, int dataBytes) throws IOException {
        byte[] json = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + json.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(json.length).put(json);
        return Files.write(Files.createTempFile(dir, "crafted", ".safetensors"), b.array());
    }
}
