package io.github.clip4j.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.clip4j.tokenizer.ReferenceCases.Case;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestReporter;

/**
 * Every golden case of {@code cases.jsonl}, twice: once from the reference's cleaned string (pre-tokenizing, BPE,
 * batching and decoding: this module's own work) and once from the raw text (the whole pipeline, text cleaning
 * included).
 */
class ClipTokenizerReferenceTest {

    @Test
    void fromCleanedTextEveryFieldMatches(TestReporter reporter) {
        ClipTokenizer tokenizer = ReferenceCases.tokenizer();
        List<String> failures = new ArrayList<>();
        int bpe = 0;
        int context = 0;
        int decoded = 0;
        List<Case> cases = ReferenceCases.all();
        for (Case c : cases) {
            int[] ids = tokenizer.encodeCleaned(c.cleaned());
            if (Arrays.equals(ids, c.bpe())) {
                bpe++;
            } else {
                failures.add(describe(c, "bpe", Arrays.toString(ids), Arrays.toString(c.bpe())));
            }
            int[] row = tokenizer.tokenizeCleaned(c.cleaned(), 77, true);
            if (Arrays.equals(row, c.context77()) && (ids.length + 2 > 77) == c.tooLong()) {
                context++;
            } else {
                failures.add(describe(c, "context77/too_long", Arrays.toString(row), Arrays.toString(c.context77())));
            }
            String text = tokenizer.decode(c.bpe());
            if (text.equals(c.decoded())) {
                decoded++;
            } else {
                failures.add(describe(c, "decoded", text, c.decoded()));
            }
        }
        String summary = "from cleaned text: bpe " + bpe + "/" + cases.size() + ", context77+too_long " + context
                + "/" + cases.size() + ", decoded " + decoded + "/" + cases.size();
        reporter.publishEntry("summary", summary);
        assertThat(failures).as(summary).isEmpty();
        assertThat(cases).hasSizeGreaterThan(1000);
    }

    @Test
    void fromRawTextEveryFieldMatches(TestReporter reporter) {
        ClipTokenizer tokenizer = ReferenceCases.tokenizer();
        List<String> failures = new ArrayList<>();
        int bpe = 0;
        int context = 0;
        int tooLong = 0;
        int decoded = 0;
        List<Case> cases = ReferenceCases.all();
        for (Case c : cases) {
            int[] ids = tokenizer.encode(c.text());
            if (Arrays.equals(ids, c.bpe())) {
                bpe++;
            } else {
                failures.add(describe(c, "bpe", Arrays.toString(ids), Arrays.toString(c.bpe())));
            }
            String text = tokenizer.decode(ids);
            if (text.equals(c.decoded())) {
                decoded++;
            } else {
                failures.add(describe(c, "decoded", text, c.decoded()));
            }
            int[] row = tokenizer.tokenize(List.of(c.text()), 77, true)[0];
            if (Arrays.equals(row, c.context77())) {
                context++;
            } else {
                failures.add(describe(c, "context77", Arrays.toString(row), Arrays.toString(c.context77())));
            }
            boolean refused;
            try {
                tokenizer.tokenize(c.text());
                refused = false;
            } catch (TextTooLongException e) {
                refused = true;
            }
            if (refused == c.tooLong()) {
                tooLong++;
            } else {
                failures.add(describe(c, "too_long", String.valueOf(refused), String.valueOf(c.tooLong())));
            }
        }
        String summary = "from raw text: bpe " + bpe + "/" + cases.size() + ", context77 " + context + "/"
                + cases.size() + ", too_long " + tooLong + "/" + cases.size() + ", decoded " + decoded + "/"
                + cases.size();
        reporter.publishEntry("summary", summary);
        assertThat(failures).as(summary).isEmpty();
    }

    private static String describe(Case c, String field, String actual, String expected) {
        return "line " + c.line() + " " + field + ": text=" + quote(c.text()) + " cleaned=" + quote(c.cleaned())
                + "\n  actual   " + actual + "\n  expected " + expected;
    }

    private static String quote(String s) {
        StringBuilder out = new StringBuilder("\"");
        s.codePoints().limit(120).forEach(cp -> {
            if (cp < 0x20 || cp == 0x7F || Character.isSurrogate((char) cp) && cp < 0x10000) {
                out.append(String.format("\\u%04x", cp));
            } else {
                out.appendCodePoint(cp);
            }
        });
        return out.append('"').toString();
    }
}
