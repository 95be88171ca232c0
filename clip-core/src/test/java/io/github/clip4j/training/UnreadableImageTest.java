package io.github.clip4j.training;

import io.github.clip4j.internal.training.TrainerAccess;
import io.github.clip4j.internal.training.ImageLoader;
import io.github.clip4j.SkippedFile;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.clip4j.internal.image.ClipPreprocessor;
import io.github.clip4j.testing.TestImages;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An image that exists but cannot be decoded is skipped, reported once, and never read again. */
class UnreadableImageTest {
    @TempDir
    Path dir;

    /** clip4j's real decoder and preprocessing at 4 x 4 pixels, counting the loads of every file. */
    private final Map<Path, Integer> loads = new ConcurrentHashMap<>();
    private final ImageLoader real = ImageLoader.of(ClipPreprocessor.of(4));
    private final ImageLoader counting = new ImageLoader() {
        @Override
        public long[] shape() {
            return real.shape();
        }

        @Override
        public float[] load(Path image) throws IOException {
            loads.merge(image, 1, Integer::sum);
            return real.load(image);
        }
    };

    /** {@code good} generated PNGs and a text file named x.png, captioned by class. */
    private ImageTextDataset withCorruptPng(int good) throws IOException {
        List<ImageTextPair> pairs = new ArrayList<>();
        for (int i = 0; i < good; i++) {
            Path png = TestImages.writePng(dir.resolve("img-" + i + ".png"), i);
            pairs.add(new ImageTextPair(png, ToyData.CLASSES[i % ToyData.CLASSES.length]));
        }
        pairs.add(new ImageTextPair(Files.writeString(dir.resolve("x.png"), "this is not a PNG"), "a red car"));
        return ImageTextDataset.of(pairs);
    }

    private ContrastiveTrainer.Builder builder() {
        return TrainerAccess.builder(ToyData.model(1), counting, ToyData.tokenizer()).decodeThreads(2)
                .learningRate(5e-3);
    }

    @Test
    void trainsToTheEndAndReportsTheCorruptImageOnce() throws IOException {
        ImageTextDataset data = withCorruptPng(11);
        Path corrupt = dir.resolve("x.png");
        List<StepProgress> steps = new ArrayList<>();
        TrainingResult result = builder().epochs(3).batchSize(4).evaluateOn(data).listener(steps::add).build()
                .fit(data);

        // 12 pairs in batches of 4: the batch holding x.png keeps 3 pairs and is still a step
        assertThat(ContrastiveTrainer.stepsPerEpoch(12, 4)).isEqualTo(3);
        assertThat(result.steps()).isEqualTo(9);
        assertThat(result.losses()).hasSize(9).allSatisfy(loss -> assertThat(loss).isFinite());
        assertThat(steps).hasSize(9);
        assertThat(result.epochs()).isEqualTo(3);
        assertThat(result.stopped()).isFalse();
        assertThat(result.evaluations()).hasSize(3);
        assertThat(result.skipped()).singleElement().satisfies(s -> {
            assertThat(s.path()).isEqualTo(corrupt);
            assertThat(s.reason()).contains("x.png").contains("not a supported image");
        });
        assertThat(loads.get(corrupt)).as("decoded once, never retried in later epochs or evaluations")
                .isEqualTo(1);
        assertThat(loads.get(dir.resolve("img-0.png"))).isEqualTo(6); // 3 epochs + 3 evaluations
    }

    @Test
    void aBatchLeftWithOnePairIsNotAStep() throws IOException {
        ImageTextDataset data = withCorruptPng(3);
        Path corrupt = dir.resolve("x.png");
        TrainingResult result = builder().epochs(2).batchSize(2).build().fit(data);

        // 4 pairs, 2 batches per epoch; the one with x.png keeps a single pair and is skipped every epoch
        assertThat(ContrastiveTrainer.stepsPerEpoch(4, 2)).isEqualTo(2);
        assertThat(result.steps()).isEqualTo(2);
        assertThat(result.losses()).hasSize(2);
        assertThat(result.epochs()).isEqualTo(2);
        assertThat(result.skipped()).extracting(SkippedFile::path).containsExactly(corrupt);
        assertThat(loads.get(corrupt)).isEqualTo(1);
    }

    @Test
    void aLoaderReturningTheWrongShapeStillStopsTraining() throws IOException {
        ImageTextDataset data = withCorruptPng(3);
        ImageLoader wrong = ImageLoader.of(ToyData.IMAGE_SHAPE, path -> new float[1]);
        assertThatThrownBy(() -> TrainerAccess.builder(ToyData.model(1), wrong, ToyData.tokenizer())
                .batchSize(2).build().fit(data))
                .isInstanceOf(TrainingException.class).hasMessageContaining("expected 48");
    }
}
