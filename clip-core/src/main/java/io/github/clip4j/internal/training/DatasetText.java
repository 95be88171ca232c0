package io.github.clip4j.internal.training;

import io.github.clip4j.internal.FileKinds;
import io.github.clip4j.training.TrainingException;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Locale;

/**
 * The characters of a dataset file (CSV or JSON Lines), read as untrusted input: only a regular file (not a FIFO
 * or a device), at most {@link Limits#maxBytes()} bytes, strict UTF-8, no NUL character, no line longer than
 * {@link Limits#maxLineChars()}. Each refusal is a {@link TrainingException} naming the file and the line; the
 * work and memory of reading are bounded by the limits, whatever the file holds.
 *
 * <pre>{@code
 * try (DatasetText text = DatasetText.open(file, DatasetText.Limits.DEFAULT)) {
 *     for (String line; (line = text.readLine()) != null; ) { ... text.line() ... }
 * }
 * }</pre>
 */
public final class DatasetText implements Closeable {
    /**
     * How much of a dataset is read.
     *
     * @param maxBytes the largest file, in bytes
     * @param maxLineChars the longest line (and CSV record), in characters
     * @param maxRows the most rows (records or non-blank lines) a file may hold
     */
    public record Limits(long maxBytes, int maxLineChars, int maxRows) {
        /**
         * 256 MiB, lines of 1 MiB characters, a million rows: far beyond what fine-tuning on one machine uses
         * (CLIP reads 77 tokens of a caption), small enough that a dataset at every limit fits in a 1 GB heap.
         */
        public static final Limits DEFAULT = new Limits(256L << 20, 1 << 20, 1_000_000);
    }

    private final Path file;
    private final Limits limits;
    private final InputStream in;
    // Decoded here rather than by an InputStreamReader, which drops the characters before a bad byte sequence
    // and so cannot say on which line it is.
    private final CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
    private final ByteBuffer bytes = ByteBuffer.allocate(8192).flip();
    private final char[] buffer = new char[8192];
    private int position;
    private int end;
    private boolean endOfInput;
    private boolean badBytesNext;
    private boolean flushed;
    private long line = 1;
    private int lineLength;
    private boolean first = true;

    private DatasetText(Path file, Limits limits, InputStream in) {
        this.file = file;
        this.limits = limits;
        this.in = in;
    }

    /**
     * Opens {@code file} for reading.
     *
     * @throws TrainingException if it does not exist, is not a regular file, is larger than the limit or cannot be
     *     opened
     */
    public static DatasetText open(Path file, Limits limits) {
        String notRegular = FileKinds.notRegular(file);
        if (notRegular != null) {
            throw new TrainingException("dataset " + file + " " + notRegular);
        }
        try {
            if (Files.size(file) > limits.maxBytes()) {
                throw tooLarge(file, limits);
            }
            // The size is checked again while reading: a file may grow after this check.
            return new DatasetText(file, limits, FileKinds.bounded(Files.newInputStream(file), limits.maxBytes()));
        } catch (NoSuchFileException e) {
            throw new TrainingException("dataset " + file + " not found; check the path", e);
        } catch (IOException e) {
            throw new TrainingException("cannot read dataset " + file + ": " + e.getMessage(), e);
        }
    }

    private static TrainingException tooLarge(Path file, Limits limits) {
        long max = limits.maxBytes();
        return new TrainingException(String.format(Locale.ROOT, "dataset %s is larger than %s; split it into"
                + " smaller files", file, max >= 1 << 20 ? (max >> 20) + " MB" : max + " bytes"));
    }

    /** {@return the limits this file is read with} */
    public Limits limits() {
        return limits;
    }

    /** {@return the 1-based line the next character is on} */
    public long line() {
        return line;
    }

    /**
     * The next character, or -1 at the end of the file. A leading byte-order mark is skipped.
     *
     * @throws TrainingException naming the line if the file is not UTF-8 text, holds a NUL character, has a line
     *     longer than the limit, grows past the size limit, or cannot be read
     */
    public int read() {
        if (position == end && !fill()) {
            return -1;
        }
        char c = buffer[position++];
        if (first) {
            first = false;
            if (c == '\uFEFF') {
                return read();
            }
        }
        if (c == '\n') {
            line++;
            lineLength = 0;
        } else if (c == '\0') {
            throw error(line, "holds a NUL character: it is binary data, not a UTF-8 text file");
        } else if (++lineLength > limits.maxLineChars()) {
            throw error(line, String.format(Locale.ROOT, "is longer than %,d characters; a dataset has one short"
                    + " row per line", limits.maxLineChars()));
        }
        return c;
    }

    /**
     * The next line without its line break ({@code \n} or {@code \r\n}), or null at the end of the file.
     *
     * @throws TrainingException as {@link #read()}
     */
    public String readLine() {
        StringBuilder text = new StringBuilder();
        int c = read();
        if (c < 0) {
            return null;
        }
        while (c >= 0 && c != '\n') {
            text.append((char) c);
            c = read();
        }
        int n = text.length();
        if (n > 0 && text.charAt(n - 1) == '\r') {
            text.setLength(n - 1);
        }
        return text.toString();
    }

    /**
     * An error about {@code row} of this file.
     *
     * @param row the 1-based line
     * @param what what is wrong, a phrase following "line N"
     * @return an exception naming the file and the line
     */
    public TrainingException error(long row, String what) {
        return new TrainingException("dataset " + file + ", line " + row + " " + what);
    }

    /**
     * Counts a row against {@link Limits#maxRows()}.
     *
     * @param rows the rows read so far, this one included
     * @throws TrainingException if there are more than the limit
     */
    public void checkRows(long rows) {
        if (rows > limits.maxRows()) {
            throw new TrainingException(String.format(Locale.ROOT, "dataset %s has more than %,d rows; split it"
                    + " into smaller files", file, limits.maxRows()));
        }
    }

    /** Decodes the next characters into {@code buffer}; false at the end of the file. */
    private boolean fill() {
        if (badBytesNext) {
            throw notUtf8();
        }
        if (flushed) {
            return false;
        }
        CharBuffer chars = CharBuffer.wrap(buffer);
        try {
            while (true) {
                CoderResult result = decoder.decode(bytes, chars, endOfInput);
                if (result.isError()) {
                    if (chars.position() == 0) {
                        throw notUtf8();
                    }
                    badBytesNext = true; // hand out the characters before them first: then the line is exact
                    break;
                }
                if (result.isOverflow() || chars.position() > 0) {
                    break;
                }
                if (endOfInput) {
                    decoder.flush(chars);
                    flushed = true;
                    break;
                }
                bytes.compact();
                int n = in.read(bytes.array(), bytes.position(), bytes.remaining());
                if (n < 0) {
                    endOfInput = true;
                } else {
                    bytes.position(bytes.position() + n);
                }
                bytes.flip();
            }
        } catch (FileKinds.TooLargeException e) {
            throw tooLarge(file, limits);
        } catch (IOException e) {
            throw new TrainingException("cannot read dataset " + file + ": " + e.getMessage(), e);
        }
        position = 0;
        end = chars.position();
        return end > 0;
    }

    private TrainingException notUtf8() {
        return error(line, "is not UTF-8 text (it holds a byte sequence UTF-8 does not allow); save the file as"
                + " UTF-8");
    }

    @Override
    public void close() {
        try {
            in.close();
        } catch (IOException e) {
            // read-only: nothing was lost
        }
    }
}
