package io.github.clip4j.cli;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
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
 *
 * <p>Numbers are finite: JSON has no NaN or infinity, and Jackson's default (the strings {@code "NaN"} and
 * {@code "Infinity"} inside number arrays) breaks readers. The commands check their model outputs and fail naming
 * the input; should a non-finite number still reach the output, it fails here with a {@link ModelOutputException}
 * and nothing is printed. (A figure that can be undefined, such as a zero-shot accuracy without repeated captions,
 * is written as {@code null} by its command.)
 */
public final class Json {
    private static final ObjectMapper MAPPER = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .registerModule(new SimpleModule("finite-numbers")
                    .addSerializer(Float.class, new StdSerializer<>(Float.class) {
                        @Override
                        public void serialize(Float value, JsonGenerator gen, SerializerProvider provider)
                                throws IOException {
                            gen.writeNumber(finite(value));
                        }
                    })
                    .addSerializer(Double.class, new StdSerializer<>(Double.class) {
                        @Override
                        public void serialize(Double value, JsonGenerator gen, SerializerProvider provider)
                                throws IOException {
                            gen.writeNumber(finite(value));
                        }
                    })
                    .addSerializer(float[].class, new StdSerializer<>(float[].class) {
                        @Override
                        public void serialize(float[] values, JsonGenerator gen, SerializerProvider provider)
                                throws IOException {
                            gen.writeStartArray(values, values.length);
                            for (float v : values) {
                                gen.writeNumber(finite(v));
                            }
                            gen.writeEndArray();
                        }
                    }));

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
            if (e.getCause() instanceof ModelOutputException m) {
                throw m;
            }
            throw new UncheckedIOException(e);
        }
    }

    private static float finite(float v) {
        if (!Float.isFinite(v)) {
            throw new ModelOutputException("refusing to print " + v + " as a JSON number (the model gave a"
                    + " non-finite value; its weights are probably broken)");
        }
        return v;
    }

    private static double finite(double v) {
        if (!Double.isFinite(v)) {
            throw new ModelOutputException("refusing to print " + v + " as a JSON number (the model gave a"
                    + " non-finite value; its weights are probably broken)");
        }
        return v;
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
