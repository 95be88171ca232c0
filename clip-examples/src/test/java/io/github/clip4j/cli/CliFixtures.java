package io.github.clip4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.clip4j.testsupport.Fixtures;
import io.github.clip4j.tokenizer.ClipTokenizer;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;

/** The fixtures the model commands' tests share: the tiny model, CLIP's vocabulary, the test images. */
final class CliFixtures {
    static final ObjectMapper JSON = new ObjectMapper();
    /** The test images as the reference's model fixture lists them, PNGs only (their decoding is exact). */
    static final List<String> PNG_IMAGES = List.of("chelsea.png", "coffee.png", "camera.png");

    private static ClipTokenizer tokenizer;

    private CliFixtures() {}

    /** CLIP's tokenizer over the fixture vocabulary; also the vocabulary every {@code ClipTokenizer.load()} finds. */
    static synchronized ClipTokenizer tokenizer() {
        if (tokenizer == null) {
            Path vocabulary = Fixtures.bpeVocabulary();
            System.setProperty("clip4j.bpe", vocabulary.toString());
            tokenizer = ClipTokenizer.load(vocabulary);
        }
        return tokenizer;
    }

    static Path bpeVocabulary() {
        return Fixtures.bpeVocabulary();
    }

    /** The tiny ViT checkpoint, in the TorchScript format of the released models. */
    static Path tinyModel() {
        return Fixtures.file("models/vit-tiny.jit.pt");
    }

    static Path image(String name) {
        return Fixtures.file("images/" + name);
    }

    /** Runs {@code clip args...} in-process with the fixture vocabulary. */
    static CliRun clip(String... args) {
        ClipTokenizer loaded = tokenizer();
        return CliRun.run(() -> loaded, args);
    }

    /** Runs a command that must succeed and returns its JSON (one line on stdout). */
    static JsonNode ok(String... args) {
        CliRun run = clip(args);
        assertThat(run.status()).as("exit status; stderr: %s", run.err()).isZero();
        assertThat(run.outLines()).as("stdout lines").hasSize(1);
        try {
            return JSON.readTree(run.out());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Asserts the error contract: the status, nothing on stdout, one line naming {@code mentioned}. */
    static void assertFails(CliRun run, int status, String... mentioned) {
        assertThat(run.status()).as("exit status; stderr: %s", run.err()).isEqualTo(status);
        assertThat(run.out()).as("stdout").isEmpty();
        assertThat(run.errLines()).as("stderr").hasSize(1);
        assertThat(run.errLines().get(0)).startsWith("clip: error: ").contains(mentioned);
    }

    /** The PNG at {@code file}, asserting that it is one. */
    static BufferedImage png(Path file) throws IOException {
        assertThat(file).isRegularFile();
        byte[] bytes = Files.readAllBytes(file);
        assertThat(bytes).startsWith((byte) 0x89, (byte) 'P', (byte) 'N', (byte) 'G');
        BufferedImage image = ImageIO.read(file.toFile());
        assertThat(image).as("decodable PNG " + file).isNotNull();
        return image;
    }

    static float[] floats(JsonNode array) {
        float[] out = new float[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) array.get(i).asDouble();
        }
        return out;
    }

    static double dot(float[] a, float[] b) {
        assertThat(a).hasSameSizeAs(b);
        double sum = 0;
        for (int i = 0; i < a.length; i++) {
            sum += (double) a[i] * b[i];
        }
        return sum;
    }

    static double norm(float[] a) {
        return Math.sqrt(dot(a, a));
    }

    static double cosine(float[] a, float[] b) {
        return dot(a, b) / (norm(a) * norm(b));
    }
}
