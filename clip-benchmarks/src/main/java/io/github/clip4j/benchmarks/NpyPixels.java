package io.github.clip4j.benchmarks;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A batch of preprocessed pixels read from a NumPy {@code .npy} file: little-endian float32 ({@code <f4}), C order,
 * shape {@code [N, 3, R, R]}. The file is untrusted: the header is read with a bound (64 KiB), its dictionary must
 * name exactly that dtype, order and a four-dimensional shape with 3 channels and a square side, the batch and side
 * are bounded, and the file's size must be the header plus exactly {@code N * 3 * R * R * 4} bytes. Anything else is
 * one {@link IllegalArgumentException} naming the file and what is wrong.
 *
 * <p>The pixels land in a direct, native-order buffer, which both engines read without another copy.
 *
 * @param n          images in the batch
 * @param resolution the side {@code R}
 * @param pixels     {@code n * 3 * R * R} floats, direct and in native order
 */
record NpyPixels(int n, int resolution, FloatBuffer pixels) {
    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final int MAX_HEADER = 64 * 1024;
    private static final int MAX_BATCH = 4096;
    private static final int MAX_RESOLUTION = 1024;
    private static final long MAX_BYTES = 1L << 31; // a direct buffer of at most 2 GiB
    private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([^']*)'");
    private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
    private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");

    /** Reads {@code file}; see the class comment for what is accepted. */
    static NpyPixels read(Path file) throws IOException {
        try (FileChannel in = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = in.size();
            ByteBuffer prefix = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN);
            readFully(in, prefix, file);
            byte[] magic = Arrays.copyOf(prefix.array(), 6);
            if (!Arrays.equals(magic, MAGIC)) {
                throw bad(file, "not a NumPy .npy file (no \\x93NUMPY magic)");
            }
            int major = prefix.get(6);
            long headerLength;
            int headerStart;
            if (major == 1) {
                headerLength = Short.toUnsignedInt(prefix.getShort(8));
                headerStart = 10;
            } else if (major == 2 || major == 3) {
                headerLength = Integer.toUnsignedLong(prefix.getInt(8));
                headerStart = 12;
            } else {
                throw bad(file, "unsupported .npy format version " + major);
            }
            if (headerLength > MAX_HEADER || headerStart + headerLength > size) {
                throw bad(file, "header of " + headerLength + " bytes is longer than " + MAX_HEADER
                        + " bytes or than the file");
            }
            ByteBuffer headerBytes = ByteBuffer.allocate((int) headerLength);
            in.position(headerStart);
            readFully(in, headerBytes, file);
            String header = new String(headerBytes.array(), major == 3 ? StandardCharsets.UTF_8
                    : StandardCharsets.ISO_8859_1);
            String descr = group(DESCR, header, file, "descr");
            if (!descr.equals("<f4")) {
                throw bad(file, "dtype " + descr + "; expected little-endian float32 '<f4' (np.float32)");
            }
            if (!group(FORTRAN, header, file, "fortran_order").equals("False")) {
                throw bad(file, "Fortran order; save a C-contiguous array (np.ascontiguousarray)");
            }
            long[] shape = Arrays.stream(group(SHAPE, header, file, "shape").split(","))
                    .map(String::trim).filter(s -> !s.isEmpty()).mapToLong(s -> parseDim(s, file)).toArray();
            if (shape.length != 4 || shape[1] != 3 || shape[2] != shape[3]) {
                throw bad(file, "shape " + Arrays.toString(shape) + "; expected [N, 3, R, R]");
            }
            if (shape[0] < 1 || shape[0] > MAX_BATCH || shape[2] < 1 || shape[2] > MAX_RESOLUTION) {
                throw bad(file, "shape " + Arrays.toString(shape) + " out of bounds (1 <= N <= " + MAX_BATCH
                        + ", 1 <= R <= " + MAX_RESOLUTION + ")");
            }
            long bytes = shape[0] * 3 * shape[2] * shape[3] * Float.BYTES;
            if (bytes > MAX_BYTES) {
                throw bad(file, bytes + " bytes of pixels; at most " + MAX_BYTES);
            }
            long dataStart = headerStart + headerLength;
            if (size != dataStart + bytes) {
                throw bad(file, "holds " + (size - dataStart) + " bytes of data, the shape "
                        + Arrays.toString(shape) + " needs " + bytes);
            }
            ByteBuffer data = ByteBuffer.allocateDirect((int) bytes).order(ByteOrder.LITTLE_ENDIAN);
            in.position(dataStart);
            readFully(in, data, file);
            data.flip();
            FloatBuffer pixels;
            if (ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN) {
                pixels = data.order(ByteOrder.nativeOrder()).asFloatBuffer();
            } else { // swap into a native-order buffer: libtorch and ONNX Runtime read native floats
                ByteBuffer swapped = ByteBuffer.allocateDirect((int) bytes).order(ByteOrder.nativeOrder());
                swapped.asFloatBuffer().put(data.asFloatBuffer());
                pixels = swapped.asFloatBuffer();
            }
            for (int i = 0; i < pixels.limit(); i++) {
                if (!Float.isFinite(pixels.get(i))) {
                    throw bad(file, "pixel " + i + " is " + pixels.get(i) + "; preprocessed pixels are finite");
                }
            }
            return new NpyPixels((int) shape[0], (int) shape[2], pixels);
        }
    }

    /** Writes {@code rows} as a {@code <f4} {@code [rows, cols]} .npy file (features, for comparing engines). */
    static void writeMatrix(float[][] rows, Path file) throws IOException {
        int cols = rows.length == 0 ? 0 : rows[0].length;
        StringBuilder header = new StringBuilder("{'descr': '<f4', 'fortran_order': False, 'shape': (")
                .append(rows.length).append(", ").append(cols).append("), }");
        while ((10 + header.length() + 1) % 64 != 0) {
            header.append(' ');
        }
        header.append('\n');
        byte[] h = header.toString().getBytes(StandardCharsets.ISO_8859_1);
        ByteBuffer out = ByteBuffer.allocate(10 + h.length + rows.length * cols * 4).order(ByteOrder.LITTLE_ENDIAN);
        out.put(MAGIC).put((byte) 1).put((byte) 0).putShort((short) h.length).put(h);
        for (float[] row : rows) {
            for (float v : row) {
                out.putFloat(v);
            }
        }
        Files.write(file, out.array());
    }

    private static long parseDim(String s, Path file) {
        try {
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            throw bad(file, "shape entry '" + s + "' is not an integer");
        }
    }

    private static String group(Pattern pattern, String header, Path file, String key) {
        Matcher m = pattern.matcher(header);
        if (!m.find()) {
            throw bad(file, "header has no '" + key + "' entry");
        }
        return m.group(1);
    }

    private static void readFully(FileChannel in, ByteBuffer buffer, Path file) throws IOException {
        while (buffer.hasRemaining()) {
            if (in.read(buffer) < 0) {
                throw bad(file, "ends early");
            }
        }
    }

    private static IllegalArgumentException bad(Path file, String what) {
        return new IllegalArgumentException(file + ": " + what);
    }
}
