package io.github.clip4j.testsupport;

import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;

/**
 * Locates the golden fixtures in {@code ../shared} (never copied into the repository).
 *
 * <p>The build sets the system properties {@code clip4j.fixtures} and {@code clip4j.test.bpe}. When a fixture is
 * missing the calling test is skipped with a message, except on CI ({@code CI=true}), where a missing fixture
 * is a failure: CI must never go green by skipping.
 */
public final class Fixtures {
    private Fixtures() {}

    /** The fixtures folder, e.g. {@code ../shared/fixtures}. */
    public static Path root() {
        return require(property("clip4j.fixtures"), "the fixtures folder");
    }

    /** A file or folder inside the fixtures folder, e.g. {@code file("models/vit-tiny.jit.pt")}. */
    public static Path file(String relative) {
        Path root = property("clip4j.fixtures");
        return require(root == null ? null : root.resolve(relative), "fixture " + relative);
    }

    /** CLIP's BPE merges file, {@code ../shared/clip/bpe_simple_vocab_16e6.txt.gz}. */
    public static Path bpeVocabulary() {
        return require(property("clip4j.test.bpe"), "the BPE vocabulary");
    }

    private static Path property(String name) {
        String value = System.getProperty(name);
        return value == null || value.isBlank() ? null : Path.of(value);
    }

    private static Path require(Path path, String what) {
        if (path != null && Files.exists(path)) {
            return path;
        }
        String message = "Missing " + what + (path == null ? " (system property not set)" : " at " + path)
                + "; put ../shared beside the checkout";
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            fail(message);
        }
        Assumptions.abort(message);
        return path; // unreachable
    }
}
