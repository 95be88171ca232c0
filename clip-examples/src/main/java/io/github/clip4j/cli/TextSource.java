package io.github.clip4j.cli;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import io.github.clip4j.internal.FileKinds;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;

/**
 * Texts read one at a time, so that a command's memory does not grow with its input: the texts of the command
 * line, then those of a file (JSON Lines, or plain lines). Not thread-safe; close it to release the file.
 *
 * <p>JSON Lines are read with Jackson's streaming parser (one short-lived {@link JsonParser} per line, no object
 * trees); only jackson-core is touched, so {@code clip tokenize} does not pay for jackson-databind's start-up.
 */
abstract class TextSource implements AutoCloseable {
    /** Shared and thread-safe once configured; jackson-core only. */
    static final JsonFactory JSON = JsonFactory.builder().build();

    /** {@return the next text, or null after the last one} */
    abstract String next();

    /** Up to {@code max} next texts, in order; empty at the end. */
    final List<String> next(int max) {
        List<String> batch = new ArrayList<>(Math.min(max, 1024));
        for (String text; batch.size() < max && (text = next()) != null; ) {
            batch.add(text);
        }
        return batch;
    }

    @Override
    public void close() {}

    /** The texts of {@code list}, then those of {@code then}. */
    static TextSource of(List<String> list, TextSource then) {
        Iterator<String> iterator = list.iterator();
        return new TextSource() {
            @Override
            String next() {
                return iterator.hasNext() ? iterator.next() : then.next();
            }

            @Override
            public void close() {
                then.close();
            }
        };
    }

    /** No texts. */
    static TextSource empty() {
        return new TextSource() {
            @Override
            String next() {
                return null;
            }
        };
    }

