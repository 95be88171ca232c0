package io.github.clip4j.internal.weights;

import io.github.clip4j.CheckpointException;
import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * A bounded reader of zip archives (with ZIP64) as PyTorch writes them, giving memory-mapped views of STORED
 * entries so tensor bytes are never copied into the Java heap.
 *
 * <p>{@link java.util.zip.ZipFile} cannot say where an entry's bytes start in the file, which mapping needs,
 * so the central directory is read here. Every size and offset is checked against the file before use: a
 * truncated or hostile archive gets a {@link CheckpointException} naming the file and the problem.
 */
final class ZipArchive implements AutoCloseable {
    private static final int EOCD_SIGNATURE = 0x06054b50;
    private static final int ZIP64_LOCATOR_SIGNATURE = 0x07064b50;
    private static final int ZIP64_EOCD_SIGNATURE = 0x06064b50;
    private static final int CENTRAL_SIGNATURE = 0x02014b50;
    private static final int LOCAL_SIGNATURE = 0x04034b50;
    private static final long MAX_CENTRAL_DIRECTORY = 256L * 1024 * 1024;
    static final int STORED = 0;
    static final int DEFLATED = 8;

    /** One entry of the central directory. */
    record Entry(String name, int method, long compressedSize, long size, long localHeaderOffset, long crc) {}

    private final Path file;
    private final FileChannel channel;
    private final long fileSize;
    private final Map<String, Entry> entries;
    private ByteBuffer whole;
    private final java.util.Set<String> verified = new java.util.HashSet<>();
    private ByteBuffer crcBuffer;
    private final FileOrigin origin;

    private ZipArchive(Path file, FileChannel channel) throws IOException {
        this.file = file;
        this.channel = channel;
        this.fileSize = channel.size();
        this.origin = FileOrigin.of(file);
        this.entries = Collections.unmodifiableMap(readCentralDirectory());
    }

