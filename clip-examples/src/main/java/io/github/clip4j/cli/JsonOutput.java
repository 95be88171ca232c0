package io.github.clip4j.cli;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonFactoryBuilder;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.StreamWriteFeature;
import io.github.clip4j.common.ClipException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.util.function.Supplier;

/**
 * One buffered Jackson {@link JsonGenerator} over a command's output, for output written as it is computed: rows
 * of ints (one JSON array per line) and objects whose arrays grow a batch at a time. The bytes are those
 * {@link Json#toJson} writes for the same values (compact, floats as {@link Float#toString} spells them), and like
 * it a NaN or infinite float is never written: it fails naming the input.
 *
 * <p>Only jackson-core is used, so the commands that stream do not pay for jackson-databind's start-up.
 */
final class JsonOutput implements AutoCloseable {
    private static final JsonFactory FACTORY = new JsonFactoryBuilder()
            .rootValueSeparator((String) null) // lines are ended explicitly
            .disable(StreamWriteFeature.AUTO_CLOSE_TARGET)
            .build();

    private final JsonGenerator generator;
    private final Writer out;
    /** Rows of ints formatted by hand (a third of Jackson's time for tokenize's output), not yet written. */
    private final char[] rows = new char[1 << 14];
    private int rowsLength;
    /** Whether the generator may hold output that {@link #rows} must follow. */
    private boolean generatorUsed;

    JsonOutput(Writer out) {
        this.out = out;
        try {
            generator = FACTORY.createGenerator(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The generator, for objects written field by field; its {@link IOException}s are the caller's. */
    JsonGenerator generator() throws IOException {
        drainRows();
        generatorUsed = true;
        return generator;
    }

    /**
     * One line: {@code row} as a JSON array, then {@code \n}; the bytes Jackson writes for it, formatted here
     * because tokenize writes millions of small numbers.
     */
    void intRow(int[] row) throws IOException {
        if (generatorUsed) {
            generator.flush(); // what the generator holds comes first
            generatorUsed = false;
        }
        if (rowsLength + 2 + row.length * 12 > rows.length) {
            drainRows();
            if (2 + row.length * 12 > rows.length) { // a row longer than the buffer: rare, Jackson writes it
                generator.writeArray(row, 0, row.length);
                generator.writeRaw('\n');
                generator.flush();
                return;
            }
        }
        char[] chars = rows;
        int n = rowsLength;
        chars[n++] = '[';
        for (int k = 0; k < row.length; k++) {
            if (k > 0) {
                chars[n++] = ',';
            }
            int value = row[k];
            if (value == 0) {
                chars[n++] = '0';
            } else if (value < 0) {
                String text = Integer.toString(value);
                text.getChars(0, text.length(), chars, n);
                n += text.length();
            } else {
                int first = n;
                for (; value > 0; value /= 10) {
                    chars[n++] = (char) ('0' + value % 10);
                }
                for (int i = first, j = n - 1; i < j; i++, j--) { // the digits were written backwards
                    char c = chars[i];
                    chars[i] = chars[j];
                    chars[j] = c;
                }
            }
        }
        chars[n++] = ']';
        chars[n++] = '\n';
        rowsLength = n;
    }

    private void drainRows() throws IOException {
        if (rowsLength > 0) {
            out.write(rows, 0, rowsLength);
            rowsLength = 0;
        }
    }

    /**
     * The field {@code name}: {@code values} as a JSON array of numbers, each as {@link Float#toString} spells it.
     *
     * @param input names what the values belong to in the error, e.g. "the embedding of image cat.jpg"
     * @throws NonFiniteException if a value is NaN or infinite; nothing of this array is written then
     */
    void floatArrayField(String name, float[] values, String input) throws IOException {
        floatArrayField(name, values, () -> input);
    }

    /**
     * {@link #floatArrayField(String, float[], String)} with the input's name built only for the error (a stream of
     * thousands of rows).
     */
    void floatArrayField(String name, float[] values, Supplier<String> input) throws IOException {
        checkFinite(values, input);
        JsonGenerator generator = generator();
        generator.writeFieldName(name);
        generator.writeStartArray(values, values.length);
        for (float value : values) {
            generator.writeNumber(value);
        }
        generator.writeEndArray();
    }

    /** Fails naming {@code input} if one of {@code values} is NaN or infinite: JSON has no such numbers. */
    static void checkFinite(float[] values, Supplier<String> input) {
        for (int i = 0; i < values.length; i++) {
            if (!Float.isFinite(values[i])) {
                throw new NonFiniteException(input.get() + " has a non-finite value (" + values[i] + " at index " + i
                        + "), which JSON cannot hold: the model or its input is broken");
            }
        }
    }

    /** Ends the current line of a single-object output. */
    void newline() throws IOException {
        generator().writeRaw('\n');
    }

    /** Hands everything buffered to the writer and flushes it: once per batch. */
    void flush() throws IOException {
        drainRows();
        generator.flush();
    }

    /** Flushes; the writer stays open. */
    @Override
    public void close() throws IOException {
        drainRows();
        generator.close();
    }

    /** A value JSON cannot hold (NaN, infinity): exit status 1, the message names the input. */
    static final class NonFiniteException extends ClipException {
        private static final long serialVersionUID = 1L;

        NonFiniteException(String message) {
            super(message);
        }
    }
}
