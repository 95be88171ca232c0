package io.github.clip4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.clip4j.testsupport.Fixtures;
import io.github.clip4j.tokenizer.ClipTokenizer;
import io.github.clip4j.weights.HostTensor;
import io.github.clip4j.weights.SafetensorsReader;
import io.github.clip4j.weights.StateDict;
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
            assertClose("image_features", imageFeatures, floatRows(expected.get("image_features")));
            assertClose("text_features", textFeatures, floatRows(expected.get("text_features")));

            List<Embedding> imageEmbeddings = clip.embedImages(images);
            List<Embedding> textEmbeddings = clip.embedTexts(prompts);
            float[][] logits = floatRows(expected.get("logits_per_image"));
            for (int i = 0; i < images.size(); i++) {
                for (int t = 0; t < prompts.size(); t++) {
                    double actual = clip.logitScale() * imageEmbeddings.get(i).dot(textEmbeddings.get(t));
                    assertThat(actual).as("logits_per_image[%d][%d] (%s, \"%s\")", i, t, images.get(i), prompts.get(t))
                            .isCloseTo(logits[i][t], offset(1e-4));
                }
            }
        }
    }

    private static void assertClose(String what, float[][] actual, float[][] expected) {
        assertThat(actual.length).as(what + " rows").isEqualTo(expected.length);
        for (int i = 0; i < expected.length; i++) {
            assertThat(actual[i]).as(what + "[" + i + "] length").hasSameSizeAs(expected[i]);
            double cosine = dot(actual[i], expected[i]) / Math.sqrt(dot(actual[i], actual[i]) * dot(expected[i], expected[i]));
            double normRatio = Math.sqrt(dot(actual[i], actual[i]) / dot(expected[i], expected[i]));
            assertThat(cosine).as(what + "[" + i + "] cosine").isGreaterThanOrEqualTo(0.99999);
            assertThat(Math.abs(normRatio - 1)).as(what + "[" + i + "] relative norm error").isLessThanOrEqualTo(1e-4);
        }
    }

    private static List<String> metadataList(StateDict expected, String key) throws IOException {
        return new ObjectMapper().readValue(expected.metadata().get(key), new TypeReference<List<String>>() {});
    }

    private static double dot(float[] a, float[] b) {
        double sum = 0;
        for (int i = 0; i < a.length; i++) {
            sum += (double) a[i] * b[i];
        }
        return sum;
    }

    private static float[][] floatRows(HostTensor t) {
        int n = (int) t.dim(0);
        int d = (int) t.dim(1);
        float[] flat = t.toFloatArray();
        float[][] out = new float[n][d];
        for (int i = 0; i < n; i++) {
            System.arraycopy(flat, i * d, out[i], 0, d);
        }
        return out;
    }

    private static int[][] intRows(HostTensor t) {
        int n = (int) t.dim(0);
        int d = (int) t.dim(1);
        long[] flat = t.toLongArray();
        int[][] out = new int[n][d];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < d; j++) {
                out[i][j] = Math.toIntExact(flat[i * d + j]);
            }
        }
        return out;
    }
}
