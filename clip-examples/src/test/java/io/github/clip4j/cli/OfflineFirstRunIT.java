package io.github.clip4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A new user's first run: an empty home folder (no {@code ~/.cache/clip}, no vocabulary anywhere) and no
 * {@code clip4j.bpe}: the packaged tool classifies with a local checkpoint, and {@code TinyClip} gives the same
 * embeddings in two different empty homes. Nothing may be downloaded (the model is a file; the vocabulary is in the
 * jar). JavaCPP's native cache is pointed at the machine's usual one so the test does not unpack ~470 MB twice:
 * it is libtorch's cache, not clip4j's.
 */
class OfflineFirstRunIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void classifiesFromAnEmptyHomeWithoutNetwork() throws IOException {
        Path home = Files.createDirectories(dir.resolve("home"));
        ChildProcess.Result run = java(home, List.of("-jar", Path.of("target", "clip.jar").toString(), "classify", "--model",
                CliFixtures.tinyModel().toString(), "--labels", "cat,dog", CliFixtures.image("chelsea.png").toString()));
        assertThat(run.status()).as(run.err()).isZero();
        JsonNode result = JSON.readTree(run.out());
        assertThat(result.get(0).get("predictions")).hasSize(2);
        assertThat(home.resolve(".cache")).as("nothing cached in the new home").doesNotExist();
    }

    @Test
    void tinyClipIsTheSameInTwoEmptyHomes() throws IOException {
        List<String> embeddings = new ArrayList<>();
        for (String name : List.of("home-a", "home-b")) {
            Path home = Files.createDirectories(dir.resolve(name));
            ChildProcess.Result run = java(home, List.of("-cp", System.getProperty("java.class.path"), TinyClipMain.class.getName()));
            assertThat(run.status()).as(run.err()).isZero();
            embeddings.add(run.out().strip());
        }
        assertThat(embeddings.get(0)).isNotEmpty().isEqualTo(embeddings.get(1));
    }

    /** Prints TinyClip(7)'s embedding of a text and of an image, as exact float bits. */
    public static final class TinyClipMain {
        public static void main(String[] args) {
            try (io.github.clip4j.Clip clip = io.github.clip4j.testing.TinyClip.create(7)) {
                java.awt.image.BufferedImage image = new java.awt.image.BufferedImage(40, 30,
                        java.awt.image.BufferedImage.TYPE_INT_RGB);
                image.setRGB(3, 4, 0xFF8800);
                StringBuilder out = new StringBuilder();
                for (float v : clip.embedText("a photo of a cat").toArray()) {
                    out.append(Integer.toHexString(Float.floatToRawIntBits(v))).append(' ');
                }
                for (float v : clip.embedImage(image).toArray()) {
                    out.append(Integer.toHexString(Float.floatToRawIntBits(v))).append(' ');
                }
                System.out.println(out);
            }
        }
    }


    private static ChildProcess.Result java(Path home, List<String> args) {
        List<String> command = new ArrayList<>(List.of(
                ChildProcess.java(),
                "-Duser.home=" + home,
                "-Dorg.bytedeco.javacpp.cachedir=" + Path.of(System.getProperty("user.home"), ".javacpp", "cache")));
        command.addAll(args);
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().put("HOME", home.toString());
        builder.environment().remove("CLIP4J_BPE");
        builder.environment().remove("CLIP4J_CACHE");
        return ChildProcess.run(builder, 300, "java");
    }

}
