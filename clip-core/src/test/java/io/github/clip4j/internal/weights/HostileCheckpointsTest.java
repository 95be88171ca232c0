package io.github.clip4j.internal.weights;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.github.clip4j.CheckpointException;
import io.github.clip4j.testsupport.Fixtures;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 18's hostile checkpoints, each generated here: every one ends well within 10 s in a
 * {@link CheckpointException} with a short message, never a hang, a heap blow-up or a stack overflow.
 */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class HostileCheckpointsTest {
    private static final byte DUP = '2';
    private static final byte TUPLE1 = (byte) 0x85;
    private static final byte TUPLE2 = (byte) 0x86;
    private static final byte SETITEM = 's';
    private static final byte APPEND = 'a';
    private static final byte EMPTY_LIST = ']';
    private static final byte LIST = 'l';
    private static final byte BINPUT = 'q';
    private static final byte BINGET = 'h';

    @TempDir
    Path dir;

    private static CheckpointException refused(Path file, String... fragments) {
        CheckpointException[] thrown = new CheckpointException[1];
        assertThatThrownBy(() -> CheckpointReader.read(file))
                .isInstanceOf(CheckpointException.class)
                .satisfies(e -> {
                    thrown[0] = (CheckpointException) e;
                    for (String fragment : fragments) {
                        assertThat(e.getMessage()).contains(fragment);
                    }
                    // bounded summaries: an error message is a line, never a rendering of the whole structure
                    assertThat(e.getMessage().length()).as(e.getMessage()).isLessThan(2000);
                });
        return thrown[0];
    }

    private Path zip(String name, byte[] pickle) throws IOException {
        return TestArchives.torchZip(dir.resolve(name), pickle, Map.of());
    }

    /** {@code (x, x)} nested {@code levels} times over a shared leaf: 2^levels leaves in a few bytes. */
    private static PickleWriter sharedTuples(PickleWriter p, String leaf, int levels) {
        p.string(leaf).raw(TUPLE1);
        for (int i = 0; i < levels; i++) {
            p.raw(DUP, TUPLE2);
        }
        return p;
    }

    // ------------------------------------------------------------------------------------- item 1 and 5

    @Test
    void sharedTuplesAsDictKeysHashInConstantTime() throws IOException {
        // Two structurally equal 2^64-leaf keys (equal hashes, so the map must compare them) and a value.
        PickleWriter p = new PickleWriter().proto(2).emptyDict();
        sharedTuples(p, "x", 64).integer(1).raw(SETITEM);
        sharedTuples(p, "x", 64).integer(2).raw(SETITEM);
        byte[] pickle = p.stop().toByteArray();
        assertThat(pickle.length).isLessThan(1000);
        refused(zip("shared-keys.pt", pickle), "no tensors found");
    }

    @Test
    void sharedTuplesHashAndCompareWithBoundedWork() {
        PickleMachine.Tuple a = new PickleMachine.Tuple(java.util.List.of("x"));
        PickleMachine.Tuple b = new PickleMachine.Tuple(java.util.List.of("x"));
        for (int i = 0; i < 64; i++) {
            a = new PickleMachine.Tuple(java.util.List.of(a, a));
            b = new PickleMachine.Tuple(java.util.List.of(b, b));
        }
        assertThat(a.hashCode()).isEqualTo(b.hashCode());
        Map<Object, Object> map = new HashMap<>();
        map.put(a, 1);
        map.put(b, 2); // the budgeted comparison gives up: two keys, no 2^64 walk
        assertThat(map).hasSize(2);
        assertThat(a.toString().length()).isLessThan(PickleMachine.SUMMARY_CHARS + 100);
        // small tuples still compare by value, as Python's do
        assertThat(new PickleMachine.Tuple(java.util.List.of("a", 1L)))
                .isEqualTo(new PickleMachine.Tuple(java.util.List.of("a", 1L)));
    }

    @Test
    void sharedStructureInAnErrorMessageIsSummarized() throws IOException {
        // A 2^64-leaf persistent id, then 2^64-element REDUCE arguments: each message is a short summary.
        byte[] pid = sharedTuples(new PickleWriter().proto(2), "storage", 64).persistentId().stop().toByteArray();
        refused(zip("shared-pid.pt", pid), "unsupported persistent id", "...");
        PickleWriter p = new PickleWriter().proto(2).global("torch._utils", "_rebuild_tensor_v2");
        byte[] args = sharedTuples(p, "s", 64).reduce().stop().toByteArray();
        refused(zip("shared-args.pt", args), "unexpected arguments");
        // shared lists as a callable: APPEND the same list twice, 64 levels
        PickleWriter q = new PickleWriter().proto(2).raw(EMPTY_LIST);
        for (int i = 0; i < 64; i++) {
            q.raw(BINPUT, (byte) 0, EMPTY_LIST, BINGET, (byte) 0, APPEND, BINGET, (byte) 0, APPEND);
        }
        byte[] lists = q.emptyTuple().reduce().stop().toByteArray();
        refused(zip("shared-lists.pt", lists), "not an allowed callable");
    }

    // ----------------------------------------------------------------------------------------- item 4

    @Test
    void deeplyNestedTuplesAsKeysPersistentIdsAndRebuildArgsAreRefused() throws IOException {
        int depth = 100_000;
        PickleWriter key = new PickleWriter().proto(2).emptyDict().string("leaf");
        for (int i = 0; i < depth; i++) {
            key.raw(TUPLE1);
        }
        refused(zip("deep-key.pt", key.integer(1).raw(SETITEM).stop().toByteArray()), "nested more than");

        PickleWriter pid = new PickleWriter().proto(2).string("storage");
        for (int i = 0; i < depth; i++) {
            pid.raw(TUPLE1);
        }
        refused(zip("deep-pid.pt", pid.persistentId().stop().toByteArray()), "nested more than");

        PickleWriter args = new PickleWriter().proto(2).global("torch._utils", "_rebuild_tensor_v2").string("s");
        for (int i = 0; i < depth; i++) {
            args.raw(TUPLE1);
        }
        refused(zip("deep-args.pt", args.reduce().stop().toByteArray()), "nested more than");
    }

    @Test
    void deeplyNestedListsAreRefusedWithoutStackOverflow() throws IOException {
        int depth = 100_000;
        // bottom-up: 100k MARKs, an empty list, 100k LISTs; then REDUCE on it (its message once overflowed)
        PickleWriter reduce = new PickleWriter().proto(2);
        for (int i = 0; i < depth; i++) {
            reduce.mark();
        }
        reduce.raw(EMPTY_LIST);
        for (int i = 0; i < depth; i++) {
            reduce.raw(LIST);
        }
        refused(zip("deep-reduce.pt", reduce.emptyTuple().reduce().stop().toByteArray()), "not an allowed callable");
        // top-down through the memo, as a dict value: the final structure check refuses it
        PickleWriter topDown = new PickleWriter().proto(2).emptyDict().string("w").raw(EMPTY_LIST);
        for (int i = 0; i < depth; i++) {
            topDown.raw(EMPTY_LIST, DUP, BINPUT, (byte) 1, APPEND, (byte) '0', BINGET, (byte) 1);
        }
        topDown.raw((byte) '0'); // drop the innermost; the outer list stays under the key
        refused(zip("deep-lists.pt", topDown.raw(SETITEM).stop().toByteArray()));
    }

    @Test
    void cyclicListsAreRefused() throws IOException {
        // l = []; l.append(l); {"w": l}
        byte[] direct = new PickleWriter().proto(2).emptyDict().string("w").raw(EMPTY_LIST, BINPUT, (byte) 0,
                BINGET, (byte) 0, APPEND, SETITEM).stop().toByteArray();
        refused(zip("cycle.pt", direct), "contains itself");
        // a = []; b = [a]; a.append(b): a cycle of two, then REDUCE on it (its message must stay bounded)
        byte[] indirect = new PickleWriter().proto(2).raw(EMPTY_LIST, BINPUT, (byte) 0, EMPTY_LIST, BINGET,
                (byte) 0, APPEND, APPEND).emptyTuple().reduce().stop().toByteArray();
        refused(zip("cycle2.pt", indirect), "not an allowed callable");
    }

    // ----------------------------------------------------------------------------------------- item 2

    private Path torchScript(String name, String code) throws IOException {
        byte[] module = new PickleWriter().proto(2).global("__torch__", "M").emptyTuple().raw((byte) 0x81)
                .emptyDict().raw((byte) 'b').stop().toByteArray();
        Path file = dir.resolve(name);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            StoredZipWriter zip = new StoredZipWriter(channel);
            zip.add("m/data.pkl", ByteBuffer.wrap(module));
            zip.add("m/constants.pkl", ByteBuffer.wrap(new PickleWriter().proto(2).emptyTuple().stop().toByteArray()));
            zip.add("m/code/__torch__.py", ByteBuffer.wrap(code.getBytes(StandardCharsets.UTF_8)));
            zip.finish();
        }
        return file;
    }

    @Test
    void codeFileWithMillionsOfNewlinesIsBoundedAndLinear() throws IOException {
        // 16M newlines: more code than any CLIP model has, refused from the entry's declared size
        refused(torchScript("newlines.pt", "class M(Module):" + "\n".repeat(16_000_000)), "more than the limit");
        // 3M newlines (under the limit): read in linear time (the regex took 49 s for 200k)
        Path smaller = torchScript("newlines-3m.pt", "class M(Module):" + "\n".repeat(3_000_000));
        assertThat(CheckpointReader.read(smaller).size()).isZero();
    }

    @Test
    void declarationsAreFoundInOnePass() {
        Map<String, Set<String>> found = new HashMap<>();
        String code = "class A(Module):\n  __parameters__ = [\"weight\", \"bias\", ]\n  __buffers__ = [\"mean\", ]\n"
                + "class B(Module):" + "\n".repeat(1_000_000) + "  __parameters__ = [\"w\", ]\n  __buffers__ = []\n"
                + ("class C(Module):\n  __parameters__ = [\n").repeat(100_000);
        TorchArchiveReader.scanDeclarations(code, "__torch__.m", found);
        assertThat(found).containsEntry("__torch__.m.A", Set.of("weight", "bias", "mean"))
                .containsEntry("__torch__.m.B", Set.of("w")).hasSize(2);
    }

    // ----------------------------------------------------------------------------------------- item 3

    @Test
    void strideZeroViewsOverATinyStorageAreRefusedBeforeAnyCopy() throws IOException {
        PickleWriter p = new PickleWriter().proto(2).emptyDict();
        for (int i = 0; i < 8; i++) {
            p.mark().string("w" + i);
            TestArchives.rebuildTensor(p, "FloatStorage", "0", 1, 0, new long[] {32768, 16384}, new long[] {0, 0});
            p.setItems();
        }
        Path file = TestArchives.torchZip(dir.resolve("stride0.pt"), p.stop().toByteArray(),
                Map.of("0", TestArchives.floats(1)));
        assertThat(Files.size(file)).isLessThan(4096);
        refused(file, "strided tensor view of shape [32768, 16384]");
        // and without the archive-wide budget, the view itself is refused for repeating its storage
        assertThatThrownBy(() -> HostTensors.view(DType.F32, ByteBuffer.wrap(TestArchives.floats(1)), 0,
                new long[] {32768, 16384}, new long[] {0, 0})).hasMessageContaining("expanded or overlapping view");
    }

    @Test
    void stridedCopiesAreBoundedByTheArchive() throws IOException {
        // 100 transposed views of one 1 MB storage would copy 100 MB from a 1 MB file
        PickleWriter p = new PickleWriter().proto(2).emptyDict();
        for (int i = 0; i < 100; i++) {
            p.mark().string("w" + i);
            TestArchives.rebuildTensor(p, "FloatStorage", "0", 512 * 512, 0, new long[] {512, 512},
                    new long[] {1, 512});
            p.setItems();
        }
        Path file = TestArchives.torchZip(dir.resolve("copies.pt"), p.stop().toByteArray(),
                Map.of("0", new byte[512 * 512 * 4]));
        refused(file, "strided tensor view");
    }

    // ---------------------------------------------------------------------------------------- item 13

    @Test
    void flippedBytesInATorchSaveZipFailTheCrcCheck() throws IOException {
        for (String name : new String[] {"vit-tiny.state_dict.pt", "vit-tiny.jit.pt"}) {
            Path copy = Files.copy(Fixtures.file("models/" + name), dir.resolve(name));
            ZipArchive.Entry largest;
            long offset;
            try (ZipArchive zip = ZipArchive.open(copy)) {
                largest = zip.entries().values().stream().filter(e -> e.name().contains("/data/"))
                        .max(java.util.Comparator.comparingLong(ZipArchive.Entry::size)).orElseThrow();
                offset = zip.dataOffset(largest);
            }
            try (FileChannel channel = FileChannel.open(copy, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
                int n = (int) Math.min(200, largest.size());
                ByteBuffer bytes = ByteBuffer.allocate(n);
                channel.read(bytes, offset);
                for (int i = 0; i < n; i++) {
                    bytes.put(i, (byte) ~bytes.get(i));
                }
                channel.write(bytes.flip(), offset);
            }
            refused(copy, largest.name(), "CRC-32");
        }
    }

    @Test
    void safetensorsWithDuplicateKeysOrOverlappingOffsetsIsRefused() throws IOException {
        refused(safetensors("{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,16]}}", 16), "corrupt safetensors header",
                "Duplicate");
        refused(safetensors("{\"a\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,12]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,16]}}", 16), "'a' and 'b' overlap");
    }

    private Path safetensors(String header, int dataBytes) throws IOException {
        byte[] json = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + json.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(json.length).put(json);
        return Files.write(Files.createTempFile(dir, "crafted", ".safetensors"), b.array());
    }

    // ----------------------------------------------------------------------------------------- item 6

    @Test
    void devicesAndFifosAreNotReadAsCheckpoints() throws Exception {
        assumeTrue(Files.exists(Path.of("/dev/zero")));
        refused(Path.of("/dev/zero"), "not a regular file");
        Path fifo = dir.resolve("model.pt");
        Process mkfifo = new ProcessBuilder("mkfifo", fifo.toString()).start();
        assumeTrue(mkfifo.waitFor() == 0);
        refused(fifo, "not a regular file");
        assertThatThrownBy(() -> SafetensorsReader.read(fifo)).isInstanceOf(CheckpointException.class);
        assertThatThrownBy(() -> TorchArchiveReader.read(fifo)).isInstanceOf(CheckpointException.class);
    }

    // ---------------------------------------------------------------------------------------- item 17

    @Test
    void errorsNameTheContentTypeAndNeverQuoteTheBytes() throws IOException {
        Path secret = Files.writeString(dir.resolve("environ"), "SECRET=hunter2\0PATH=/usr/bin\0");
        CheckpointException e = refused(secret, "unknown checkpoint format", "looks like binary data");
        assertThat(e.getMessage()).doesNotContain("hunter2").doesNotContain("SECRET")
                .doesNotContain(HexFormat.of().formatHex("SECRET=h".getBytes(StandardCharsets.US_ASCII)));
        // a file that passes for safetensors: the JSON parser's complaint must not quote the text either
        CheckpointException json = refused(safetensors("{SECRET=hunter2, TOKEN=abc}", 0), "corrupt safetensors header");
        assertThat(json.getMessage()).doesNotContain("hunter2").doesNotContain("SECRET");
        Path environ = Path.of("/proc/self/environ");
        if (Files.isReadable(environ)) {
            byte[] head = Files.readAllBytes(environ);
            CheckpointException proc = refused(environ);
            if (head.length >= 8) {
                assertThat(proc.getMessage()).doesNotContain(HexFormat.of().formatHex(head, 0, 8))
                        .doesNotContain(new String(head, 0, 8, StandardCharsets.ISO_8859_1));
            }
        }
    }
}
