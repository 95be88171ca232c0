package io.github.clip4j.internal.training;

import io.github.clip4j.training.RetrievalMetrics;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class RetrievalEvaluatorTest {

    @Test
    void countsRecallAtOneAndFiveBothWays() {
        // 6 pairs in 2-D; image i points at angle i, text i at angle i except texts 4 and 5, which are swapped
        int n = 6;
        float[] image = new float[2 * n];
        float[] text = new float[2 * n];
        int[] textAngle = {0, 1, 2, 3, 5, 4};
        for (int i = 0; i < n; i++) {
            image[2 * i] = (float) Math.cos(i * 0.5);
            image[2 * i + 1] = (float) Math.sin(i * 0.5);
            text[2 * i] = 3 * (float) Math.cos(textAngle[i] * 0.5); // scale must not matter
            text[2 * i + 1] = 3 * (float) Math.sin(textAngle[i] * 0.5);
        }
        RetrievalMetrics m = RetrievalEvaluator.evaluate(image, text, List.of("a", "b", "c", "d", "e", "f"));
        assertThat(m.imageToTextR1()).isEqualTo(4.0 / 6);
        assertThat(m.textToImageR1()).isEqualTo(4.0 / 6);
        assertThat(m.imageToTextR5()).isEqualTo(1.0);
        assertThat(m.textToImageR5()).isEqualTo(1.0);
        assertThat(m.zeroShotAccuracy()).isNaN();
        assertThat(m.pairs()).isEqualTo(6);
    }

    @Test
    void repeatedCaptionsCountAsTheSameClassAndGiveZeroShotAccuracy() {
        // two classes along the axes; image 3 looks like class "x" but is labelled "y"
        float[] image = {1, 0, 0.9f, 0.1f, 0, 1, 0.8f, 0.2f};
        float[] text = {1, 0, 1, 0, 0, 1, 0, 1};
        RetrievalMetrics m = RetrievalEvaluator.evaluate(image, text, List.of("x", "x", "y", "y"));
        assertThat(m.zeroShotAccuracy()).isEqualTo(0.75);
        assertThat(m.imageToTextR1()).isEqualTo(0.75);
        assertThat(m.textToImageR1()).isEqualTo(1.0); // text "y" finds image 2, which is also "y"
    }
}
