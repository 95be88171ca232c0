package io.github.clip4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.clip4j.testsupport.Fixtures;
import io.github.clip4j.tokenizer.ClipTokenizer;
import io.github.clip4j.tokenizer.VocabularyException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code clip tokenize} and the tool's error contract, run in-process. */
class TokenizeCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static ClipTokenizer tokenizer;

    @TempDir
    Path dir;

    /** Loaded on first use, so that tests which never reach the vocabulary run without the fixtures. */
    private static synchronized ClipTokenizer tokenizer() {
        if (tokenizer == null) {
            tokenizer = ClipTokenizer.load(Fixtures.bpeVocabulary());
        }
        return tokenizer;
    }

    /** Runs the tool with CLIP's vocabulary (the test is skipped without the fixtures). */
    private static CliRun clip(String... args) {
        ClipTokenizer loaded = tokenizer();
        return CliRun.run(() -> loaded, args);
    }

    /** Runs the tool where it must fail or finish before it needs a vocabulary. */
    private static CliRun clipWithoutVocabulary(String... args) {
        return CliRun.run(() -> {
            throw new AssertionError("the vocabulary should not be needed");
        }, args);
    }

    @Test
    void printsOneArrayPerTextAsTheLibraryTokenizesIt() throws IOException {
        CliRun run = clip("tokenize", "a photo of a cat", "Hello, World!");
        assertThat(run.status()).isZero();
        assertThat(run.err()).isEmpty();
        assertThat(run.outLines()).hasSize(2);
        assertThat(JSON.readValue(run.outLines().get(0), int[].class))
                .containsExactly(tokenizer().tokenize("a photo of a cat"));
        assertThat(JSON.readValue(run.outLines().get(1), int[].class))
                .containsExactly(tokenizer().tokenize("Hello, World!"));
    }

    @Test
    void contextLengthSetsTheRowLength() throws IOException {
        CliRun run = clip("tokenize", "--context-length", "8", "a cat");
        assertThat(run.status()).isZero();
        int[] row = JSON.readValue(run.out().strip(), int[].class);
        assertThat(row).hasSize(8).startsWith(ClipTokenizer.START_OF_TEXT).endsWith(0);
    }

    @Test
    void inputFileTextsFollowTheArguments() throws IOException {
        Path file = Files.writeString(dir.resolve("texts.jsonl"),
                "\uFEFF\"a dog\"\n\n\"caf\\u00e9 \u2615 \\\"quoted\\\"\"\n", StandardCharsets.UTF_8);
        CliRun run = clip("tokenize", "--input", file.toString(), "first");
        assertThat(run.status()).isZero();
        assertThat(run.outLines()).hasSize(3);
        List<String> expected = List.of("first", "a dog", "caf\u00e9 \u2615 \"quoted\"");
        for (int i = 0; i < 3; i++) {
            assertThat(JSON.readValue(run.outLines().get(i), int[].class)).as(expected.get(i))
                    .containsExactly(tokenizer().tokenize(expected.get(i)));
        }
    }

    @Test
    void aTooLongTextFailsWithItsIndexAndPrintsNothing() {
        CliRun run = clip("tokenize", "--context-length", "5", "a cat", "one two three four five six", "b");
        assertThat(run.status()).isEqualTo(1);
        assertThat(run.out()).isEmpty();
        assertThat(run.errLines()).hasSize(1);
        assertThat(run.errLines().get(0)).startsWith("clip: error: ").contains("text 1").contains("length 5");
    }

    @Test
    void truncateKeepsTheStartAndEndsWithTheEndToken() throws IOException {
        CliRun run = clip("tokenize", "--truncate", "--context-length", "5", "one two three four five six");
        assertThat(run.status()).isZero();
        int[] row = JSON.readValue(run.out().strip(), int[].class);
        assertThat(row).hasSize(5).startsWith(ClipTokenizer.START_OF_TEXT).endsWith(ClipTokenizer.END_OF_TEXT);
    }

    @Test
    void anAtSignIsText() throws IOException {
        CliRun run = clip("tokenize", "@home");
        assertThat(run.status()).isZero();
        assertThat(JSON.readValue(run.out().strip(), int[].class)).containsExactly(tokenizer().tokenize("@home"));
    }

    @Test
    void badUsageExitsWithTwoAndOneLine() {
        for (String[] args : List.of(
                new String[] {"tokenize", "--context-length", "0", "x"},
                new String[] {"tokenize", "--context-length", "many", "x"},
                new String[] {"tokenize", "--frobnicate", "x"},
                new String[] {"tokenize"},
                new String[] {"tokenise", "x"},
                new String[] {})) {
            CliRun run = clipWithoutVocabulary(args);
            assertThat(run.status()).as(String.join(" ", args)).isEqualTo(2);
            assertThat(run.out()).isEmpty();
            assertThat(run.errLines()).as(String.join(" ", args)).hasSize(1)
                    .allSatisfy(line -> assertThat(line).startsWith("clip: error: "));
        }
    }

    @Test
    void badInputFilesAreNamedWithTheirLine() throws IOException {
        Path missing = dir.resolve("missing.jsonl");
        Path notJson = Files.writeString(dir.resolve("bad.jsonl"), "\"ok\"\n{oops\n");
        Path notString = Files.writeString(dir.resolve("number.jsonl"), "\"ok\"\n\"fine\"\n42\n");
        assertOneLineError(clipWithoutVocabulary("tokenize", "--input", missing.toString()), missing.toString());
        assertOneLineError(clipWithoutVocabulary("tokenize", "--input", notJson.toString()), notJson + " line 2");
        assertOneLineError(clipWithoutVocabulary("tokenize", "--input", notString.toString()), notString + " line 3");
    }

    @Test
    void aMissingVocabularyIsOneLine() {
        Supplier<ClipTokenizer> unavailable = () -> {
            throw new VocabularyException("no usable BPE vocabulary:\nput it at /somewhere");
        };
        CliRun run = CliRun.run(unavailable, "tokenize", "x");
        assertThat(run.status()).isEqualTo(1);
        assertThat(run.errLines()).containsExactly("clip: error: no usable BPE vocabulary: put it at /somewhere");
    }

    @Test
    void verbosePrintsTheStackTraceAfterTheErrorLine() {
        CliRun run = clip("--verbose", "tokenize", "--context-length", "3", "one two three");
        assertThat(run.status()).isEqualTo(1);
        assertThat(run.errLines().get(0)).startsWith("clip: error: text 0");
        assertThat(run.err()).contains("TextTooLongException").contains("\tat ");
        CliRun after = clip("tokenize", "--verbose", "--context-length", "3", "one two three");
        assertThat(after.err()).contains("\tat ");
    }

    @Test
    void helpAndVersionSucceed() {
        CliRun help = clipWithoutVocabulary("--help");
        assertThat(help.status()).isZero();
        assertThat(help.out()).contains("tokenize");
        CliRun tokenizeHelp = clipWithoutVocabulary("tokenize", "--help");
        assertThat(tokenizeHelp.status()).isZero();
        assertThat(tokenizeHelp.out()).contains("--context-length", "--truncate", "--input");
        CliRun version = clipWithoutVocabulary("--version");
        assertThat(version.status()).isZero();
        assertThat(version.out()).startsWith("clip4j ");
    }

    private static void assertOneLineError(CliRun run, String mentioned) {
        assertThat(run.status()).isEqualTo(1);
        assertThat(run.out()).isEmpty();
        assertThat(run.errLines()).hasSize(1);
        assertThat(run.errLines().get(0)).startsWith("clip: error: ").contains(mentioned);
    }
}
