package io.github.clip4j.internal.text;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.clip4j.testsupport.Fixtures;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Every golden tokenizer case: {@code ftfy.fix_text} and the cleaned text the reference's BPE step saw. */
class TextCleanerFixtureTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static List<JsonNode> cases;

    @BeforeAll
    static void load() throws IOException {
        Path file = Fixtures.file("tokenizer/cases.jsonl");
        cases = new ArrayList<>();
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            if (!line.isBlank()) {
                cases.add(JSON.readTree(line));
            }
        }
        assertThat(cases).as("cases in %s", file).isNotEmpty();
    }

    @Test
    void fixTextMatchesFtfy() {
        assertEveryCase("ftfy", TextCleaner::fixText);
    }

    @Test
    void cleanMatchesReferenceCleaning() {
        assertEveryCase("cleaned", TextCleaner::clean);
    }

    private static void assertEveryCase(String field, UnaryOperator<String> function) {
        List<String> mismatches = new ArrayList<>();
        int passed = 0;
        for (int i = 0; i < cases.size(); i++) {
            String text = cases.get(i).get("text").asText();
            String expected = cases.get(i).get(field).asText();
            String actual = function.apply(text);
            if (expected.equals(actual)) {
                passed++;
            } else if (mismatches.size() < 10) {
                mismatches.add(String.format("case %d: text=%s%n    expected=%s%n    actual  =%s",
                        i, escape(text), escape(expected), escape(actual)));
            }
        }
        System.out.printf("cases.jsonl %s: %d/%d%n", field, passed, cases.size());
        assertThat(passed)
                .as("%s: %d/%d cases match; first mismatches:%n%s", field, passed, cases.size(),
                        String.join("\n", mismatches))
                .isEqualTo(cases.size());
    }

    /** Shows non-ASCII and control characters as escapes so that mismatches are readable. */
    private static String escape(String s) {
        StringBuilder out = new StringBuilder("\"");
        s.codePoints().limit(300).forEach(cp -> {
            if (cp >= 0x20 && cp < 0x7F) {
                out.appendCodePoint(cp);
            } else {
                out.append(String.format(cp > 0xFFFF ? "\\U%08x" : "\\u%04x", cp));
            }
        });
        return out.append('"').toString();
    }
}
