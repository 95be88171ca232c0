package io.github.clip4j.internal;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What kind of file an input is and how much of it is read: the one owner of the rules every reader of an untrusted
 * file follows (only regular files; never more than a limit; error messages that never echo a file's content, as
 * one quoting the first bytes of {@code /proc/self/environ} would print part of the environment).
 *
 * <pre>{@code
 * String problem = FileKinds.notRegular(path);        // null for a regular file
 * String kind = FileKinds.describe(head, n);           // "a gzip file", "text", "binary data"...
 * try (InputStream in = FileKinds.bounded(Files.newInputStream(path), limit)) {
 *     ...                                              // reading past the limit throws TooLargeException
 * }
 * }</pre>
 */
public final class FileKinds {
    private FileKinds() {}

    /**
     * Why {@code path} cannot be read as an input file, or {@code null} if it is a regular file or does not exist
     * (callers report a missing file their own way). Devices ({@code /dev/zero} never ends), FIFOs (block until a
     * writer comes) and sockets are refused; symbolic links are followed.
     *
     * @param path the input; not null
     * @return a phrase such as {@code "is a directory"}, or null
     */
    public static String notRegular(Path path) {
        if (Files.isRegularFile(path) || !Files.exists(path)) {
            return null;
        }
        if (Files.isDirectory(path)) {
            return "is a directory, not a file";
        }
        return "is not a regular file (a device, FIFO or socket), which clip4j does not read as input";
    }

    /** Thrown by a {@link #bounded} stream when its input holds more than the limit. */
    public static final class TooLargeException extends IOException {
        private static final long serialVersionUID = 1L;
        private final long limit;

        TooLargeException(long limit) {
            super("the input is longer than " + limit + " bytes");
            this.limit = limit;
        }

        /** {@return the limit that was passed, in bytes} */
        public long limit() {
            return limit;
        }
    }

    /**
     * {@code in}, cut at {@code maxBytes}: reading more fails with {@link TooLargeException}. A file's size is
     * checked before opening it, but a file can grow while it is read, and a stream has no size; this bounds both.
     *
     * @param in the stream; closed with the returned one
     * @param maxBytes the most bytes that may be read, at least 0
     * @return a stream of the same bytes that throws {@link TooLargeException} on byte {@code maxBytes + 1}
     */
    public static InputStream bounded(InputStream in, long maxBytes) {
        return new FilterInputStream(in) {
            private long left = maxBytes;

            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (len == 0) {
                    return 0;
                }
                // Ask for one byte past the limit: its arrival, not the end of the input, is the error.
                int n = super.read(b, off, (int) Math.min(len, left + 1));
                if (n > 0) {
                    left -= n;
                    if (left < 0) {
                        throw new TooLargeException(maxBytes);
                    }
                }
                return n;
            }

            @Override
            public long skip(long n) throws IOException {
                long skipped = super.skip(Math.min(n, left + 1));
                left -= skipped;
                if (left < 0) {
                    throw new TooLargeException(maxBytes);
                }
                return skipped;
            }

            @Override
            public boolean markSupported() {
                return false;
            }
        };
    }

    /**
     * The kind of content that starts with {@code head[0..n)}, named without quoting any byte of it.
     *
     * @param head the file's first bytes; not null
     * @param n how many of them are valid
     * @return e.g. {@code "an empty file"}, {@code "a gzip file"}, {@code "text"}, {@code "binary data"}
     */
    public static String describe(byte[] head, int n) {
        if (n <= 0) {
            return "an empty file";
        }
        if (startsWith(head, n, 0x1f, 0x8b)) {
            return "a gzip file";
        }
        if (startsWith(head, n, 'P', 'K')) {
            return "a zip archive";
        }
        if (startsWith(head, n, '%', 'P', 'D', 'F')) {
            return "a PDF document";
        }
        if (startsWith(head, n, 0x7f, 'E', 'L', 'F')) {
            return "an ELF executable";
        }
        if (startsWith(head, n, 0x89, 'P', 'N', 'G')) {
            return "a PNG image";
        }
        if (startsWith(head, n, 0xff, 0xd8, 0xff)) {
            return "a JPEG image";
        }
        if (startsWith(head, n, 'G', 'I', 'F', '8')) {
            return "a GIF image";
        }
        if (startsWith(head, n, 0x80) && n > 1 && head[1] >= 2 && head[1] <= 5) {
            return "a Python pickle";
        }
        String text = new String(head, 0, n, StandardCharsets.ISO_8859_1).stripLeading();
        if (text.startsWith("<")) {
            return "an HTML or XML document";
        }
        if (text.startsWith("{") || text.startsWith("[")) {
            return "a JSON document";
        }
        for (int i = 0; i < n; i++) {
            int b = head[i] & 0xff;
            if (b < 0x09 || b > 0x0d && b < 0x20 || b == 0x7f) {
                return "binary data";
            }
        }
        return "text";
    }

    private static boolean startsWith(byte[] head, int n, int... prefix) {
        if (n < prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if ((head[i] & 0xff) != prefix[i]) {
                return false;
            }
        }
        return true;
    }

}
