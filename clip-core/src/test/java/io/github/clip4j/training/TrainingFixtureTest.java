package io.github.clip4j.training;

import io.github.clip4j.internal.training.TrainerAccess;
import io.github.clip4j.internal.training.CaptionTokenizer;
import io.github.clip4j.internal.training.ContrastiveModel;
import io.github.clip4j.internal.training.ImageLoader;
import io.github.clip4j.internal.runtime.Tensors;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.clip4j.internal.model.ClipModel;
import io.github.clip4j.Device;
import io.github.clip4j.Precision;
import io.github.clip4j.testsupport.Fixtures;
import io.github.clip4j.tokenizer.ClipTokenizer;
import io.github.clip4j.internal.weights.CheckpointReader;
import io.github.clip4j.internal.weights.SafetensorsReader;
import io.github.clip4j.internal.weights.StateDict;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One step of {@link ContrastiveTrainer} on the real CLIP (vit-tiny, fp32, training mode) reproduces the
 * reference's {@code training/vit-tiny.step.safetensors}: the loss, the gradients and the parameters after AdamW
 * (lr 1e-3, betas (0.9, 0.98), eps 1e-6, weight decay 0.2 on every parameter).
 */
@SuppressWarnings("try") // scopes are used for their effect, not referenced
class TrainingFixtureTest {
    private static final Logger LOG = LoggerFactory.getLogger(TrainingFixtureTest.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final double LR = 1e-3;

    private static StateDict step;
    private static List<String> captions;
    private static List<String> images;

    @BeforeAll
    static void readFixture() throws IOException {
        step = SafetensorsReader.read(Fixtures.file("training/vit-tiny.step.safetensors"));
        captions = List.of(JSON.readValue(step.metadata().get("captions"), String[].class));
        images = List.of(JSON.readValue(step.metadata().get("images"), String[].class));
    }

    @Test
    void realTokenizerAndPreprocessingGiveTheFixtureInputs() throws IOException {
        CaptionTokenizer tokenizer = CaptionTokenizer.of(ClipTokenizer.load(Fixtures.bpeVocabulary()), 77);
        long[] tokens = step.get("tokens").toLongArray();
        for (int i = 0; i < captions.size(); i++) {
            int[] row = tokenizer.tokenize(captions.get(i));
            assertThat(row).hasSize(77);
            for (int j = 0; j < 77; j++) {
                assertThat((long) row[j]).as("token %d of \"%s\"", j, captions.get(i)).isEqualTo(tokens[i * 77 + j]);
            }
        }
        ImageLoader loader = ImageLoader.of(io.github.clip4j.internal.image.ClipPreprocessor.of(224));
        assertThat(loader.shape()).containsExactly(3, 224, 224);
        float[] pixels = step.get("pixels").toFloatArray();
        int per = 3 * 224 * 224;
        for (int i = 0; i < images.size(); i++) {
            if (!images.get(i).endsWith(".png")) {
                continue; // JPEG decoders differ from libjpeg by up to a level (see ClipPreprocessorReferenceTest)
            }
            float[] actual = loader.load(Fixtures.file("images/" + images.get(i)));
            double maxDiff = 0;
            for (int k = 0; k < per; k++) {
                maxDiff = Math.max(maxDiff, Math.abs(actual[k] - pixels[i * per + k]));
            }
            assertThat(maxDiff).as("max |pixel difference| of %s", images.get(i)).isLessThan(1e-5);
        }
    }

    @Test
    void oneTrainerStepMatchesTheReference() {
        StateDict weights = CheckpointReader.read(Fixtures.file("models/vit-tiny.state_dict.pt"));
        float[] pixels = step.get("pixels").toFloatArray();
        long[] tokens = step.get("tokens").toLongArray();
        int per = 3 * 224 * 224;
        // the fixture's own inputs, so that the comparison is not blurred by JPEG decoding differences
        Map<Path, Integer> rows = new HashMap<>();
        List<ImageTextPair> pairs = new ArrayList<>();
        for (int i = 0; i < images.size(); i++) {
            Path image = Fixtures.file("images/" + images.get(i));
            rows.put(image, i);
            pairs.add(new ImageTextPair(image, captions.get(i)));
        }
        ImageLoader loader = ImageLoader.of(new long[] {3, 224, 224}, path -> {
            float[] out = new float[per];
            System.arraycopy(pixels, rows.get(path) * per, out, 0, per);
            return out;
        });
        Map<String, Integer> captionRows = new HashMap<>();
        for (int i = 0; i < captions.size(); i++) {
            captionRows.put(captions.get(i), i);
        }
        CaptionTokenizer tokenizer = caption -> {
            int[] row = new int[77];
            for (int j = 0; j < 77; j++) {
                row[j] = Math.toIntExact(tokens[captionRows.get(caption) * 77 + j]);
            }
            return row;
        };

        try (ClipModel clip = ClipModel.load(weights, Device.CPU, Precision.FP32);
                PointerScope scope = new PointerScope()) {
            List<StepProgress> progress = new ArrayList<>();
            TrainingResult result = TrainerAccess.builder(ContrastiveModel.of(clip), loader, tokenizer)
                    .batchSize(4).epochs(1).schedule(LearningRateSchedule.constant(LR))
                    .weightDecay(0.2).weightDecayRule(WeightDecayRule.ALL).betas(0.9, 0.98).eps(1e-6)
                    .decodeThreads(1).listener(progress::add).build()
                    .fit(ImageTextDataset.of(pairs));

            assertThat(result.steps()).isEqualTo(1);
            assertThat(progress.get(0).learningRate()).isEqualTo(LR);
            assertThat(result.firstLoss()).isCloseTo(step.get("loss").toFloatArray()[0], within(1e-5));

            Map<String, Tensor> parameters = clip.namedTensors();
            Map<String, float[]> initial = new LinkedHashMap<>();
            int checked = 0;
            for (String key : step.names()) {
                if (!key.startsWith("grad/")) {
                    continue;
                }
                String name = key.substring("grad/".length());
                float[] expectedGrad = step.get(key).toFloatArray();
                float[] grad = Tensors.toFloatArray(parameters.get(name).grad());
                double largest = maxAbs(expectedGrad);
                double gradDiff = maxAbsDiff(grad, expectedGrad);
                assertThat(gradDiff).as("max |gradient difference| of %s (largest |gradient| %s)", name, largest)
                        .isLessThanOrEqualTo(1e-4 * largest);

                float[] expectedAfter = step.get("after_adamw/" + name).toFloatArray();
                float[] after = Tensors.toFloatArray(parameters.get(name));
                double afterDiff = maxAbsDiff(after, expectedAfter);
                // AdamW's first step moves each weight by lr * g / (|g| + eps): only where |g| is within a few
                // eps does a gradient difference show; elsewhere the update must match to float rounding
                double wellConditioned = 0;
                for (int i = 0; i < after.length; i++) {
                    if (Math.abs(expectedGrad[i]) > 1e-3) {
                        wellConditioned = Math.max(wellConditioned, Math.abs(after[i] - expectedAfter[i]));
                    }
                }
                LOG.info("{}: grad max diff {} (largest {}), after AdamW max diff {} ({} where |g| > 1e-3)", name,
                        gradDiff, largest, afterDiff, wellConditioned);
                assertThat(afterDiff).as("max |difference| after AdamW of %s", name).isLessThanOrEqualTo(1e-5);
                assertThat(wellConditioned).as("max |difference| after AdamW of %s where |g| > 1e-3", name)
                        .isLessThanOrEqualTo(1e-6);
                checked++;
            }
            assertThat(checked).isEqualTo(8);
        }
    }

    private static double maxAbs(float[] values) {
        double max = 0;
        for (float v : values) {
            max = Math.max(max, Math.abs(v));
        }
        return max;
    }

    private static double maxAbsDiff(float[] a, float[] b) {
        assertThat(a).hasSameSizeAs(b);
        double max = 0;
        for (int i = 0; i < a.length; i++) {
            max = Math.max(max, Math.abs(a[i] - b[i]));
        }
        return max;
    }
}
