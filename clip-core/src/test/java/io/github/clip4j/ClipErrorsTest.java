package io.github.clip4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.clip4j.common.ClipException;
import io.github.clip4j.hub.UnknownModelException;
import io.github.clip4j.InvalidImageException;
import io.github.clip4j.testsupport.Fixtures;
import io.github.clip4j.tokenizer.ClipTokenizer;
import io.github.clip4j.CheckpointException;
import io.github.clip4j.internal.weights.CheckpointReader;
import io.github.clip4j.internal.weights.HostTensor;
import io.github.clip4j.internal.weights.SafetensorsWriter;
import io.github.clip4j.internal.weights.StateDict;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every bad input is a {@link ClipException} subclass naming the input, and the facade stays usable after it. */
class ClipErrorsTest {
    private static ClipTokenizer tokenizer;
    private static Clip clip;

    @TempDir
    Path dir;

    @BeforeAll
    static void load() {
        tokenizer = ClipTokenizer.load(Fixtures.bpeVocabulary());
        clip = Clip.builder().model(Fixtures.file("models/vit-tiny.f16.safetensors")).tokenizer(tokenizer)
                .batchSize(2).build();
    }

    @AfterAll
    static void close() {
        if (clip != null) {
            clip.close();
        }
    }

    @Test
    void badImageFilesAreRefusedByName() throws IOException {
        Path missing = dir.resolve("missing.jpg");
        Path empty = Files.createFile(dir.resolve("empty.png"));
        byte[] png = Files.readAllBytes(Fixtures.file("images/chelsea.png"));
        Path truncated = Files.write(dir.resolve("truncated.png"), Arrays.copyOf(png, png.length / 2));
        byte[] jpeg = Files.readAllBytes(Fixtures.file("images/rocket.jpg"));
        Path truncatedJpeg = Files.write(dir.resolve("truncated.jpg"), Arrays.copyOf(jpeg, jpeg.length / 3));
        Path text = Files.writeString(dir.resolve("notes.jpg"), "not an image at all");
        Path folder = Files.createDirectory(dir.resolve("folder.png"));

        for (Path bad : List.of(missing, empty, truncated, truncatedJpeg, text, folder)) {
            assertThatThrownBy(() -> clip.embedImage(bad)).as(bad.toString())
                    .isInstanceOf(InvalidImageException.class)
                    .hasMessageContaining(bad.toString());
            // In a batch with good images, the bad one is named too, wherever it falls in the batches.
            Path good = Fixtures.file("images/coffee.png");
            assertThatThrownBy(() -> clip.embedImages(List.of(good, good, good, bad, good)))
                    .isInstanceOf(InvalidImageException.class)
                    .hasMessageContaining(bad.toString());
            assertThatThrownBy(() -> clip.classify(bad, "cat", "dog"))
                    .isInstanceOf(InvalidImageException.class)
                    .hasMessageContaining(bad.toString());
        }
        assertThat(clip.embedImage(Fixtures.file("images/coffee.png")).dimension()).isEqualTo(64);
    }

