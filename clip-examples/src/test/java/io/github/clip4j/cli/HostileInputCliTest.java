package io.github.clip4j.cli;

import static io.github.clip4j.cli.CliFixtures.image;
import static io.github.clip4j.cli.CliFixtures.ok;
import static io.github.clip4j.cli.CliFixtures.tinyModel;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.clip4j.testsupport.Fixtures;
import io.github.clip4j.tokenizer.ClipTokenizer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The parts of issue 18's command-line items that need the tool's insides: an {@link Error} injected where a real
 * one would need a gigabyte (item 8), the same weights from another format searching an index (item 12), the JSON
 * writer refusing non-finite numbers (item 15). The hostile inputs themselves run against the packaged tool in
 * child JVMs of 512 MB: {@link HostileFilesIT}.
 */
@Timeout(120)
class HostileInputCliTest {
    @TempDir
    Path dir;

    /** The contract: status, empty stdout, one {@code clip: error:} line mentioning {@code mentioned}. */
    private static void fails(int status, CliRun run, String... mentioned) {
        assertThat(run.status()).as("exit status; stderr: %s", run.err()).isEqualTo(status);
        assertThat(run.out()).as("stdout").isEmpty();
        List<String> err = run.errLines();
        assertThat(err).as("stderr").hasSize(1);
        assertThat(err).as("stderr").noneMatch(l -> l.startsWith("\tat ") || l.contains("Exception"));
        assertThat(err.get(0)).startsWith("clip: error: ").contains(mentioned);
    }

    // --- 8: Errors at the top level -------------------------------------------------------------------------------

    @Test
    void anErrorThatEscapesIsOneLine() {
        Supplier<ClipTokenizer> oom = () -> {
            throw new OutOfMemoryError("Java heap space");
        };
        fails(1, CliRun.run(oom, "tokenize", "a cat"), "out of memory", "clip tokenize", "-Xmx");
        Supplier<ClipTokenizer> deep = () -> {
            throw new StackOverflowError();
        };
        fails(1, CliRun.run(deep, "tokenize", "a cat"), "stack overflow", "nested");
        Supplier<ClipTokenizer> other = () -> {
            throw new LinkageError("libfoo.so missing");
        };
        fails(1, CliRun.run(other, "tokenize", "a cat"), "LinkageError", "libfoo.so");
    }

    // --- 12: the weights' fingerprint, not the file name ------------------------------------------------------------

    @Test
    void theSameWeightsInAnotherFormatSearchTheIndex() throws Exception {
        Path photos = Files.createDirectories(dir.resolve("photos"));
        for (String name : List.of("chelsea.png", "coffee.png")) {
            Files.copy(image(name), photos.resolve(name));
        }
        Path index = dir.resolve("photos.clipindex");
        ok("index", "--model", tinyModel().toString(), "--dir", photos.toString(), "--index", index.toString());
        Path stateDict = Fixtures.file("models/vit-tiny.state_dict.pt");
        var viaJit = ok("search", "--index", index.toString(), "--model", tinyModel().toString(), "--text", "a cat");
        var viaStateDict = ok("search", "--index", index.toString(), "--model", stateDict.toString(), "--text",
                "a cat");
        assertThat(viaStateDict.get(0).get("path")).isEqualTo(viaJit.get(0).get("path"));
    }

    // --- 15: never a string in a number array ----------------------------------------------------------------------

    @Test
    void nonFiniteNumbersAreNeverWrittenAsJson() {
        assertThatThrownBy(() -> Json.toJson(Map.of("score", Float.NaN))).isInstanceOf(ModelOutputException.class);
        assertThatThrownBy(() -> Json.toJson(new float[] {1, Float.POSITIVE_INFINITY}))
                .isInstanceOf(ModelOutputException.class);
        assertThat(Json.toJson(new float[] {1, 0.5f})).isEqualTo("[1.0,0.5]");
    }
}