    /**
     * Opens {@code file} and reads its central directory.
     *
     * @throws CheckpointException if the file is not a readable zip archive
     */
    static ZipArchive open(Path file) {
        requireNonNull(file, "file");
        String notRegular = io.github.clip4j.internal.FileKinds.notRegular(file);
        if (notRegular != null) {
            throw new CheckpointException("checkpoint " + file + " " + notRegular);
        }
        FileChannel channel = null;
        try {
            channel = FileChannel.open(file, StandardOpenOption.READ);
            return new ZipArchive(file, channel);
        } catch (IOException e) {
            closeQuietly(channel);
            throw new CheckpointException("cannot read " + file + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            closeQuietly(channel);
            throw e;
        }
    }

    /** Entries by name, in central-directory order. */
    Map<String, Entry> entries() {
        return entries;
    }

    /**
     * A read-only, little-endian view of a STORED entry's bytes, memory-mapped (no heap copy).
     *
     * @throws CheckpointException if the entry is compressed, larger than 2 GiB or lies outside the file
     */
    /** Where a STORED entry's bytes start in the file. */
    long dataOffset(Entry entry) {
        return dataStart(entry);
    }

    /** The archive's size in bytes. */
    long size() {
        return fileSize;
    }

    /** The archive file as it was when opened, or {@code null} (see {@link FileOrigin}). */
    FileOrigin origin() {
        return origin;
    }

    ByteBuffer map(Entry entry) {
        if (entry.method() != STORED) {
            throw error("entry " + entry.name() + " is compressed (method " + entry.method()
                    + "); tensor data must be stored uncompressed, as torch writes it");
        }
        if (entry.size() > Integer.MAX_VALUE) {
            throw error("entry " + entry.name() + " is larger than 2 GiB");
        }
        long start = dataStart(entry);
        verifyCrc(entry, start);
        try {
            if (entry.size() == 0) {
                return ByteBuffer.allocate(0).order(ByteOrder.LITTLE_ENDIAN);
            }
            if (fileSize <= Integer.MAX_VALUE) {
                // One mapping for the whole file: thousands of entries must not mean thousands of mappings.
                if (whole == null) {
                    whole = channel.map(FileChannel.MapMode.READ_ONLY, 0, fileSize);
                }
                return whole.duplicate().position((int) start).limit((int) (start + entry.size())).slice()
                        .order(ByteOrder.LITTLE_ENDIAN);
            }
            return channel.map(FileChannel.MapMode.READ_ONLY, start, entry.size()).order(ByteOrder.LITTLE_ENDIAN);
        } catch (IOException e) {
            throw error("cannot map entry " + entry.name() + ": " + e.getMessage());
        }
    }

    /**
     * The bytes of a small entry (a pickle, a source file), stored or deflated, read into the heap.
     *
     * @param maxBytes refuse entries larger than this (hostile archives declare huge sizes)
     */
    byte[] read(Entry entry, long maxBytes) {
        if (entry.size() > maxBytes) {
            throw error("entry " + entry.name() + " declares " + entry.size() + " bytes, more than the limit of "
                    + maxBytes);
        }
        long start = dataStart(entry);
        int size = (int) entry.size();
        try {
            if (entry.method() == STORED) {
                ByteBuffer buffer = ByteBuffer.allocate(size);
                readFully(buffer, start);
                checkCrc(entry, buffer.array());
                return buffer.array();
            }
            if (entry.method() != DEFLATED) {
                throw error("entry " + entry.name() + " uses unsupported compression method " + entry.method());
            }
            if (entry.compressedSize() > maxBytes) {
                throw error("entry " + entry.name() + " is compressed to more than the limit of " + maxBytes);
            }
            ByteBuffer compressed = ByteBuffer.allocate((int) entry.compressedSize());
            readFully(compressed, start);
            byte[] out = new byte[size];
            Inflater inflater = new Inflater(true);
            try {
                inflater.setInput(compressed.array());
                int n = 0;
                while (n < size && !inflater.finished()) {
                    int k = inflater.inflate(out, n, size - n);
                    if (k == 0 && (inflater.needsInput() || inflater.needsDictionary())) {
                        break;
                    }
                    n += k;
                }
                if (n != size) {
                    throw error("entry " + entry.name() + " inflates to " + n + " bytes, not " + size + " (corrupt)");
                }
                checkCrc(entry, out);
            } finally {
                inflater.end();
            }
            return out;
        } catch (DataFormatException e) {
            throw error("entry " + entry.name() + " is corrupt: " + e.getMessage());
        } catch (IOException e) {
            throw error("cannot read entry " + entry.name() + ": " + e.getMessage());
        }
    }

    private void checkCrc(Entry entry, byte[] bytes) {
        CRC32 crc = new CRC32();
        crc.update(bytes);
        if (crc.getValue() != entry.crc()) {
            throw crcError(entry);
        }
    }

    /**
     * Checks a stored entry's CRC-32 against the central directory, as Python's {@code ZipFile.testzip} does, so
     * flipped bytes in a tensor are refused instead of giving different embeddings. The bytes are streamed with
     * positional reads through a small buffer (not through a mapping, so they do not become resident memory);
     * CRC-32 runs at several GB/s, a small cost next to copying the weights into libtorch.
     */
    private synchronized void verifyCrc(Entry entry, long start) {
        if (!verified.add(entry.name())) {
            return;
        }
        CRC32 crc = new CRC32();
        // One buffer per archive: a direct buffer per entry is freed only when the GC gets to it, and hundreds of
        // them held ~80 MB of native memory at the peak of loading ViT-B/32.
        if (crcBuffer == null) {
            crcBuffer = ByteBuffer.allocateDirect(1 << 20);
        }
        ByteBuffer buffer = crcBuffer;
        try {
            for (long done = 0; done < entry.size(); ) {
                buffer.clear().limit((int) Math.min(buffer.capacity(), entry.size() - done));
                while (buffer.hasRemaining()) {
                    if (channel.read(buffer, start + done + buffer.position()) < 0) {
                        throw error("entry " + entry.name() + " runs past the end of the file (truncated?)");
                    }
                }
                buffer.flip();
                done += buffer.remaining();
                crc.update(buffer);
            }
        } catch (IOException e) {
            throw error("cannot read entry " + entry.name() + ": " + e.getMessage());
        }
        if (crc.getValue() != entry.crc()) {
            verified.remove(entry.name());
            throw crcError(entry);
        }
    }

    private CheckpointException crcError(Entry entry) {
        return error("entry " + entry.name() + " fails its CRC-32 check: the file is corrupt (damaged in transfer"
                + " or on disk); download or copy it again");
    }

    private long dataStart(Entry entry) {
        try {
            long offset = entry.localHeaderOffset();
            if (offset < 0 || offset > fileSize - 30) {
                throw error("entry " + entry.name() + " starts outside the file (truncated?)");
            }
            ByteBuffer header = ByteBuffer.allocate(30).order(ByteOrder.LITTLE_ENDIAN);
            readFully(header, offset);
            if (header.getInt(0) != LOCAL_SIGNATURE) {
                throw error("entry " + entry.name() + " has no local header (corrupt archive)");
            }
            long start = offset + 30 + (header.getShort(26) & 0xffff) + (header.getShort(28) & 0xffff);
            long stored = entry.method() == STORED ? entry.size() : entry.compressedSize();
            if (stored < 0 || start + stored > fileSize) {
                throw error("entry " + entry.name() + " runs past the end of the file (truncated?)");
            }
            return start;
        } catch (IOException e) {
            throw error("cannot read entry " + entry.name() + ": " + e.getMessage());
        }
    }

    private Map<String, Entry> readCentralDirectory() throws IOException {
        if (fileSize < 22) {
            throw error("not a zip archive (only " + fileSize + " bytes)");
        }
        int tailLength = (int) Math.min(fileSize, 22 + 65535 + 20);
        ByteBuffer tail = ByteBuffer.allocate(tailLength).order(ByteOrder.LITTLE_ENDIAN);
        readFully(tail, fileSize - tailLength);
        int eocd = -1;
        for (int i = tailLength - 22; i >= 0; i--) {
            if (tail.getInt(i) == EOCD_SIGNATURE) {
                eocd = i;
                break;
            }
        }
        if (eocd < 0) {
            throw error("no zip end-of-central-directory record: the file is truncated or not a zip archive");
        }
        long count = tail.getShort(eocd + 10) & 0xffff;
        long cdSize = tail.getInt(eocd + 12) & 0xffffffffL;
        long cdOffset = tail.getInt(eocd + 16) & 0xffffffffL;
        if (count == 0xffff || cdSize == 0xffffffffL || cdOffset == 0xffffffffL) {
            if (eocd < 20 || tail.getInt(eocd - 20) != ZIP64_LOCATOR_SIGNATURE) {
                throw error("ZIP64 archive without its locator (corrupt)");
            }
            long eocd64 = tail.getLong(eocd - 20 + 8);
            if (eocd64 < 0 || eocd64 > fileSize - 56) {
                throw error("ZIP64 end record outside the file (truncated?)");
            }
            ByteBuffer record = ByteBuffer.allocate(56).order(ByteOrder.LITTLE_ENDIAN);
            readFully(record, eocd64);
            if (record.getInt(0) != ZIP64_EOCD_SIGNATURE) {
                throw error("corrupt ZIP64 end record");
            }
            count = record.getLong(32);
            cdSize = record.getLong(40);
            cdOffset = record.getLong(48);
        }
        if (cdSize < 0 || cdOffset < 0 || cdSize > MAX_CENTRAL_DIRECTORY || cdOffset > fileSize - cdSize
                || count < 0 || count > cdSize / 46) {
            throw error("corrupt zip central directory (" + count + " entries, " + cdSize + " bytes at offset "
                    + cdOffset + ", file size " + fileSize + "); the file is truncated or damaged");
        }
        ByteBuffer cd = ByteBuffer.allocate((int) cdSize).order(ByteOrder.LITTLE_ENDIAN);
        readFully(cd, cdOffset);
        Map<String, Entry> result = new LinkedHashMap<>();
        int p = 0;
        for (long i = 0; i < count; i++) {
            if (p + 46 > cdSize || cd.getInt(p) != CENTRAL_SIGNATURE) {
                throw error("corrupt zip central directory at entry " + i);
            }
            int method = cd.getShort(p + 10) & 0xffff;
            long compressed = cd.getInt(p + 20) & 0xffffffffL;
            long size = cd.getInt(p + 24) & 0xffffffffL;
            int nameLength = cd.getShort(p + 28) & 0xffff;
            int extraLength = cd.getShort(p + 30) & 0xffff;
            int commentLength = cd.getShort(p + 32) & 0xffff;
            long offset = cd.getInt(p + 42) & 0xffffffffL;
            int next = p + 46 + nameLength + extraLength + commentLength;
            if (next > cdSize) {
                throw error("corrupt zip central directory at entry " + i);
            }
            String name = new String(cd.array(), p + 46, nameLength, StandardCharsets.UTF_8);
            // ZIP64 extended information: only the fields that overflowed are present, in this order.
            int e = p + 46 + nameLength;
            int extraEnd = e + extraLength;
            while (e + 4 <= extraEnd) {
                int id = cd.getShort(e) & 0xffff;
                int length = cd.getShort(e + 2) & 0xffff;
                int q = e + 4;
                if (q + length > extraEnd) {
                    break;
                }
                if (id == 0x0001) {
                    if (size == 0xffffffffL && q + 8 <= e + 4 + length) {
                        size = cd.getLong(q);
                        q += 8;
                    }
                    if (compressed == 0xffffffffL && q + 8 <= e + 4 + length) {
                        compressed = cd.getLong(q);
                        q += 8;
                    }
                    if (offset == 0xffffffffL && q + 8 <= e + 4 + length) {
                        offset = cd.getLong(q);
                    }
                }
                e += 4 + length;
            }
            if (size < 0 || compressed < 0 || offset < 0) {
                throw error("entry " + name + " has an impossible size or offset");
            }
            long crc = cd.getInt(p + 16) & 0xffffffffL;
            result.put(name, new Entry(name, method, compressed, size, offset, crc));
            p = next;
        }
        return result;
    }

    private void readFully(ByteBuffer buffer, long position) throws IOException {
        while (buffer.hasRemaining()) {
            int n = channel.read(buffer, position + buffer.position());
            if (n < 0) {
                throw error("unexpected end of file (truncated?)");
            }
        }
        buffer.flip();
    }

    private CheckpointException error(String problem) {
        return new CheckpointException(file + ": " + problem);
    }

    @Override
    public void close() {
        closeQuietly(channel);
    }

    private static void closeQuietly(FileChannel channel) {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // nothing was written; a failed close of a read-only channel loses nothing
            }
        }
    }
}
