package io.github.clip4j.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.clip4j.testsupport.Fixtures;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestReporter;

/**
 * Every golden case of {@code fixtures/cn_tokenizer/cases.jsonl}, every field exact, with the vocabulary bundled in
 * this module's jar (no path given: {@link BertWordPieceTokenizer#load()} must find it on its own).
 */
class BertWordPieceTokenizerReferenceTest {
    /** One reference case; see {@code fixtures/cn_README.md}. */
    record Case(int line, String text, List<String> basic, List<String> tokens, int[] ids, int[] context52,
            boolean tooLong) {}

    private static List<Case> cases;
    private static BertWordPieceTokenizer tokenizer;

    @BeforeAll
    static void readCases() throws IOException {
        ObjectMapper json = new ObjectMapper();
        List<String> lines = Files.readAllLines(Fixtures.file("cn_tokenizer/cases.jsonl"), StandardCharsets.UTF_8);
        List<Case> read = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).isBlank()) {
                continue;
            }
            JsonNode node = json.readTree(lines.get(i));
            read.add(new Case(i + 1, node.get("text").asText(),
                    Arrays.asList(json.treeToValue(node.get("basic"), String[].class)),
                    Arrays.asList(json.treeToValue(node.get("tokens"), String[].class)),
                    json.treeToValue(node.get("ids"), int[].class),
                    json.treeToValue(node.get("context52"), int[].class),
                    node.get("too_long").asBoolean()));
        }
        cases = List.copyOf(read);
        tokenizer = BertWordPieceTokenizer.load();
    }

    @Test
    void everyFieldOfEveryCaseMatches(TestReporter reporter) {
        List<String> failures = new ArrayList<>();
        int[] passed = new int[5];
        for (Case c : cases) {
            check(c, "basic", tokenizer.basicTokens(c.text()), c.basic(), failures, passed, 0);
            check(c, "tokens", tokenizer.wordPieces(c.text()), c.tokens(), failures, passed, 1);
            int[] ids = tokenizer.encode(c.text());
            check(c, "ids", Arrays.toString(ids), Arrays.toString(c.ids()), failures, passed, 2);
            int[] row = tokenizer.tokenize(c.text());
            check(c, "context52", Arrays.toString(row), Arrays.toString(c.context52()), failures, passed, 3);
            check(c, "too_long", ids.length > BertWordPieceTokenizer.DEFAULT_CONTEXT_LENGTH - 2, c.tooLong(),
                    failures, passed, 4);
        }
        String summary = String.format("basic %d/%d, tokens %d/%d, ids %d/%d, context52 %d/%d, too_long %d/%d",
                passed[0], cases.size(), passed[1], cases.size(), passed[2], cases.size(), passed[3], cases.size(),
                passed[4], cases.size());
        reporter.publishEntry("summary", summary);
        assertThat(failures).as(summary).isEmpty();
        assertThat(cases).hasSize(1482);
    }

    @Test
    void aBatchGivesTheSameRowsAsOneTextAtATime() {
        List<String> texts = cases.stream().map(Case::text).toList();
        int[][] rows = tokenizer.tokenize(texts, 52, false);
        for (int i = 0; i < rows.length; i++) {
            assertThat(rows[i]).as("line %d", cases.get(i).line()).isEqualTo(cases.get(i).context52());
        }
    }

    private static void check(Case c, String field, Object actual, Object expected, List<String> failures,
            int[] passed, int index) {
        if (actual.equals(expected)) {
            passed[index]++;
        } else if (failures.size() < 50) {
            failures.add("line " + c.line() + " " + field + ": text=" + escape(c.text()) + "\n  actual   "
                    + escape(String.valueOf(actual)) + "\n  expected " + escape(String.valueOf(expected)));
        }
    }

    private static String escape(String s) {
        StringBuilder out = new StringBuilder("\"");
        s.codePoints().limit(200).forEach(cp -> {
            if (cp < 0x20 || cp >= 0x7F && cp < 0xA0 || Character.getType(cp) == Character.FORMAT
                    || Character.getType(cp) == Character.NON_SPACING_MARK || cp >= 0xD800 && cp < 0xE000) {
                out.append(String.format("\\u%04x", cp));
            } else {
                out.appendCodePoint(cp);
            }
        });
        return out.append('"').toString();
    }
}
