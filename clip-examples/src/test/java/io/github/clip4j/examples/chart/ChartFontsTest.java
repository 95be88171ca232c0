package io.github.clip4j.examples.chart;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.Font;
import java.awt.GraphicsEnvironment;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class ChartFontsTest {

    @BeforeAll
    static void headless() {
        System.setProperty("java.awt.headless", "true");
    }

    @Test
    void latinTextUsesDialog() {
        assertThat(ChartFonts.familyFor(List.of("cat", "dog", "café"))).isEqualTo("Dialog");
    }

    @Test
    void chineseTextGetsAFontThatDrawsItWhenAnyInstalledFontCan() {
        String text = "一只猫 and a dog";
        boolean anyCan = Arrays.stream(GraphicsEnvironment.getLocalGraphicsEnvironment().getAvailableFontFamilyNames())
                .anyMatch(f -> new Font(f, Font.PLAIN, 12).canDisplayUpTo(text) == -1)
                || ChartFonts.canDisplay("Dialog", text);
        String family = ChartFonts.familyFor(List.of(text));
        if (anyCan) {
            assertThat(ChartFonts.canDisplay(family, text)).as(family).isTrue();
        } else {
            assertThat(family).isEqualTo("Dialog");
        }
    }
}
