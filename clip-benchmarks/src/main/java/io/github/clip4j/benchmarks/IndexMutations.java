package io.github.clip4j.benchmarks;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * {@link FuzzRun}'s structure-aware mutations of an image index file (format version 1, see
 * {@code internal.retrieval.IndexFile}): numbers and strings replaced where the parser reads them, the trailing
 * CRC-32 recomputed so that the parser, not the checksum, meets the mutation.
 */
final class IndexMutations {
    /** Paths an attacker would write into an index: escapes, absolute paths, odd characters. */
    private static final String[] HOSTILE_STRINGS = {"", ".", "..", "../../../../etc/passwd", "/etc/passwd",
        "a/../../x.png", "photos/../..", "chelsea.png/..", "./chelsea.png", "chelsea.png\0.txt", "..\\..\\x.png",
        "C:\\Windows\\win.ini", "//server/share", "photos", "/", "a//b.png", "%2e%2e/x.png", "\u202e.png",
        "/etc/passwd#0123456789abcdef", "../../x.pt#0", "ViT-B/32", "x".repeat(5000)};
    private static final int[] INTERESTING_INTS = {0, 1, -1, 2, 3, 7, 64, 255, 256, 65535, 65536, 1 << 20,
        Integer.MAX_VALUE, Integer.MIN_VALUE, Integer.MAX_VALUE / 4};

    private IndexMutations() {}

    /** A field of the file: where it is and what it holds. */
    private record Field(int offset, int length, char type) { // 'i' int32, 's' string (int32 length first),
                                                              // 'l' int64, 'f' a float32 row
        Field {
            if (offset < 0 || length < 0 || length > Integer.MAX_VALUE - offset) {
                throw new IndexOutOfBoundsException("field at " + offset + " of " + length + " bytes");
            }
        }
    }

    /** The fields of an intact index file, in file order (none if it does not parse). */
    static List<Field> fields(byte[] b) {
        List<Field> fields = new ArrayList<>();
        ByteBuffer in = ByteBuffer.wrap(b);
        try {
            int p = 8;
            fields.add(new Field(p, 4, 'i')); // version
            p += 4;
            p = string(in, p, fields); // model id
            int dimension = in.getInt(p);
            fields.add(new Field(p, 4, 'i'));
            p += 4;
            int roots = in.getInt(p);
            fields.add(new Field(p, 4, 'i'));
            p += 4;
            for (int i = 0; i < roots; i++) {
                p = string(in, p, fields);
            }
            int count = in.getInt(p);
            fields.add(new Field(p, 4, 'i'));
            p += 4;
            for (int i = 0; i < count; i++) {
                fields.add(new Field(p, 4, 'i')); // folder number
                p += 4;
                p = string(in, p, fields);
                fields.add(new Field(p, 8, 'l')); // size
                fields.add(new Field(p + 8, 8, 'l')); // modified
                p += 16;
                fields.add(new Field(p, 4 * dimension, 'f'));
                p += 4 * dimension;
            }
        } catch (IndexOutOfBoundsException | IllegalArgumentException e) {
            // an index that does not parse: mutate what was found
        }
        // the last field found may reach past the end of a file whose counts were changed before
        fields.removeIf(f -> f.offset() + f.length() > b.length);
        return fields;
    }

    private static int string(ByteBuffer in, int p, List<Field> fields) {
        int n = in.getInt(p);
        fields.add(new Field(p, 4 + n, 's'));
        return p + 4 + n;
    }

    /** {@code edits} structural edits of {@code b} (an intact index), then the CRC recomputed. */
    static byte[] mutate(byte[] b, int edits, Random random) {
        for (int e = 0; e < edits; e++) {
            List<Field> fields = fields(b);
            if (fields.isEmpty()) {
                break;
            }
            Field f = fields.get(random.nextInt(fields.size()));
            ByteBuffer buffer = ByteBuffer.wrap(b);
            switch (f.type()) {
                case 'i' -> {
                    int old = buffer.getInt(f.offset());
                    int value = switch (random.nextInt(4)) {
                        case 0 -> INTERESTING_INTS[random.nextInt(INTERESTING_INTS.length)];
                        case 1 -> old + random.nextInt(5) - 2;
                        case 2 -> old * 2;
                        default -> random.nextInt();
                    };
                    buffer.putInt(f.offset(), value);
                }
                case 'l' -> buffer.putLong(f.offset(), switch (random.nextInt(3)) {
                    case 0 -> 0L;
                    case 1 -> random.nextBoolean() ? -1L : Long.MAX_VALUE;
                    default -> random.nextLong();
                });
                case 'f' -> {
                    if (f.length() > 0) {
                        int at = f.offset() + 4 * random.nextInt(f.length() / 4);
                        float[] odd = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 0f, 1e30f,
                            -1f, Float.MIN_VALUE, Float.intBitsToFloat(random.nextInt())};
                        buffer.putFloat(at, odd[random.nextInt(odd.length)]);
                    }
                }
                default -> b = mutateString(b, f, random);
            }
        }
        FuzzRun.fixIndexCrc(b);
        return b;
    }

    /** Replaces a string (length prefix and bytes) with a hostile one, or changes some of its bytes in place. */
    private static byte[] mutateString(byte[] b, Field f, Random random) {
        int n = f.length() - 4;
        if (n > 0 && random.nextBoolean()) {
            String alphabet = "./\\\0a#:%";
            for (int i = 1 + random.nextInt(3); i > 0; i--) {
                int at = f.offset() + 4 + random.nextInt(n);
                b[at] = random.nextBoolean() ? (byte) alphabet.charAt(random.nextInt(alphabet.length()))
                        : (byte) random.nextInt(256);
            }
            return b;
        }
        String old = new String(b, f.offset() + 4, Math.max(0, n), StandardCharsets.UTF_8);
        String replacement = switch (random.nextInt(3)) {
            case 0 -> HOSTILE_STRINGS[random.nextInt(HOSTILE_STRINGS.length)];
            case 1 -> "../" + old;
            default -> old + "/" + HOSTILE_STRINGS[random.nextInt(HOSTILE_STRINGS.length)];
        };
        byte[] bytes = replacement.getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream out = new ByteArrayOutputStream(b.length + bytes.length);
        out.write(b, 0, f.offset());
        out.writeBytes(ByteBuffer.allocate(4).putInt(bytes.length).array());
        out.writeBytes(bytes);
        out.write(b, f.offset() + f.length(), b.length - f.offset() - f.length());
        return out.toByteArray();
    }
}
