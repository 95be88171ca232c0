package io.github.clip4j;

import static io.github.clip4j.internal.model.ModelFixtures.assertFeaturesClose;
import static io.github.clip4j.internal.model.ModelFixtures.intRows;
import static io.github.clip4j.internal.model.ModelFixtures.metadataList;
import static io.github.clip4j.internal.model.ModelFixtures.rows;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;

import io.github.clip4j.testsupport.Fixtures;
import io.github.clip4j.tokenizer.ClipTokenizer;
import io.github.clip4j.internal.weights.SafetensorsReader;
import io.github.clip4j.internal.weights.StateDict;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The facade end to end against the reference: from the image files and prompt strings the fixtures name, through
 * decoding, preprocessing, tokenizing and both encoders, to features and logits, for every tiny checkpoint file.
 */
class ClipFixtureTest {
    private static ClipTokenizer tokenizer;

    @BeforeAll
    static void loadTokenizer() {
        tokenizer = ClipTokenizer.load(Fixtures.bpeVocabulary());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "vit-tiny.jit.pt, vit-tiny",
        "vit-tiny.state_dict.pt, vit-tiny",
        "vit-tiny.f16.safetensors, vit-tiny",
        "vit-tiny.hf, vit-tiny",
        "vit-p14-336-tiny.jit.pt, vit-p14-336-tiny",
        "rn-tiny.safetensors, rn-tiny",
    })
    void matchesTheReferenceFromFilesAndStrings(String file, String model) throws IOException {
        StateDict expected = SafetensorsReader.read(Fixtures.file("models/" + model + ".expected.safetensors"));
        List<Path> images = metadataList(expected, "images").stream()
                .map(name -> Fixtures.file("images/" + name))
                .toList();
        List<String> prompts = metadataList(expected, "prompts");

        try (Clip clip = Clip.builder().model(Fixtures.file("models/" + file)).tokenizer(tokenizer).batchSize(3)
                .build()) {
            assertThat(clip.tokenizer().tokenize(prompts, 77, true)).isDeepEqualTo(intRows(expected.get("tokens")));

            float[][] imageFeatures = clip.imageFeatures(images);
            float[][] textFeatures = clip.textFeatures(prompts);
            assertFeaturesClose("image_features", imageFeatures, rows(expected.get("image_features")));
            assertFeaturesClose("text_features", textFeatures, rows(expected.get("text_features")));

            List<Embedding> imageEmbeddings = clip.embedImages(images);
            List<Embedding> textEmbeddings = clip.embedTexts(prompts);
            float[][] logits = rows(expected.get("logits_per_image"));
            for (int i = 0; i < images.size(); i++) {
                for (int t = 0; t < prompts.size(); t++) {
                    double actual = clip.logitScale() * imageEmbeddings.get(i).dot(textEmbeddings.get(t));
                    assertThat(actual).as("logits_per_image[%d][%d] (%s, \"%s\")", i, t, images.get(i), prompts.get(t))
                            .isCloseTo(logits[i][t], offset(1e-4));
                }
            }
        }
    }
}
