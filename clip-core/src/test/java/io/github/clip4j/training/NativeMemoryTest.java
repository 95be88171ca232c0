package io.github.clip4j.training;

import io.github.clip4j.internal.training.TrainerAccess;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Many steps must not grow native memory: every step's tensors live in a {@code PointerScope}. Checked two ways:
 * JavaCPP's count of live native objects (exact: a handle leaked per step shows as +1 per step) and the
 * process's resident memory (catches tensors kept alive natively, e.g. a retained autograd graph; the model is
 * sized so that leaking one gradient per step would add 0.75 MB per step, 90 MB over the 120 measured steps).
 */
class NativeMemoryTest {
    @TempDir
    Path dir;

    @Test
    void hundredsOfStepsDoNotGrowNativeMemory() throws IOException {
        ImageTextDataset data = ToyData.dataset(dir, 4); // 24 pairs: 3 steps per epoch
        ToyModel model = new ToyModel(1, ToyData.PIXELS, 4096, 48); // 4096 x 48 floats = 0.75 MB per tensor
        long[] countAt = new long[2];
        long[] rssAt = new long[2];
        TrainingListener probe = step -> {
            if (step.step() == 30 || step.step() == 150) {
                int i = step.step() == 30 ? 0 : 1;
                System.gc();
                countAt[i] = Pointer.totalCount();
                rssAt[i] = Pointer.physicalBytes();
            }
        };
        // one intra-op thread: on a loaded machine OpenMP's spinning workers make each parallel op very slow
        int threads = torch.get_num_threads();
        torch.set_num_threads(1);
        long started = System.nanoTime();
        TrainingResult result;
        try {
            result = TrainerAccess.builder(model, ToyData.loader(), ToyData.tokenizer())
                    .epochs(50).batchSize(8).microBatchSize(4).learningRate(1e-4).maxGradientNorm(1)
                    .decodeThreads(1).listener(probe).build().fit(data);
        } finally {
            torch.set_num_threads(threads);
        }
        System.out.printf("%.1f ms per step%n", (System.nanoTime() - started) / 1e6 / 150);
        assertThat(result.steps()).isEqualTo(150);
        long growth = rssAt[1] - rssAt[0];
        System.out.printf("native objects %d -> %d, resident memory %d MB -> %d MB over 120 steps%n",
                countAt[0], countAt[1], rssAt[0] >> 20, rssAt[1] >> 20);
        assertThat(countAt[1] - countAt[0]).as("live JavaCPP objects after 120 more steps").isLessThan(50);
        assertThat(growth).as("resident memory growth over 120 steps").isLessThan(32L << 20);
    }
}
