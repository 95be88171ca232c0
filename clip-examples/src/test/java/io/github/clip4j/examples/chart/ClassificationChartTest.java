package io.github.clip4j.examples.chart;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.clip4j.zeroshot.Classification;
import io.github.clip4j.zeroshot.Prediction;
import java.awt.Color;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClassificationChartTest {
    private static final Color PICTURE = new Color(200, 40, 40);

    @TempDir
    Path tmp;

    @BeforeAll
    static void headless() {
        System.setProperty("java.awt.headless", "true");
    }

    private static Classification classification(Path image, String... labels) {
        List<Prediction> predictions = new ArrayList<>();
        double left = 1;
        for (int i = 0; i < labels.length; i++) {
            double p = i == labels.length - 1 ? left : left * 0.6;
            left -= p;
            predictions.add(new Prediction(labels[i], p, 0.3 - 0.02 * i));
        }
        return new Classification(image, predictions);
    }

    @Test
    void writesAPngWithTheImageOnTheLeftAndTheBarsOnTheRight() throws Exception {
        Path image = ChartTestImages.write(tmp.resolve("street.png"), 300, 200, PICTURE);
        Path out = java.nio.file.Files.createDirectories(tmp.resolve("charts")).resolve("chart.png"); // never created
        ClassificationChart.write(classification(image, "car", "tree", "猫", "狗", "book"), out);

        BufferedImage chart = ImageIO.read(out.toFile());
        assertThat(chart).isNotNull();
        assertThat(chart.getWidth()).isEqualTo(1080);
        assertThat(chart.getHeight()).isEqualTo(64 + 360 + 24); // five rows fit beside the picture
        // The picture fills the square's width at its vertical centre; the best bar is drawn on the right.
        int centre = 64 + 180;
        assertThat(ChartTestImages.near(chart.getRGB(24 + 180, centre), PICTURE, 8)).isTrue();
        assertThat(countPixels(chart, 24 + 360 + 1, 1080, ClassificationChart.BEST_BAR)).isGreaterThan(1000);
        assertThat(countPixels(chart, 24 + 360 + 1, 1080, ClassificationChart.OTHER_BAR)).isGreaterThan(100);
    }

    @Test
    void manyLabelsMakeATallerChart() {
        String[] labels = new String[12];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = "label number " + i;
        }
        BufferedImage chart = ClassificationChart.render(classification(null, labels));
        assertThat(chart.getHeight()).isEqualTo(64 + 12 * 40 + 24);
    }

    @Test
    void aMissingImageGetsAPlaceholder() {
        BufferedImage chart = ClassificationChart.render(classification(tmp.resolve("gone.jpg"), "cat", "dog"));
        assertThat(chart.getWidth()).isEqualTo(1080);
        assertThat(ChartTestImages.near(chart.getRGB(24 + 5, 64 + 5), Drawing.PLACEHOLDER, 2)).isTrue();
    }

    @Test
    void anEmptyListIsRefused() {
        assertThatThrownBy(() -> ClassificationChart.render(null, "t", List.of()))
                .isInstanceOf(IllegalArgumentException.class);
    }

    static int countPixels(BufferedImage image, int fromX, int toX, Color colour) {
        int n = 0;
        for (int y = 0; y < image.getHeight(); y++) {
            for (int x = fromX; x < toX; x++) {
                if (ChartTestImages.near(image.getRGB(x, y), colour, 2)) {
                    n++;
                }
            }
        }
        return n;
    }
}
