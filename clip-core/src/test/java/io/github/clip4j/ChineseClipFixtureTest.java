package io.github.clip4j;

import static io.github.clip4j.internal.model.ModelFixtures.assertFeaturesClose;
import static io.github.clip4j.internal.model.ModelFixtures.cosine;
import static io.github.clip4j.internal.model.ModelFixtures.intRows;
import static io.github.clip4j.internal.model.ModelFixtures.metadataList;
import static io.github.clip4j.internal.model.ModelFixtures.rows;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;

import io.github.clip4j.internal.ClipAccess;
import io.github.clip4j.internal.image.ClipPreprocessor;
import io.github.clip4j.internal.image.ImageDecoder;
import io.github.clip4j.internal.model.ModelConfig;
import io.github.clip4j.internal.weights.SafetensorsReader;
import io.github.clip4j.internal.weights.StateDict;
import io.github.clip4j.testsupport.Fixtures;
import io.github.clip4j.tokenizer.BertWordPieceTokenizer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Chinese-CLIP end to end against the reference ({@code cn_models/NAME.expected.safetensors}): from the fixture
 * image files and prompt strings, through decoding, the squash-to-square transform, the WordPiece tokenizer, the
 * ViT / ModifiedResNet image tower and the BERT text tower, to features and logits, for both tiny models in both
 * checkpoint layouts (torch.save of a DDP state dict, and safetensors with the config beside it).
 */
class ChineseClipFixtureTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "cn-vit-tiny.pt, cn-vit-tiny",
        "cn-vit-tiny.safetensors, cn-vit-tiny",
        "cn-rn-tiny.pt, cn-rn-tiny",
        "cn-rn-tiny.safetensors, cn-rn-tiny",
    })
    void matchesTheReferenceFromFilesAndStrings(String file, String model) throws IOException {
        StateDict expected = SafetensorsReader.read(Fixtures.file("cn_models/" + model + ".expected.safetensors"));
        List<Path> images = metadataList(expected, "images").stream()
                .map(name -> Fixtures.file("images/" + name))
                .toList();
        List<String> prompts = metadataList(expected, "prompts");

        try (Clip clip = Clip.builder().model(Fixtures.file("cn_models/" + file)).batchSize(4).build()) {
            assertThat(clip.tokenizer()).isInstanceOf(BertWordPieceTokenizer.class);
            assertThat(clip.tokenizer().tokenize(prompts)).isDeepEqualTo(intRows(expected.get("tokens")));
            ModelConfig config = ClipAccess.model(clip).config();
            assertThat(config.isBert()).isTrue();
            assertThat(config.contextLength()).isEqualTo(52);
            assertThat(config.transformerHeads()).isEqualTo(4);

            // pixels: the squash transform, exact on the lossless images
            ClipPreprocessor preprocessor = ClipAccess.preprocessor(clip);
            assertThat(preprocessor.isSquash()).isTrue();
            float[] wantPixels = expected.get("pixels").toFloatArray();
            int plane = preprocessor.pixelCount();
            for (int i = 0; i < images.size(); i++) {
                if (images.get(i).toString().endsWith(".jpg")) {
                    continue; // lossy: decoders may differ by a unit; the features below still cover it
                }
                float[] got = preprocessor.pixels(ImageDecoder.decode(images.get(i)));
                assertThat(got).as("pixels of %s", images.get(i))
                        .containsExactly(Arrays.copyOfRange(wantPixels, i * plane, (i + 1) * plane));
            }

            float[][] imageFeatures = clip.imageFeatures(images);
            float[][] textFeatures = clip.textFeatures(prompts);
            float[][] wantImages = rows(expected.get("image_features"));
            float[][] wantTexts = rows(expected.get("text_features"));
            assertFeaturesClose("image_features", imageFeatures, wantImages);
            assertFeaturesClose("text_features", textFeatures, wantTexts);

            List<Embedding> imageEmbeddings = clip.embedImages(images);
            List<Embedding> textEmbeddings = clip.embedTexts(prompts);
            float[][] logits = rows(expected.get("logits_per_image"));
            double maxError = 0;
            for (int i = 0; i < images.size(); i++) {
                for (int t = 0; t < prompts.size(); t++) {
                    double actual = clip.logitScale() * imageEmbeddings.get(i).dot(textEmbeddings.get(t));
                    maxError = Math.max(maxError, Math.abs(actual - logits[i][t]));
                    assertThat(actual).as("logits_per_image[%d][%d] (%s, \"%s\")", i, t, images.get(i), prompts.get(t))
                            .isCloseTo(logits[i][t], offset(1e-4));
                }
            }
            System.out.printf("%s: min image cosine %.9f, min text cosine %.9f, max logit error %.3g%n", file,
                    minCosine(imageFeatures, wantImages), minCosine(textFeatures, wantTexts), maxError);
        }
    }

    private static double minCosine(float[][] a, float[][] b) {
        double min = 1;
        for (int i = 0; i < a.length; i++) {
            min = Math.min(min, cosine(a[i], b[i]));
        }
        return min;
    }
}
