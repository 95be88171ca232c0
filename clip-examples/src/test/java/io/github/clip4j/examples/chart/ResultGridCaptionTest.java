package io.github.clip4j.examples.chart;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.clip4j.retrieval.SearchHit;
import java.awt.Color;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The grid's captions: the hit's path relative to its indexed folder. */
class ResultGridCaptionTest {
    @TempDir
    Path tmp;

    @BeforeAll
    static void headless() {
        System.setProperty("java.awt.headless", "true");
    }

    @Test
    void captionIsThePathRelativeToTheFolderHoldingIt() {
        Path photos = tmp.resolve("photos");
        Path other = tmp.resolve("other");
        List<Path> folders = List.of(other, photos);
        assertThat(ResultGrid.caption(photos.resolve("2024/beach/dog.jpg"), folders)).isEqualTo("2024/beach/dog.jpg");
        assertThat(ResultGrid.caption(photos.resolve("cat.png"), folders)).isEqualTo("cat.png");
        assertThat(ResultGrid.caption(other.resolve("x/y.png"), folders)).isEqualTo("x/y.png");
    }

    @Test
    void theInnermostFolderWinsAndPathsCompareNormalized() {
        Path photos = tmp.resolve("photos");
        Path nested = photos.resolve("2024");
        assertThat(ResultGrid.caption(nested.resolve("a/b.png"), List.of(photos, nested))).isEqualTo("a/b.png");
        assertThat(ResultGrid.caption(nested.resolve("a/b.png"), List.of(nested, photos))).isEqualTo("a/b.png");
        assertThat(ResultGrid.caption(photos.resolve("./x/../2024/c.png"), List.of(tmp.resolve("photos/."))))
                .isEqualTo("2024/c.png");
    }

    @Test
    void relativeHitsAndFoldersAreResolvedTheSameWay() {
        assertThat(ResultGrid.caption(Path.of("photos/sub/p.png"), List.of(Path.of("photos")))).isEqualTo("sub/p.png");
        assertThat(ResultGrid.caption(Path.of("photos/sub/p.png"), List.of(Path.of("photos").toAbsolutePath())))
                .isEqualTo("sub/p.png");
    }

    @Test
    void outsideEveryFolderOrWithoutFoldersItIsTheFileName() {
        Path photos = tmp.resolve("photos");
        assertThat(ResultGrid.caption(tmp.resolve("elsewhere/q.png"), List.of(photos))).isEqualTo("q.png");
        assertThat(ResultGrid.caption(tmp.resolve("photos-2/q.png"), List.of(photos))).isEqualTo("q.png");
        assertThat(ResultGrid.caption(photos.resolve("sub/q.png"), List.of())).isEqualTo("q.png");
    }

    @Test
    void theGridDrawsTheRelativeCaption() throws Exception {
        Path photos = Files.createDirectories(tmp.resolve("photos").resolve("a rather long sub folder"));
        Path image = ChartTestImages.write(photos.resolve("p.png"), 60, 40, Color.ORANGE);
        List<SearchHit> hits = List.of(new SearchHit(image, 0.5f));
        BufferedImage plain = ResultGrid.render("q", hits, null, List.of());
        BufferedImage relative = ResultGrid.render("q", hits, null, List.of(tmp.resolve("photos")));
        assertThat(ResultGrid.render("q", hits)).satisfies(g -> assertThat(same(g, plain)).isTrue());
        assertThat(same(plain, relative)).as("the caption band differs").isFalse();
    }

    private static boolean same(BufferedImage a, BufferedImage b) {
        if (a.getWidth() != b.getWidth() || a.getHeight() != b.getHeight()) {
            return false;
        }
        for (int y = 0; y < a.getHeight(); y++) {
            for (int x = 0; x < a.getWidth(); x++) {
                if (a.getRGB(x, y) != b.getRGB(x, y)) {
                    return false;
                }
            }
        }
        return true;
    }
}