    @Test
    void nullsAndBadArgumentsAreProgrammingErrors() {
        assertThatThrownBy(() -> clip.embedImages(Arrays.asList(Fixtures.file("images/coffee.png"), null)))
                .isInstanceOf(NullPointerException.class).hasMessageContaining("images[1]");
        assertThatThrownBy(() -> clip.embedTexts(Arrays.asList("a", null)))
                .isInstanceOf(NullPointerException.class).hasMessageContaining("texts[1]");
        assertThatThrownBy(() -> clip.classify(Fixtures.file("images/coffee.png")))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Clip.builder().batchSize(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Clip.builder().model(" ")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void truncatedAndRandomCheckpointsAreRefusedByName() throws IOException {
        for (String fixture : List.of("vit-tiny.f16.safetensors", "vit-tiny.jit.pt", "vit-tiny.state_dict.pt")) {
            byte[] bytes = Files.readAllBytes(Fixtures.file("models/" + fixture));
            Path truncated = Files.write(dir.resolve("truncated-" + fixture), Arrays.copyOf(bytes, bytes.length / 2));
            assertRefused(truncated);
        }
        byte[] noise = new byte[100_000];
        new Random(7).nextBytes(noise);
        assertRefused(Files.write(dir.resolve("random.pt"), noise));
        assertRefused(Files.write(dir.resolve("random.safetensors"), noise));
        assertRefused(Files.createFile(dir.resolve("empty.safetensors")));
        assertRefused(Files.writeString(dir.resolve("header.safetensors"), "\u0010\0\0\0\0\0\0\0{\"a\": 1}       "));
    }

    private void assertRefused(Path checkpoint) {
        assertThatThrownBy(() -> Clip.builder().model(checkpoint).tokenizer(tokenizer).build())
                .as(checkpoint.toString())
                .isInstanceOf(CheckpointException.class)
                .hasMessageContaining(checkpoint.getFileName().toString());
    }

    @Test
    void aCheckpointWithoutATensorIsRefusedNamingIt() {
        StateDict full = CheckpointReader.read(Fixtures.file("models/vit-tiny.f16.safetensors"));
        for (String dropped : List.of("ln_final.bias", "visual.transformer.resblocks.1.mlp.c_fc.weight",
                "text_projection")) {
            Map<String, HostTensor> tensors = new LinkedHashMap<>(full.tensors());
            tensors.remove(dropped);
            Path file = dir.resolve("without-" + dropped + ".safetensors");
            SafetensorsWriter.write(new StateDict(tensors, Map.of(), "test"), file, Map.of());
            assertThatThrownBy(() -> Clip.builder().model(file).tokenizer(tokenizer).build())
                    .isInstanceOf(CheckpointException.class)
                    .hasMessageContaining(file.getFileName().toString())
                    .hasMessageContaining(dropped);
            StateDict inMemory = new StateDict(tensors, Map.of(), "my weights");
            assertThatThrownBy(() -> Clip.builder().weights(inMemory).tokenizer(tokenizer).build())
                    .isInstanceOf(CheckpointException.class)
                    .hasMessageContaining("my weights")
                    .hasMessageContaining(dropped);
        }
    }

    @Test
    void unknownModelNamesListTheKnownOnes() {
        assertThatThrownBy(() -> Clip.builder().model("ViT-Q/99").cacheFolder(dir).tokenizer(tokenizer).build())
                .isInstanceOfSatisfying(UnknownModelException.class, e -> {
                    assertThat(e.model()).isEqualTo("ViT-Q/99");
                    assertThat(e.knownNames()).contains("ViT-B/32", "RN50");
                    assertThat(e).hasMessageContaining("ViT-Q/99").hasMessageContaining("ViT-B/32");
                });
        Path nowhere = dir.resolve("no-such-model.pt");
        assertThatThrownBy(() -> Clip.builder().model(nowhere).tokenizer(tokenizer).build())
                .isInstanceOf(ClipException.class)
                .hasMessageContaining("no-such-model.pt");
    }

    @Test
    void aTokenizerWithMoreIdsThanTheModelIsRefused() {
        StateDict full = CheckpointReader.read(Fixtures.file("models/vit-tiny.f16.safetensors"));
        Map<String, HostTensor> tensors = new LinkedHashMap<>(full.tensors());
        int width = (int) tensors.get("token_embedding.weight").dim(1);
        tensors.put("token_embedding.weight", HostTensor.ofFloats(new long[] {1000, width}, new float[1000 * width]));
        StateDict small = new StateDict(tensors, Map.of(), "small-vocabulary");
        assertThatThrownBy(() -> Clip.builder().weights(small).tokenizer(tokenizer).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("small-vocabulary")
                .hasMessageContaining("49408");
    }
}