    /**
     * The texts of {@code file} as {@code --text-file} reads it: JSON Lines if its name ends in {@code .jsonl},
     * else one text per line, as is; blank lines and a leading byte order mark are skipped in both.
     */
    static TextSource textFile(Path file) {
        if (file.getFileName() != null
                && file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".jsonl")) {
            return jsonLines(file);
        }
        return new Lines(file) {
            @Override
            String text(String line) {
                return line;
            }
        };
    }

    /**
     * The strings of a JSON Lines file (UTF-8), one JSON string per line; blank lines and a leading byte order mark
     * are skipped, as {@link Json#readStringLines} does.
     *
     * @throws Json.InputException (from {@link #next()} too) naming the file and line if a line is not a JSON
     *     string, or if the file cannot be read
     */
    static TextSource jsonLines(Path file) {
        return new Lines(file) {
            @Override
            String text(String line) {
                return parseJsonString(line, file, lineNumber());
            }

            @Override
            String asciiText(byte[] bytes, int from, int to) {
                return quotedAscii(bytes, from, to);
            }
        };
    }

    /**
     * Reads {@code file} as JSON Lines to the end without keeping anything: the errors {@link #jsonLines} would
     * report, found before anything is printed.
     */
    static void check(Path file) {
        try (TextSource source = jsonLines(file)) {
            while (source.next() != null) {
                // only the errors matter
            }
        }
    }

    /**
     * The text of an ASCII line that is a quoted string without escapes or control characters (the fast path of
     * {@link #parseJsonString}, on bytes); null for any other line.
     */
    static String quotedAscii(byte[] bytes, int from, int to) {
        if (to - from < 2 || bytes[from] != '"' || bytes[to - 1] != '"') {
            return null;
        }
        for (int i = from + 1; i < to - 1; i++) {
            byte b = bytes[i];
            if (b == '"' || b == '\\' || b < 0x20) {
                return null;
            }
        }
        return new String(bytes, from + 1, to - from - 2, StandardCharsets.ISO_8859_1);
    }

    /** The one JSON string of {@code line}: the first token must be a string, and nothing may follow it. */
    static String parseJsonString(String line, Path file, long lineNumber) {
        // Most lines are a quoted string without escapes: then the text is what is between the quotes, exactly as
        // the parser would read it (JSON allows every other character from U+0020 up in a string). This spares a
        // parser per line, which matters while the JIT is still cold, i.e. for most of a command-line run.
        int n = line.length();
        if (n >= 2 && line.charAt(0) == '"' && line.charAt(n - 1) == '"') {
            int i = 1;
            for (char c; i < n - 1 && (c = line.charAt(i)) != '"' && c != '\\' && c >= 0x20; ) {
                i++;
            }
            if (i == n - 1) {
                return line.substring(1, n - 1);
            }
        }
        try (JsonParser parser = JSON.createParser(line)) {
            JsonToken token = parser.nextToken();
            if (token != JsonToken.VALUE_STRING) {
                throw new Json.InputException(file + " line " + lineNumber + " must be a JSON string, not "
                        + kind(token));
            }
            String text = parser.getText();
            JsonToken after = parser.nextToken();
            if (after != null) {
                throw new Json.InputException(file + " line " + lineNumber + " is not valid JSON: more than"
                        + " one value on the line");
            }
            return text;
        } catch (JsonProcessingException e) {
            throw new Json.InputException(file + " line " + lineNumber + " is not valid JSON: "
                    + e.getOriginalMessage());
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a String source cannot fail to read
        }
    }

    private static String kind(JsonToken token) {
        if (token == null) {
            return "nothing";
        }
        return switch (token) {
            case START_OBJECT -> "object";
            case START_ARRAY -> "array";
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "number";
            case VALUE_TRUE, VALUE_FALSE -> "boolean";
            case VALUE_NULL -> "null";
            default -> token.toString().toLowerCase(Locale.ROOT);
        };
    }

    /**
     * The non-blank lines of a UTF-8 file, a leading byte order mark skipped, each turned into a text; lines end as
     * {@link java.io.BufferedReader#readLine} ends them ({@code \n}, {@code \r} or {@code \r\n}), so line numbers in
     * errors are the ones an editor shows.
     *
     * <p>Read as bytes, a 64 KiB block at a time: a line of ASCII without {@code \r} (nearly every line of a JSON
     * Lines file, whose non-ASCII text is usually escaped) becomes its text without a character decoder, and for
     * JSON Lines without a parser when it is a quoted string without escapes ({@link #asciiText}); any other line
     * is decoded strictly (malformed UTF-8 is an error, as the reader's decoder reports it) and read as before.
     * A line may not exceed {@value #MAX_LINE} bytes, so one huge line cannot exhaust the memory.
     */
    private abstract static class Lines extends TextSource {
        /** The longest line read: 16 MiB, far beyond any text a CLIP model can take. */
        static final int MAX_LINE = 1 << 24;

        private final Path file;
        private final InputStream in;
        private final CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder(); // reports malformed input
        private final ArrayDeque<String> pending = new ArrayDeque<>(); // lines of a block that held a \r
        private byte[] buffer = new byte[1 << 16];
        private int start;
        private int end;
        private boolean eof;
        private boolean first = true;
        private long lineNumber;

        Lines(Path file) {
            this.file = file;
            // A FIFO without a writer blocks forever and /dev/zero never ends: only regular files are inputs
            // (standard input is how a pipe reaches clip, and it is not read through here).
            String problem = FileKinds.notRegular(file);
            if (problem != null) {
                throw new Json.InputException("cannot read " + file + ": it " + problem);
            }
            try {
                this.in = Files.newInputStream(file);
            } catch (IOException e) {
                throw failure(e);
            }
        }

        /** The text of a non-blank line. */
        abstract String text(String line);

        /**
         * The text of the ASCII line {@code bytes[from, to)} (no {@code \r}, not yet known to be non-blank) when it
         * can be had without a decoder or a parser; null for {@link #text} to decide.
         */
        String asciiText(byte[] bytes, int from, int to) {
            return null;
        }

        long lineNumber() {
            return lineNumber;
        }

        @Override
        final String next() {
            try {
                while (true) {
                    String line = pending.poll();
                    if (line != null) {
                        lineNumber++;
                        if (!line.isBlank()) {
                            return text(line);
                        }
                        continue;
                    }
                    int newline = nextNewline();
                    if (newline < 0) {
                        return null;
                    }
                    int from = start;
                    int to = Math.min(newline, end);
                    start = Math.min(newline + 1, end);
                    if (first) {
                        first = false;
                        if (to - from >= 3 && buffer[from] == (byte) 0xEF && buffer[from + 1] == (byte) 0xBB
                                && buffer[from + 2] == (byte) 0xBF) {
                            from += 3; // a byte order mark some editors write
                        }
                    }
                    if (plainAscii(from, to)) {
                        lineNumber++;
                        String text = asciiText(buffer, from, to);
                        if (text != null) {
                            return text;
                        }
                        line = new String(buffer, from, to - from, StandardCharsets.ISO_8859_1);
                        if (!line.isBlank()) {
                            return text(line);
                        }
                        continue;
                    }
                    splitLines(decoder.decode(ByteBuffer.wrap(buffer, from, to - from)).toString());
                }
            } catch (IOException e) {
                throw failure(e);
            }
        }

        /**
         * The index in {@link #buffer} of the {@code \n} that ends the line at {@link #start}, reading more of the
         * file as needed; {@link #end} when the file ends without one; -1 at the end of the file.
         */
        private int nextNewline() throws IOException {
            int scanned = start;
            while (true) {
                for (int i = scanned; i < end; i++) {
                    if (buffer[i] == '\n') {
                        return i;
                    }
                }
                if (eof) {
                    return start < end ? end : -1;
                }
                scanned = end - start;
                if (scanned >= MAX_LINE) {
                    throw new Json.InputException(file + " line " + (lineNumber + 1) + " is longer than "
                            + (MAX_LINE >> 20) + " MiB");
                }
                System.arraycopy(buffer, start, buffer, 0, scanned);
                end = scanned;
                start = 0;
                if (end == buffer.length) {
                    buffer = Arrays.copyOf(buffer, Math.min(MAX_LINE + 1, buffer.length * 2));
                }
                int read = in.read(buffer, end, buffer.length - end);
                if (read < 0) {
                    eof = true;
                } else {
                    end += read;
                }
            }
        }

        /** Whether {@code buffer[from, to)} is ASCII without {@code \r}: one line, its bytes its characters. */
        private boolean plainAscii(int from, int to) {
            for (int i = from; i < to; i++) {
                byte b = buffer[i];
                if (b < 0 || b == '\r') {
                    return false;
                }
            }
            return true;
        }

        /**
         * Queues the lines of {@code chars} (a block that ended at a {@code \n} or the end of the file) as
         * {@code readLine} splits them: at each {@code \r}, a final empty piece after a {@code \r} being no line.
         */
        private void splitLines(String chars) {
            int from = 0;
            for (int i = 0; i < chars.length(); i++) {
                if (chars.charAt(i) == '\r') {
                    pending.add(chars.substring(from, i));
                    from = i + 1;
                }
            }
            if (from < chars.length() || from == 0) {
                pending.add(chars.substring(from));
            }
        }

        private Json.InputException failure(IOException e) {
            if (e instanceof NoSuchFileException) {
                return new Json.InputException("cannot read " + file + ": no such file");
            }
            if (e instanceof CharacterCodingException) {
                return new Json.InputException(file + " is not UTF-8 text");
            }
            return new Json.InputException("cannot read " + file + ": " + e.getMessage());
        }

        @Override
        public void close() {
            try {
                in.close();
            } catch (IOException e) {
                // nothing was written: a failing close loses nothing
            }
        }
    }
}
