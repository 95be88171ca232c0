package io.github.clip4j.internal.loading;

import static io.github.clip4j.internal.model.ModelFixtures.assertFeaturesClose;
import static io.github.clip4j.internal.model.ModelFixtures.metadataList;
import static io.github.clip4j.internal.model.ModelFixtures.rows;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.clip4j.Clip;
import io.github.clip4j.internal.weights.SafetensorsReader;
import io.github.clip4j.internal.weights.StateDict;
import io.github.clip4j.testsupport.Fixtures;
import java.nio.file.Path;
import java.util.List;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.StandardCopyOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@link ClipLoader#forImages}, what {@code clip index} loads with: the image tower only, copied while the caller
 * goes on. Image features still match the reference and a full load exactly, the model's id (which an index is
 * bound to) is the same, and texts fail with a clear error instead of running on weights never copied in.
 */
class ForImagesTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "models/vit-tiny.jit.pt, models/vit-tiny",
        "models/rn-tiny.safetensors, models/rn-tiny",
        "cn_models/cn-vit-tiny.pt, cn_models/cn-vit-tiny",
    })
    void imageFeaturesAndIdAreThoseOfAFullLoad(String file, String reference) {
        StateDict expected = SafetensorsReader.read(Fixtures.file(reference + ".expected.safetensors"));
        List<Path> images = metadataList(expected, "images").stream()
                .map(name -> Fixtures.file("images/" + name))
                .toList();
        Path model = Fixtures.file(file);
        try (Clip full = Clip.builder().model(model).batchSize(2).build();
             Clip imagesOnly = ClipLoader.forImages(() -> Clip.builder().model(model).batchSize(2).build())) {
            float[][] features = imagesOnly.imageFeatures(images);
            assertFeaturesClose("image_features", features, rows(expected.get("image_features")));
            assertThat(features).isDeepEqualTo(full.imageFeatures(images));
            assertThat(imagesOnly.modelId()).isEqualTo(full.modelId());
            assertThat(imagesOnly.logitScale()).isEqualTo(full.logitScale());
            assertThatThrownBy(() -> imagesOnly.embedText("a photo"))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("loaded for images only");
            assertThat(full.embedText("a photo").dimension()).isEqualTo(features[0].length);
        }
        // only the builds inside forImages load for images
        try (Clip after = Clip.builder().model(model).build()) {
            assertThat(after.embedText("a photo").dimension()).isPositive();
        }
    }

    @Test
    void theCheckpointReadToTellTheFamilyIsReusedOnlyWhileTheFileIsUnchanged(@TempDir Path dir) throws IOException {
        // the CLI asks isChineseClip and then builds, both inside forImages: one parse of an unchanged file
        Path model = dir.resolve("model.safetensors");
        Files.copy(Fixtures.file("models/vit-tiny.f16.safetensors"), model);
        try (Clip clip = ClipLoader.forImages(() -> {
            assertThat(ClipLoader.isChineseClip(model.toString())).isFalse();
            return Clip.builder().model(model).build();
        })) {
            assertThat(clip.modelId()).startsWith("model.safetensors#");
        }
        // replaced between the question and the load: the new file is what gets loaded
        String rnId;
        try (Clip rn = Clip.builder().model(Fixtures.file("models/rn-tiny.safetensors")).build()) {
            rnId = rn.modelId().substring(rn.modelId().indexOf('#'));
        }
        try (Clip clip = ClipLoader.forImages(() -> {
            assertThat(ClipLoader.isChineseClip(model.toString())).isFalse();
            try {
                Files.copy(Fixtures.file("models/rn-tiny.safetensors"), model, StandardCopyOption.REPLACE_EXISTING);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            return Clip.builder().model(model).build();
        })) {
            assertThat(clip.modelId()).isEqualTo("model.safetensors" + rnId);
        }
    }
}
