package io.github.clip4j.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.clip4j.common.ClipException;
import io.github.clip4j.retrieval.SearchHit;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * JSON in and out for the commands (and the {@code clip serve} API): compact single-line output, JSON Lines input.
 * Not an API of clip4j: public only so that {@code io.github.clip4j.serve} writes what the commands write.
 */
public final class Json {
    private static final ObjectMapper MAPPER = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private Json() {}

    /** Writes {@code value} as one line of compact JSON, ended by {@code \n} on every platform. */
    static void println(PrintWriter out, Object value) {
        out.print(toJson(value));
        out.print('\n');
    }

    /**
     * {@code value} as compact JSON.
     *
     * @param value maps, lists, strings, numbers, booleans or null
     * @return one line of JSON
     */
    public static String toJson(Object value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * What {@code clip search} prints for {@code hits} (and {@code GET /api/search} answers): {@code [{"path": P,
     * "score": s}]}, in the hits' order.
     *
     * @param hits search results, best first
     * @return the JSON value: a list of {@code path}, {@code score} maps
     */
    public static List<Map<String, Object>> hits(List<SearchHit> hits) {
        List<Map<String, Object>> json = new ArrayList<>(hits.size());
        for (SearchHit hit : hits) {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("path", hit.path().toString());
            entry.put("score", hit.score());
            json.add(entry);
        }
        return json;
    }

    /**
     * The strings of a JSON Lines file (UTF-8), one JSON string per line; blank lines and a leading byte order
     * mark are skipped.
     *
     * @throws InputException naming the file and line if a line is not a JSON string
     */
    static List<String> readStringLines(Path file) {
        List<String> strings = new ArrayList<>();
        try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            int lineNumber = 0;
            for (String line; (line = reader.readLine()) != null; ) {
                lineNumber++;
                if (lineNumber == 1 && line.startsWith("\uFEFF")) {
                    line = line.substring(1); // a byte order mark some editors write
                }
                if (line.isBlank()) {
                    continue;
                }
                JsonNode node;
                try {
                    node = MAPPER.readTree(line);
                } catch (JsonProcessingException e) {
                    throw new InputException(file + " line " + lineNumber + " is not valid JSON: "
                            + e.getOriginalMessage());
                }
                if (!node.isTextual()) {
                    throw new InputException(file + " line " + lineNumber + " must be a JSON string, not "
                            + node.getNodeType().toString().toLowerCase(java.util.Locale.ROOT));
                }
                strings.add(node.textValue());
            }
        } catch (NoSuchFileException e) {
            throw new InputException("cannot read " + file + ": no such file");
        } catch (CharacterCodingException e) {
            throw new InputException(file + " is not UTF-8 text");
        } catch (IOException e) {
            throw new InputException("cannot read " + file + ": " + e.getMessage());
        }
        return strings;
    }

    /** Input a command cannot use: the message names the file (and line). Exit status 1. */
    static final class InputException extends ClipException {
        private static final long serialVersionUID = 1L;

        InputException(String message) {
            super(message);
        }
    }
}
