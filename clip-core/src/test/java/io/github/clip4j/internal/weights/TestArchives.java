package io.github.clip4j.internal.weights;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;

/** Builds hand-crafted checkpoint files for tests. */
final class TestArchives {
    private TestArchives() {}

    /** A torch-style zip with {@code archive/data.pkl} and the given {@code archive/data/<key>} storages. */
    static Path torchZip(Path file, byte[] pickle, Map<String, byte[]> storages) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            StoredZipWriter zip = new StoredZipWriter(channel);
            zip.add("archive/data.pkl", ByteBuffer.wrap(pickle));
            for (Map.Entry<String, byte[]> e : storages.entrySet()) {
                zip.add("archive/data/" + e.getKey(), ByteBuffer.wrap(e.getValue()));
            }
            zip.add("archive/version", ByteBuffer.wrap("3\n".getBytes()));
            zip.finish();
        }
        return file;
    }

    /** Pickle opcodes for {@code _rebuild_tensor_v2(storage(key, numel), offset, size, stride, False, {})}. */
    static PickleWriter rebuildTensor(PickleWriter p, String storageType, String key, long numel, long offset,
                                      long[] size, long[] stride) {
        p.global("torch._utils", "_rebuild_tensor_v2").mark();
        p.mark().string("storage").global("torch", storageType).string(key).string("cpu").integer(numel).tuple()
                .persistentId();
        p.integer(offset).mark();
        for (long d : size) {
            p.integer(d);
        }
        p.tuple().mark();
        for (long s : stride) {
            p.integer(s);
        }
        return p.tuple().bool(false).global("collections", "OrderedDict").emptyTuple().reduce().tuple().reduce();
    }

    static byte[] floats(float... values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) {
            b.putFloat(v);
        }
        return b.array();
    }

    /** A copy of the first {@code length} bytes of {@code source}. */
    static Path truncatedCopy(Path source, Path target, long length) throws IOException {
        try (InputStream in = Files.newInputStream(source); OutputStream out = Files.newOutputStream(target)) {
            byte[] buffer = new byte[1 << 16];
            long left = length;
            while (left > 0) {
                int n = in.read(buffer, 0, (int) Math.min(buffer.length, left));
                if (n < 0) {
                    break;
                }
                out.write(buffer, 0, n);
                left -= n;
            }
        }
        return target;
    }
}
