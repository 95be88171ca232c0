package io.github.clip4j.cli;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import javax.imageio.ImageIO;

/** Generates issue 18's hostile checkpoints and images for the command-line tests (no binary is committed). */
final class HostileFiles {
    private HostileFiles() {}

    /** Pickle bytes, written opcode by opcode. */
    static final class Pickle {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        Pickle() {
            op(0x80, 2);
        }

        Pickle op(int... bytes) {
            for (int b : bytes) {
                out.write(b);
            }
            return this;
        }

        Pickle string(String s) {
            byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
            op('X');
            out.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(utf8.length).array());
            out.writeBytes(utf8);
            return this;
        }

        Pickle global(String module, String name) {
            op('c');
            out.writeBytes((module + "\n" + name + "\n").getBytes(StandardCharsets.US_ASCII));
            return this;
        }

        Pickle small(int value) {
            return op('M', value & 0xff, value >> 8 & 0xff);
        }

        byte[] stop() {
            op('.');
            return out.toByteArray();
        }
    }

    /** A torch.save-style zip: {@code archive/data.pkl} and stored {@code archive/data/KEY} entries. */
    static Path torchZip(Path file, byte[] pickle, Map<String, byte[]> storages) throws IOException {
        try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(file))) {
            stored(zip, "archive/data.pkl", pickle);
            for (Map.Entry<String, byte[]> e : storages.entrySet()) {
                stored(zip, "archive/data/" + e.getKey(), e.getValue());
            }
            stored(zip, "archive/version", "3\n".getBytes(StandardCharsets.US_ASCII));
        }
        return file;
    }

    private static void stored(ZipOutputStream zip, String name, byte[] bytes) throws IOException {
        ZipEntry entry = new ZipEntry(name);
        entry.setMethod(ZipEntry.STORED);
        entry.setSize(bytes.length);
        CRC32 crc = new CRC32();
        crc.update(bytes);
        entry.setCrc(crc.getValue());
        zip.putNextEntry(entry);
        zip.write(bytes);
        zip.closeEntry();
    }

    /** Item 1: a dict keyed by a tuple of 2^64 shared leaves (under 1 KB). */
    static byte[] sharedTupleKey() {
        Pickle p = new Pickle().op('}').string("x").op(0x85);
        for (int i = 0; i < 64; i++) {
            p.op('2', 0x86);
        }
        return p.op('K', 1, 's').stop();
    }

    /** Item 5: a persistent id that is a tuple of 2^64 shared leaves (rendering it would fill any heap). */
    static byte[] sharedPersistentId() {
        Pickle p = new Pickle().string("storage").op(0x85);
        for (int i = 0; i < 64; i++) {
            p.op('2', 0x86);
        }
        return p.op('Q').stop();
    }

    /**
     * Item 2: a TorchScript archive whose code file is {@code class M(Module):} and 16M newlines, deflated to
     * about 16 KB.
     */
    static Path newlinesTorchScript(Path file) throws IOException {
        byte[] module = new Pickle().global("__torch__", "M").op(')', 0x81, '}', 'b').stop();
        try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(file))) {
            stored(zip, "m/data.pkl", module);
            stored(zip, "m/constants.pkl", new Pickle().op(')').stop());
            zip.putNextEntry(new ZipEntry("m/code/__torch__.py")); // deflated
            zip.write("class M(Module):".getBytes(StandardCharsets.US_ASCII));
            byte[] newlines = new byte[1 << 20];
            java.util.Arrays.fill(newlines, (byte) '\n');
            for (int i = 0; i < 16; i++) {
                zip.write(newlines);
            }
            zip.closeEntry();
        }
        return file;
    }

    /** Item 19: a GIF whose 1 x 1 logical screen holds a first frame of 60000 x 60000 (Pillow: a bomb). */
    static byte[] gifFrameLargerThanItsScreen() throws IOException {
        java.awt.image.BufferedImage image = new java.awt.image.BufferedImage(4, 4,
                java.awt.image.BufferedImage.TYPE_BYTE_GRAY);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        if (!ImageIO.write(image, "gif", out)) {
            throw new IOException("no GIF writer");
        }
        byte[] gif = out.toByteArray();
        gif[6] = 1; // logical screen 1 x 1
        gif[7] = 0;
        gif[8] = 1;
        gif[9] = 0;
        int p = 13 + ((gif[10] & 0x80) != 0 ? 3 * (2 << (gif[10] & 7)) : 0);
        while (gif[p] == 0x21) { // extensions: introducer, label, then sub-blocks
            p += 2;
            while (gif[p] != 0) {
                p += 1 + (gif[p] & 0xff);
            }
            p++;
        }
        if (gif[p] != 0x2c) {
            throw new IOException("no image descriptor");
        }
        int frame = 60000;
        gif[p + 5] = (byte) frame;
        gif[p + 6] = (byte) (frame >> 8);
        gif[p + 7] = (byte) frame;
        gif[p + 8] = (byte) (frame >> 8);
        return gif;
    }

    /** Item 4: 100k nested lists handed to REDUCE as the callable. */
    static byte[] deepListsReduced() {
        Pickle p = new Pickle();
        for (int i = 0; i < 100_000; i++) {
            p.op('(');
        }
        p.op(']');
        for (int i = 0; i < 100_000; i++) {
            p.op('l');
        }
        return p.op(')', 'R').stop();
    }

    /** Item 4: {@code l = []; l.append(l); {"w": l}}. */
    static byte[] cyclicList() {
        return new Pickle().op('}').string("w").op(']', 'q', 0, 'h', 0, 'a', 's').stop();
    }

    /** Item 3: eight 32768 x 16384 stride-0 views of one 4-byte storage (2 GiB each once copied). */
    static Path strideZero(Path file) throws IOException {
        Pickle p = new Pickle().op('}');
        for (int i = 0; i < 8; i++) {
            p.op('(').string("w" + i).global("torch._utils", "_rebuild_tensor_v2").op('(');
            p.op('(').string("storage").global("torch", "FloatStorage").string("0").string("cpu").op('K', 1, 't', 'Q');
            p.op('K', 0, '(').small(32768).small(16384).op('t', '(', 'K', 0, 'K', 0, 't', 0x89);
            p.global("collections", "OrderedDict").op(')', 'R', 't', 'R', 'u');
        }
        return torchZip(file, p.stop(), Map.of("0", new byte[4]));
    }

    /** Item 13: a copy of {@code source} with 200 bytes inverted in its middle (inside a tensor's storage). */
    static Path flipped(Path source, Path target) throws IOException {
        byte[] bytes = Files.readAllBytes(source);
        int middle = bytes.length / 2;
        for (int i = middle; i < middle + 200; i++) {
            bytes[i] = (byte) ~bytes[i];
        }
        return Files.write(target, bytes);
    }

    /** Item 7: a 1.3 MB PNG of 13000 x 13000 16-bit RGBA zero pixels (under Pillow's pixel limit). */
    static byte[] hugePng() throws IOException {
        return zeroPng(13000, 13000, 16, 6, 8);
    }

    static byte[] zeroPng(int width, int height, int bitDepth, int colorType, int bytesPerPixel) throws IOException {
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        png.write(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
        chunk(png, "IHDR", ByteBuffer.allocate(13).putInt(width).putInt(height).put((byte) bitDepth)
                .put((byte) colorType).put((byte) 0).put((byte) 0).put((byte) 0).array());
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

    private static void chunk(ByteArrayOutputStream out, String type, byte[] data) {
        byte[] t = type.getBytes(StandardCharsets.US_ASCII);
        out.writeBytes(ByteBuffer.allocate(4).putInt(data.length).array());
        out.writeBytes(t);
        out.writeBytes(data);
        CRC32 crc = new CRC32();
        crc.update(t);
        crc.update(data);
        out.writeBytes(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
    }

    /** Item 19: a copy of the PNG with its IHDR checksum broken. */
    static Path badIhdrCrc(Path source, Path target) throws IOException {
        byte[] png = Files.readAllBytes(source);
        png[8 + 8 + 13 + 3] ^= 0x01;
        return Files.write(target, png);
    }
}
