package io.github.clip4j.cli;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
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

    /** The non-blank lines of a UTF-8 file, a leading byte order mark skipped, each turned into a text. */
    private abstract static class Lines extends TextSource {
        private final Path file;
        private final BufferedReader reader;
        private long lineNumber;

        Lines(Path file) {
            this.file = file;
            try {
                this.reader = Files.newBufferedReader(file, StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw failure(e);
            }
        }

        abstract String text(String line);

        long lineNumber() {
            return lineNumber;
        }

        @Override
        final String next() {
            try {
                for (String line; (line = reader.readLine()) != null; ) {
                    lineNumber++;
                    if (lineNumber == 1 && line.startsWith("\uFEFF")) {
                        line = line.substring(1); // a byte order mark some editors write
                    }
                    if (!line.isBlank()) {
                        return text(line);
                    }
                }
                return null;
            } catch (IOException e) {
                throw failure(e);
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
                reader.close();
            } catch (IOException e) {
                // nothing was written: a failing close loses nothing
            }
        }
    }
}
