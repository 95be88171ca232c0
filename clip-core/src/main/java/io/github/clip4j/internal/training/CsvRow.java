package io.github.clip4j.internal.training;

import io.github.clip4j.training.TrainingException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** One record of an RFC 4180 CSV file and the 1-based line it starts on. */
public record CsvRow(long line, List<String> fields) {
    public CsvRow {
        fields = List.copyOf(fields);
    }

    /**
     * Reads the records of a CSV file one by one: comma-separated fields; a field in double quotes may hold commas,
     * line breaks and {@code ""} (a literal quote); records end at LF or CRLF; a leading byte-order mark is ignored.
     * A record may not be longer than the file's line limit (a quoted field could otherwise hold the whole file).
     */
    public static final class Reader {
        private final DatasetText text;
        private long recordChars;
        private long recordLine;

        /**
         * Reads records from {@code text}.
         *
         * @param text the file's characters, positioned at a record's start
         */
        public Reader(DatasetText text) {
            this.text = text;
        }

        private int read() {
            int c = text.read();
            if (c >= 0 && ++recordChars > text.limits().maxLineChars()) {
                throw text.error(recordLine, String.format(Locale.ROOT, "starts a record longer than %,d characters"
                        + " (is a quoted field never closed?)", text.limits().maxLineChars()));
            }
            return c;
        }

        /**
         * The next record, or null at the end of the file.
         *
         * @throws TrainingException naming the line for an unterminated quoted field, text after a closing quote, a
         *     record over the limit, or any refusal of {@link DatasetText#read()}
         */
        public CsvRow next() {
            recordLine = text.line();
            recordChars = 0;
            List<String> fields = new ArrayList<>();
            StringBuilder field = new StringBuilder();
            int c = read();
            if (c < 0) {
                return null;
            }
            while (true) {
                if (c < 0 || c == '\n') { // the end of the file also ends the last record
                    fields.add(field.toString());
                    return new CsvRow(recordLine, fields);
                }
                if (c == '"' && field.length() == 0) {
                    c = quoted(field);
                    continue;
                }
                if (c == ',') {
                    fields.add(field.toString());
                    field.setLength(0);
                    c = read();
                } else if (c == '\r') {
                    int next = read();
                    if (next == '\n') {
                        c = next;
                    } else {
                        field.append('\r'); // a lone CR is text
                        c = next;
                    }
                } else {
                    field.append((char) c);
                    c = read();
                }
            }
        }

        /** Reads a quoted field's text after its opening quote; returns the character after the closing quote. */
        private int quoted(StringBuilder field) {
            long openedOn = text.line();
            while (true) {
                int q = read();
                if (q < 0) {
                    throw text.error(openedOn, "opens a quoted field that is never closed; add the closing double"
                            + " quote");
                }
                if (q != '"') {
                    field.append((char) q);
                    continue;
                }
                int after = read();
                if (after == '"') {
                    field.append('"');
                    continue;
                }
                if (after == '\r') {
                    int next = read();
                    if (next == '\n') {
                        return next;
                    }
                    after = next;
                }
                if (after < 0 || after == ',' || after == '\n') {
                    return after;
                }
                throw text.error(text.line(), "has text after a closing quote; write a quote inside a quoted field"
                        + " as \"\"");
            }
        }
    }
}
