package io.github.clip4j.examples.chart;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.clip4j.retrieval.SearchHit;
import java.awt.Color;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ResultGridTest {
    @TempDir
    Path tmp;

    @BeforeAll
    static void headless() {
        System.setProperty("java.awt.headless", "true");
    }

    @Test
    void writesTheHitsAsThumbnailsInRowsOfFive() throws Exception {
        List<SearchHit> hits = new ArrayList<>();
        Color[] colours = new Color[7];
        for (int i = 0; i < 7; i++) {
            colours[i] = new Color(30 * i, 200 - 20 * i, 90);
            Path image = ChartTestImages.write(tmp.resolve("photo " + i + ".png"), 400 + 10 * i, 300, colours[i]);
            hits.add(new SearchHit(image, 0.35f - 0.01f * i));
        }
        Path out = tmp.resolve("grid.png");
        ResultGrid.write("a dog on a beach", hits, out);

        BufferedImage grid = ImageIO.read(out.toFile());
        assertThat(grid).isNotNull();
        assertThat(grid.getWidth()).isEqualTo(2 * 24 + 5 * 200 + 4 * 16);
        assertThat(grid.getHeight()).isEqualTo(64 + 2 * (200 + 44) + 16 + 24);
        for (int i = 0; i < 7; i++) { // each thumbnail's centre shows its image
            int x = 24 + (i % 5) * (200 + 16) + 100;
            int y = 64 + (i / 5) * (200 + 44 + 16) + 100;
            assertThat(ChartTestImages.near(grid.getRGB(x, y), colours[i], 8)).as("hit " + i).isTrue();
        }
    }

    @Test
    void unreadableImagesAndChineseQueriesStillRender() throws Exception {
        Path notAnImage = tmp.resolve("broken.jpg");
        java.nio.file.Files.writeString(notAnImage, "no");
        BufferedImage grid = ResultGrid.render("一只在海滩上的狗", List.of(new SearchHit(notAnImage, 0.2f)));
        assertThat(grid.getWidth()).isEqualTo(560);
        assertThat(grid.getHeight()).isEqualTo(64 + 200 + 44 + 24);
        assertThat(ChartTestImages.near(grid.getRGB(24 + 100, 64 + 5), Drawing.PLACEHOLDER, 2)).isTrue();
    }

    @Test
    void noHitsGiveAnEmptyGridSayingSo() {
        BufferedImage grid = ResultGrid.render("nothing", List.of());
        assertThat(grid.getWidth()).isEqualTo(560);
        assertThat(grid.getHeight()).isEqualTo(64 + 200 + 44 + 24);
    }
}
