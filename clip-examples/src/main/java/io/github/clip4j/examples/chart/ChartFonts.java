package io.github.clip4j.examples.chart;

import static java.util.Objects.requireNonNull;

import java.awt.Font;
import java.awt.FontFormatException;
import java.awt.GraphicsEnvironment;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Picks a font that can draw every character of a chart's text, labels in Chinese or Japanese included.
 *
 * <p>In order: the font given by the caller (a font file, see {@link #load(Path)}), the logical font {@code Dialog}
 * (always fine for Latin text), then the installed CJK families clip4j knows ({@code Noto Sans CJK SC/TC/JP},
 * {@code Source Han Sans}, {@code WenQuanYi Micro Hei/Zen Hei}, {@code Microsoft YaHei}, {@code SimHei},
 * {@code PingFang SC}, {@code Heiti SC}, ...), then any installed family; the first that can draw all of the text
 * ({@link Font#canDisplayUpTo(String)}) wins. If none can, the missing characters would be drawn as empty boxes:
 * then one warning (once per JVM) says which character is missing and which package to install
 * ({@code fonts-noto-cjk} or {@code fonts-wqy-microhei} on Debian and Ubuntu). Works headless.
 */
public final class ChartFonts {
    static final String FALLBACK = Font.DIALOG;

    private static final Logger LOG = LoggerFactory.getLogger(ChartFonts.class);

    private static final List<String> PREFERRED = List.of(
            "Noto Sans CJK SC", "Noto Sans CJK TC", "Noto Sans CJK JP", "Noto Sans CJK KR", "Noto Sans CJK",
            "Noto Sans SC", "Noto Sans TC", "Noto Sans JP", "Source Han Sans SC", "Source Han Sans CN",
            "Source Han Sans", "WenQuanYi Micro Hei", "WenQuanYi Zen Hei", "Droid Sans Fallback", "AR PL UMing CN",
            "AR PL UKai CN", "Microsoft YaHei", "Microsoft JhengHei", "SimHei", "SimSun", "PingFang SC",
            "Heiti SC", "STHeiti", "Hiragino Sans GB", "Hiragino Sans", "Yu Gothic", "Meiryo", "Malgun Gothic",
            "Apple SD Gothic Neo", "Arial Unicode MS");

    private static final AtomicBoolean WARNED = new AtomicBoolean();
    /** Where the missing-glyph warning goes; tests replace it. */
    static volatile Consumer<String> warnings = LOG::warn;

    private static volatile List<String> installed;

    private ChartFonts() {}

    /**
     * Reads a font file to draw charts with: TrueType ({@code .ttf}), OpenType ({@code .otf}) or a TrueType
     * collection ({@code .ttc}, whose first font is used).
     *
     * @param file the font file, not null
     * @return the font, 12 points
     * @throws IOException naming the file if it is missing, unreadable or not a font Java can use
     */
    public static Font load(Path file) throws IOException {
        requireNonNull(file, "file");
        if (!Files.isRegularFile(file)) {
            throw new NoSuchFileException(file.toString(), null, "no such font file");
        }
        Font[] fonts;
        try {
            fonts = Font.createFonts(file.toFile());
        } catch (FontFormatException | RuntimeException e) {
            throw new IOException("not a TrueType, OpenType or TrueType-collection font: " + file, e);
        }
        if (fonts.length == 0) {
            throw new IOException("no font in " + file);
        }
        return fonts[0].deriveFont(Font.PLAIN, 12f);
    }

    /** The family to draw all of {@code texts} with (see {@link #fontFor}). */
    static String familyFor(Iterable<String> texts) {
        return fontFor(texts, null).getFamily();
    }

    /**
     * The font to draw all of {@code texts} with: {@code chosen} if it can, else the first font that can in the
     * order of the class comment; if none can, {@code chosen} (or {@code Dialog}) and one warning per JVM.
     *
     * @param texts the texts the chart will draw
     * @param chosen the caller's font, or null
     * @return a 12-point plain font; derive sizes and styles from it
     */
    static Font fontFor(Iterable<String> texts, Font chosen) {
        requireNonNull(texts, "texts");
        StringBuilder sample = new StringBuilder();
        for (String t : texts) {
            sample.append(t);
        }
        String s = sample.toString();
        List<Font> candidates = new ArrayList<>();
        if (chosen != null) {
            candidates.add(chosen.deriveFont(Font.PLAIN, 12f));
        }
        candidates.add(new Font(FALLBACK, Font.PLAIN, 12));
        for (Font f : candidates) {
            if (f.canDisplayUpTo(s) == -1) {
                if (f != candidates.get(0)) {
                    warnOnce("the font " + chosen.getFontName() + " cannot draw '"
                            + missing(chosen, s) + "' of the chart's text; using " + f.getFamily() + " instead");
                }
                return f;
            }
        }
        Set<String> available = new HashSet<>(installedFamilies());
        for (String family : PREFERRED) {
            if (available.contains(family) && canDisplay(family, s)) {
                return found(new Font(family, Font.PLAIN, 12), chosen, s);
            }
        }
        for (String family : installedFamilies()) {
            if (canDisplay(family, s)) {
                return found(new Font(family, Font.PLAIN, 12), chosen, s);
            }
        }
        Font best = candidates.get(0);
        warnOnce("no installed font can draw '" + missing(best, s) + "' of the chart's text: it shows as empty"
                + " boxes. Install a CJK font (Debian/Ubuntu: apt-get install fonts-noto-cjk, or the smaller"
                + " fonts-wqy-microhei) or give a font file (clip: --font FILE)");
        return best;
    }

    private static Font found(Font font, Font chosen, String text) {
        if (chosen != null) {
            warnOnce("the font " + chosen.getFontName() + " cannot draw '" + missing(chosen, text)
                    + "' of the chart's text; using " + font.getFamily() + " instead");
        }
        return font;
    }

    /** The first character of {@code text} that {@code font} cannot draw. */
    private static String missing(Font font, String text) {
        int at = font.canDisplayUpTo(text);
        return at < 0 ? "" : new String(Character.toChars(text.codePointAt(at)));
    }

    private static void warnOnce(String message) {
        if (WARNED.compareAndSet(false, true)) {
            warnings.accept(message);
        }
    }

    /** Lets the next missing-glyph warning through again (tests). */
    static void resetWarning() {
        WARNED.set(false);
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
