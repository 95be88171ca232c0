package io.github.clip4j.internal.model;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.clip4j.Device;
import io.github.clip4j.Precision;
import io.github.clip4j.internal.weights.StateDict;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** One model serves several threads at once, each getting the same answer as a lone call. */
class ConcurrentInferenceTest {

    @Test
    void concurrentCallsAgreeWithASequentialCall() throws Exception {
        StateDict expected = ModelFixtures.expected("vit-tiny");
        float[] pixels = expected.get("pixels").toFloatArray();
        int[][] tokens = ModelFixtures.intRows(expected.get("tokens"));
        int n = (int) expected.get("pixels").dim(0);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try (ClipModel clip = ClipModel.load(ModelFixtures.weights("vit-tiny.f16.safetensors"), Device.CPU,
                Precision.FP32)) {
            float[][] images = clip.encodeImages(pixels, n);
            float[][] texts = clip.encodeTexts(tokens);
            List<Future<float[][]>> results = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                results.add(pool.submit(() -> clip.encodeImages(pixels, n)));
                results.add(pool.submit(() -> clip.encodeTexts(tokens)));
            }
            for (int i = 0; i < results.size(); i++) {
                float[][] want = i % 2 == 0 ? images : texts;
                float[][] got = results.get(i).get();
                for (int r = 0; r < want.length; r++) {
                    assertThat(ModelFixtures.cosine(got[r], want[r])).as("call %d row %d", i, r)
                            .isGreaterThan(0.999999);
                }
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
