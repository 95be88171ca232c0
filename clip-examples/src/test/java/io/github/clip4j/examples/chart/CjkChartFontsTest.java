package io.github.clip4j.examples.chart;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.github.clip4j.zeroshot.Prediction;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.font.FontRenderContext;
import java.awt.font.GlyphVector;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Chinese labels draw real glyphs, not the missing-glyph box. Needs a CJK font on the machine
 * ({@code apt-get install fonts-wqy-microhei}, which {@code .ci/run} installs when {@code fc-list :lang=zh} finds
 * none): skipped without one, except on CI ({@code CI=true}), where that is a failure.
 */
public class CjkChartFontsTest {
    static final String LABELS = "猫一只狗";

    @TempDir
    Path tmp;

    @BeforeAll
    static void headless() {
        System.setProperty("java.awt.headless", "true");
    }

    private final java.util.function.Consumer<String> originalWarnings = ChartFonts.warnings;

    @AfterEach
    void restoreWarnings() {
        ChartFonts.warnings = originalWarnings;
        ChartFonts.resetWarning();
    }

    /** Skips the test (fails it on CI) when this machine has no font for Chinese. */
    static void requireCjkFont() {
        if (ChartFonts.fontFor(List.of(LABELS), null).canDisplayUpTo(LABELS) == -1) {
            return;
        }
        String message = "no installed font can draw Chinese; apt-get install fonts-wqy-microhei (or fonts-noto-cjk)";
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            fail(message);
        }
        assumeTrue(false, message);
    }

    /** A font file on this machine that can draw Chinese (TTF, OTF or TTC under /usr/share/fonts). */
    public static Path cjkFontFile() throws IOException {
        requireCjkFont();
        Path fonts = Path.of("/usr/share/fonts");
        Optional<Path> file = Optional.empty();
        if (Files.isDirectory(fonts)) {
            try (Stream<Path> files = Files.walk(fonts)) {
                file = files.filter(p -> p.toString().matches("(?i).*\\.(ttf|otf|ttc)$"))
                        .sorted()
                        .filter(p -> {
                            try {
                                return ChartFonts.load(p).canDisplayUpTo(LABELS) == -1;
                            } catch (IOException e) {
                                return false;
                            }
                        })
                        .findFirst();
            }
        }
        assumeTrue(file.isPresent(), "no CJK font file under /usr/share/fonts");
        return file.get();
    }

    @Test
    void chineseLabelsGetAFontWithTheirGlyphs() {
        requireCjkFont();
        Font font = ChartFonts.fontFor(List.of("Zero-shot classification: cat.png", "猫", "一只狗"), null);
        assertThat(font.canDisplayUpTo(LABELS)).as(font.getFontName()).isEqualTo(-1);
        assertDrawsRealGlyphs(font.deriveFont(Font.PLAIN, 32f), LABELS);
    }

    @Test
    void aFontFileIsUsedForTheChart() throws IOException {
        Path file = cjkFontFile();
        Font font = ChartFonts.load(file);
        assertThat(ChartFonts.fontFor(List.of(LABELS), font).getFontName()).isEqualTo(font.getFontName());
        assertDrawsRealGlyphs(font.deriveFont(Font.PLAIN, 32f), LABELS);

        List<Prediction> predictions = List.of(new Prediction("猫", 0.7, 0.31), new Prediction("一只狗", 0.3, 0.22));
        BufferedImage chart = ClassificationChart.render(null, "猫 or 狗", predictions, font);
        assertThat(chart.getWidth()).isEqualTo(ClassificationChart.WIDTH);
    }

    @Test
    void aFileThatIsNotAFontIsRefusedNamingIt() throws IOException {
        Path junk = Files.writeString(tmp.resolve("junk.ttf"), "this is not a font");
        assertThatThrownBy(() -> ChartFonts.load(junk)).isInstanceOf(IOException.class)
                .hasMessageContaining(junk.toString());
        assertThatThrownBy(() -> ChartFonts.load(tmp.resolve("gone.otf"))).isInstanceOf(IOException.class)
                .hasMessageContaining("gone.otf");
    }

    @Test
    void textNoFontCanDrawGivesOneWarningNamingTheFontPackages() {
        List<String> messages = new ArrayList<>();
        ChartFonts.resetWarning();
        ChartFonts.warnings = messages::add;
        String undrawable = "cat \u0378";   // an unassigned code point: no font has a glyph for it
        assertThat(ChartFonts.fontFor(List.of(undrawable), null).getFamily()).isEqualTo("Dialog");
        ChartFonts.fontFor(List.of(undrawable), null);
        ChartFonts.fontFor(List.of("dog \u0378"), null);
        assertThat(messages).hasSize(1);
        assertThat(messages.get(0)).contains("\u0378").contains("fonts-noto-cjk").contains("fonts-wqy-microhei")
                .contains("--font");
    }

    @Test
    void latinTextGivesNoWarning() {
        List<String> messages = new ArrayList<>();
        ChartFonts.resetWarning();
        ChartFonts.warnings = messages::add;
        ChartFonts.fontFor(List.of("cat", "dog"), null);
        assertThat(messages).isEmpty();
    }

    /**
     * {@code text} drawn alone has ink, uses no missing-glyph code, and differs from drawing the font's
     * missing-glyph box the same number of times.
     */
    static void assertDrawsRealGlyphs(Font font, String text) {
        FontRenderContext frc = new FontRenderContext(null, true, true);
        GlyphVector glyphs = font.createGlyphVector(frc, text);
        int[] missing = new int[glyphs.getNumGlyphs()];
        for (int i = 0; i < missing.length; i++) {
            assertThat(glyphs.getGlyphCode(i)).as("glyph %d of %s in %s", i, text, font.getFontName())
                    .isNotEqualTo(font.getMissingGlyphCode());
            missing[i] = font.getMissingGlyphCode();
        }
        BufferedImage drawn = draw(glyphs);
        BufferedImage boxes = draw(font.createGlyphVector(frc, missing));
        assertThat(ink(drawn)).as("ink of %s", text).isGreaterThan(50);
        assertThat(difference(drawn, boxes)).as("pixels unlike the missing-glyph boxes").isGreaterThan(50);
    }

    private static BufferedImage draw(GlyphVector glyphs) {
        BufferedImage image = new BufferedImage(300, 60, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, image.getWidth(), image.getHeight());
        g.setColor(Color.BLACK);
        g.drawGlyphVector(glyphs, 8, 44);
        g.dispose();
        return image;
    }

    private static int ink(BufferedImage image) {
        int n = 0;
        for (int y = 0; y < image.getHeight(); y++) {
            for (int x = 0; x < image.getWidth(); x++) {
                if ((image.getRGB(x, y) & 0xFF) < 128) {
                    n++;
                }
            }
        }
        return n;
    }

    private static int difference(BufferedImage a, BufferedImage b) {
        int n = 0;
        for (int y = 0; y < a.getHeight(); y++) {
            for (int x = 0; x < a.getWidth(); x++) {
                if (Math.abs((a.getRGB(x, y) & 0xFF) - (b.getRGB(x, y) & 0xFF)) > 64) {
                    n++;
                }
            }
        }
        return n;
    }
}
