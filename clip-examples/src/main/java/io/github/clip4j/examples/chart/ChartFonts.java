package io.github.clip4j.examples.chart;

import static java.util.Objects.requireNonNull;

import java.awt.Font;
import java.awt.GraphicsEnvironment;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Picks a font that can draw every character of a chart's text, labels in Chinese or Japanese included.
 *
 * <p>The logical font {@code Dialog} is used when it can draw the text (always for Latin text); otherwise the first
 * installed family that can, trying well-known CJK families first ({@code Noto Sans CJK}, {@code WenQuanYi},
 * {@code Microsoft YaHei}, ...). If no installed font can, {@code Dialog} draws what it can (missing glyphs show as
 * boxes). Works headless.
 */
final class ChartFonts {
    static final String FALLBACK = Font.DIALOG;

    private static final List<String> PREFERRED = List.of(
            "Noto Sans CJK SC", "Noto Sans CJK TC", "Noto Sans CJK JP", "Noto Sans CJK KR", "Noto Sans SC",
            "Source Han Sans SC", "Source Han Sans", "WenQuanYi Zen Hei", "WenQuanYi Micro Hei", "Droid Sans Fallback",
            "PingFang SC", "Hiragino Sans GB", "Hiragino Sans", "Microsoft YaHei", "SimHei", "Yu Gothic", "Meiryo",
            "Malgun Gothic", "Apple SD Gothic Neo", "Arial Unicode MS");

    private static volatile List<String> installed;

    private ChartFonts() {}

    /** The family to draw all of {@code texts} with. */
    static String familyFor(Iterable<String> texts) {
        requireNonNull(texts, "texts");
        StringBuilder sample = new StringBuilder();
        for (String t : texts) {
            sample.append(t);
        }
        String s = sample.toString();
        if (canDisplay(FALLBACK, s)) {
            return FALLBACK;
        }
        Set<String> available = new HashSet<>(installedFamilies());
        for (String family : PREFERRED) {
            if (available.contains(family) && canDisplay(family, s)) {
                return family;
            }
        }
        for (String family : installedFamilies()) {
            if (canDisplay(family, s)) {
                return family;
            }
        }
        return FALLBACK;
    }

    static boolean canDisplay(String family, String text) {
        return new Font(family, Font.PLAIN, 12).canDisplayUpTo(text) == -1;
    }

    private static List<String> installedFamilies() {
        List<String> families = installed;
        if (families == null) {
            families = Arrays.asList(GraphicsEnvironment.getLocalGraphicsEnvironment().getAvailableFontFamilyNames());
            installed = families;
        }
        return families;
    }
}
