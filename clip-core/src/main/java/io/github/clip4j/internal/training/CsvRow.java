package io.github.clip4j.internal.training;

import io.github.clip4j.training.TrainingException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** One record of an RFC 4180 CSV file and the 1-based line it starts on. */
public record CsvRow(long line, List<String> fields) {
    public CsvRow {
        fields = List.copyOf(fields);
    }

    /**
     * Parses all records: comma-separated fields; a field in double quotes may hold commas, line breaks and
     * {@code ""} (a literal quote); records end at LF or CRLF; a leading byte-order mark is ignored.
     *
     * @throws TrainingException for an unterminated quoted field or text after a closing quote
     */
    public static List<CsvRow> parse(String text, Path source) {
        List<CsvRow> rows = new ArrayList<>();
        List<String> fields = new ArrayList<>();
        StringBuilder field = new StringBuilder();
        int i = text.startsWith("\uFEFF") ? 1 : 0;
        long line = 1;
        long recordLine = 1;
        int n = text.length();
        while (i < n) {
            char c = text.charAt(i);
            if (c == '"' && field.length() == 0) {
                long openedOn = line;
                i++;
                while (true) {
                    if (i >= n) {
                        throw new TrainingException("dataset " + source + ", line " + openedOn
                                + ": a quoted field is never closed; add the closing double quote");
                    }
                    char q = text.charAt(i++);
                    if (q == '"') {
                        if (i < n && text.charAt(i) == '"') {
                            field.append('"');
                            i++;
                            continue;
                        }
                        break;
                    }
                    if (q == '\n') {
                        line++;
                    }
                    field.append(q);
                }
                if (i < n && !isFieldEnd(text, i)) {
                    throw new TrainingException("dataset " + source + ", line " + line
                            + ": text after a closing quote; write a quote inside a quoted field as \"\"");
                }
                continue;
            }
            if (c == ',') {
                fields.add(field.toString());
                field.setLength(0);
                i++;
            } else if (c == '\n' || (c == '\r' && i + 1 < n && text.charAt(i + 1) == '\n')) {
                fields.add(field.toString());
                field.setLength(0);
                rows.add(new CsvRow(recordLine, fields));
                fields.clear();
                i += c == '\r' ? 2 : 1;
                line++;
                recordLine = line;
            } else {
                field.append(c);
                i++;
            }
        }
        if (field.length() > 0 || !fields.isEmpty() || (n > 0 && text.charAt(n - 1) == '"')) {
            fields.add(field.toString());
            rows.add(new CsvRow(recordLine, fields));
        }
        return rows;
    }

    private static boolean isFieldEnd(String text, int i) {
        char c = text.charAt(i);
        return c == ',' || c == '\n' || (c == '\r' && i + 1 < text.length() && text.charAt(i + 1) == '\n');
    }
}
