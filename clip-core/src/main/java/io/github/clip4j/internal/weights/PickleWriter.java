package io.github.clip4j.internal.weights;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** Emits pickle protocol 2 opcodes: the few a {@code torch.save} state dict needs. */
final class PickleWriter {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    PickleWriter proto(int protocol) {
        out.write(0x80);
        out.write(protocol);
        return this;
    }

    PickleWriter global(String module, String name) {
        out.write('c');
        writeAscii(module + "\n" + name + "\n");
        return this;
    }

    PickleWriter mark() {
        out.write('(');
        return this;
    }

    PickleWriter tuple() {
        out.write('t');
        return this;
    }

    PickleWriter emptyTuple() {
        out.write(')');
        return this;
    }

    PickleWriter emptyDict() {
        out.write('}');
        return this;
    }

    PickleWriter reduce() {
        out.write('R');
        return this;
    }

    PickleWriter setItems() {
        out.write('u');
        return this;
    }

    PickleWriter persistentId() {
        out.write('Q');
        return this;
    }

    PickleWriter bool(boolean value) {
        out.write(value ? 0x88 : 0x89);
        return this;
    }

    PickleWriter none() {
        out.write('N');
        return this;
    }

    PickleWriter string(String value) {
        byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        out.write('X');
        writeLittleEndian(bytes.length, 4);
        out.writeBytes(bytes);
        return this;
    }

    /** An int in the shortest form Python's pickler would use. */
    PickleWriter integer(long value) {
        if (value >= 0 && value < 0x100) {
            out.write('K');
            out.write((int) value);
        } else if (value >= 0 && value < 0x10000) {
            out.write('M');
            writeLittleEndian(value, 2);
        } else if (value >= Integer.MIN_VALUE && value <= Integer.MAX_VALUE) {
            out.write('J');
            writeLittleEndian(value, 4);
        } else {
            out.write(0x8a); // LONG1 with 8 two's-complement bytes
            out.write(8);
            writeLittleEndian(value, 8);
        }
        return this;
    }

    PickleWriter stop() {
        out.write('.');
        return this;
    }

    /** Raw opcode bytes, for tests that craft hostile pickles. */
    PickleWriter raw(byte... bytes) {
        out.writeBytes(bytes);
        return this;
    }

    byte[] toByteArray() {
        return out.toByteArray();
    }

    private void writeAscii(String s) {
        out.writeBytes(s.getBytes(StandardCharsets.US_ASCII));
    }

    private void writeLittleEndian(long value, int bytes) {
        for (int i = 0; i < bytes; i++) {
            out.write((int) (value >>> (8 * i)) & 0xff);
        }
    }
}
