package io.github.clip4j.internal.weights;

import io.github.clip4j.internal.io.AtomicFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32;

/**
 * Writes a zip archive of STORED (uncompressed) entries whose data starts at 64-byte boundaries, as PyTorch's
 * own writer does (padding goes in an extra field with id {@code "FB"}), so readers can map tensors in place.
 * Offsets beyond 4 GiB use ZIP64 records.
 */
final class StoredZipWriter {
    static final int ALIGNMENT = 64;
    private static final int PADDING_EXTRA_ID = 0x4246; // "FB", PyTorch's padding field

    private record Written(byte[] name, long crc, long size, long offset) {}

    private final FileChannel channel;
    private final List<Written> entries = new ArrayList<>();
    private long position;

    StoredZipWriter(FileChannel channel) throws IOException {
        this.channel = channel;
        this.position = channel.position();
    }

    /** Appends an entry with the remaining bytes of {@code data} (not consumed). */
    void add(String name, ByteBuffer data) throws IOException {
        byte[] nameBytes = name.getBytes(StandardCharsets.UTF_8);
        ByteBuffer content = data.duplicate();
        long size = content.remaining();
        if (size >= 0xffffffffL) {
            throw new IOException("zip entry " + name + " is 4 GiB or larger");
        }
        CRC32 crc = new CRC32();
        crc.update(content.duplicate());
        long offset = position;
        int unpadded = (int) ((offset + 30 + nameBytes.length + 4) % ALIGNMENT);
        int padding = (ALIGNMENT - unpadded) % ALIGNMENT;
        ByteBuffer header = ByteBuffer.allocate(30 + nameBytes.length + 4 + padding).order(ByteOrder.LITTLE_ENDIAN);
        header.putInt(0x04034b50).putShort((short) 20).putShort((short) 0).putShort((short) ZipArchive.STORED)
                .putShort((short) 0).putShort((short) 0x21) // DOS time 0:00, date 1980-01-01
                .putInt((int) crc.getValue()).putInt((int) size).putInt((int) size)
                .putShort((short) nameBytes.length).putShort((short) (4 + padding))
                .put(nameBytes).putShort((short) PADDING_EXTRA_ID).putShort((short) padding);
        header.position(header.capacity()).flip();
        write(header);
        write(content);
        entries.add(new Written(nameBytes, crc.getValue(), size, offset));
    }

    /** Writes the central directory and end records. */
    void finish() throws IOException {
        long cdStart = position;
        for (Written e : entries) {
            boolean zip64 = e.offset() >= 0xffffffffL;
            ByteBuffer cd = ByteBuffer.allocate(46 + e.name().length + (zip64 ? 12 : 0)).order(ByteOrder.LITTLE_ENDIAN);
            cd.putInt(0x02014b50).putShort((short) (zip64 ? 45 : 20)).putShort((short) (zip64 ? 45 : 20))
                    .putShort((short) 0).putShort((short) ZipArchive.STORED).putShort((short) 0).putShort((short) 0x21)
                    .putInt((int) e.crc()).putInt((int) e.size()).putInt((int) e.size())
                    .putShort((short) e.name().length).putShort((short) (zip64 ? 12 : 0)).putShort((short) 0)
                    .putShort((short) 0).putShort((short) 0).putInt(0)
                    .putInt(zip64 ? 0xffffffff : (int) e.offset()).put(e.name());
            if (zip64) {
                cd.putShort((short) 0x0001).putShort((short) 8).putLong(e.offset());
            }
            cd.flip();
            write(cd);
        }
        long cdSize = position - cdStart;
        boolean zip64 = cdStart >= 0xffffffffL || entries.size() >= 0xffff;
        if (zip64) {
            long eocd64 = position;
            ByteBuffer record = ByteBuffer.allocate(56 + 20).order(ByteOrder.LITTLE_ENDIAN);
            record.putInt(0x06064b50).putLong(44).putShort((short) 45).putShort((short) 45).putInt(0).putInt(0)
                    .putLong(entries.size()).putLong(entries.size()).putLong(cdSize).putLong(cdStart);
            record.putInt(0x07064b50).putInt(0).putLong(eocd64).putInt(1);
            record.flip();
            write(record);
        }
        ByteBuffer end = ByteBuffer.allocate(22).order(ByteOrder.LITTLE_ENDIAN);
        int count = zip64 ? 0xffff : entries.size();
        end.putInt(0x06054b50).putShort((short) 0).putShort((short) 0).putShort((short) count)
                .putShort((short) count).putInt((int) Math.min(cdSize, 0xffffffffL))
                .putInt(zip64 ? 0xffffffff : (int) cdStart).putShort((short) 0);
        end.flip();
        write(end);
    }

    private void write(ByteBuffer buffer) throws IOException {
        position += buffer.remaining();
        AtomicFiles.writeFully(channel, buffer);
    }
}
