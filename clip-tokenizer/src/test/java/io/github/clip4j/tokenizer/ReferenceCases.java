package io.github.clip4j.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.clip4j.testsupport.Fixtures;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;

/** The golden tokenizer cases of {@code fixtures/tokenizer/cases.jsonl}, read once. */
final class ReferenceCases {
    /** One reference case: the input, what the reference's cleaning made of it, and its outputs. */
    record Case(int line, String text, String cleaned, int[] bpe, int[] context77, boolean tooLong, String decoded) {}

    private static List<Case> cases;
    private static ClipTokenizer tokenizer;

    private ReferenceCases() {}

    static synchronized List<Case> all() {
        if (cases == null) {
            ObjectMapper json = new ObjectMapper();
            List<Case> read = new ArrayList<>();
            try {
                List<String> lines = Files.readAllLines(Fixtures.file("tokenizer/cases.jsonl"), StandardCharsets.UTF_8);
                for (int i = 0; i < lines.size(); i++) {
                    if (lines.get(i).isBlank()) {
                        continue;
                    }
                    JsonNode node = json.readTree(lines.get(i));
                    read.add(new Case(i + 1, node.get("text").asText(), node.get("cleaned").asText(),
                            json.treeToValue(node.get("bpe"), int[].class),
                            json.treeToValue(node.get("context77"), int[].class),
                            node.get("too_long").asBoolean(), node.get("decoded").asText()));
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            cases = List.copyOf(read);
        }
        return cases;
    }

    /** A tokenizer over the vocabulary bundled in this module (no path given), loaded once per test JVM. */
    static synchronized ClipTokenizer tokenizer() {
        if (tokenizer == null) {
            Fixtures.bpeVocabulary(); // skips the test without ../shared, from which the build bundles the file
            tokenizer = ClipTokenizer.load();
        }
        return tokenizer;
    }
}
