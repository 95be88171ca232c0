package io.github.clip4j.examples.chart;

import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import javax.imageio.ImageIO;

/** What the charts share: canvas set-up, picture loading and fitting, text that fits, PNG output. */
final class Drawing {
    static final Color BACKGROUND = Color.WHITE;
    static final Color TEXT = new Color(0x22, 0x22, 0x22);
    static final Color MUTED = new Color(0x66, 0x66, 0x66);
    static final Color PLACEHOLDER = new Color(0xEE, 0xEE, 0xEE);
    static final Color FRAME = new Color(0xCC, 0xCC, 0xCC);

    private Drawing() {}

    /** A white RGB canvas and its antialiased graphics. */
    static Graphics2D canvas(BufferedImage image) {
        Graphics2D g = image.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_FRACTIONALMETRICS, RenderingHints.VALUE_FRACTIONALMETRICS_ON);
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BICUBIC);
        g.setRenderingHint(RenderingHints.KEY_RENDERING, RenderingHints.VALUE_RENDER_QUALITY);
        g.setColor(BACKGROUND);
        g.fillRect(0, 0, image.getWidth(), image.getHeight());
        return g;
    }

    /**
     * Draws the title band both charts start with: {@code title} in bold, cut to fit between the margins, and below
     * it {@code subtitle} in a small muted font that says how to read the chart.
     */
    static void drawHeader(Graphics2D g, Font font, String title, String subtitle, int width, int margin) {
        g.setFont(font.deriveFont(Font.BOLD, 22f));
        g.setColor(TEXT);
        g.drawString(ellipsize(title, g.getFontMetrics(), width - 2 * margin), margin, 34);
        g.setFont(font.deriveFont(Font.PLAIN, 13f));
        g.setColor(MUTED);
        g.drawString(subtitle, margin, 54);
    }

    /** The picture in {@code file}, or empty if it cannot be read (the chart then shows a placeholder). */
    static Optional<BufferedImage> read(Path file) {
        try {
            return Optional.ofNullable(ImageIO.read(file.toFile()));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /**
     * Draws {@code picture} scaled to fit the box (aspect ratio kept, centred), or a grey placeholder saying
     * {@code missing} when there is no picture.
     */
    static void drawFitted(Graphics2D g, Optional<BufferedImage> picture, int x, int y, int w, int h, String missing) {
        if (picture.isEmpty()) {
            g.setColor(PLACEHOLDER);
            g.fillRect(x, y, w, h);
            g.setColor(MUTED);
            FontMetrics fm = g.getFontMetrics();
            String text = ellipsize(missing, fm, w - 8);
            g.drawString(text, x + (w - fm.stringWidth(text)) / 2, y + h / 2 + fm.getAscent() / 2);
            return;
        }
        BufferedImage src = picture.get();
        double scale = Math.min((double) w / src.getWidth(), (double) h / src.getHeight());
        int dw = Math.max(1, (int) Math.round(src.getWidth() * scale));
        int dh = Math.max(1, (int) Math.round(src.getHeight() * scale));
        g.drawImage(shrink(src, dw, dh), x + (w - dw) / 2, y + (h - dh) / 2, dw, dh, null);
    }

    /**
     * {@code src} halved step by step until within twice the target size: one bicubic step from a large photo to a
     * thumbnail would skip most pixels and alias.
     */
    private static BufferedImage shrink(BufferedImage src, int w, int h) {
        BufferedImage current = src;
        while (current.getWidth() / 2 >= w && current.getHeight() / 2 >= h) {
            BufferedImage half = new BufferedImage(current.getWidth() / 2, current.getHeight() / 2,
                    BufferedImage.TYPE_INT_ARGB);
            Graphics2D g = half.createGraphics();
            g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
            g.drawImage(current, 0, 0, half.getWidth(), half.getHeight(), null);
            g.dispose();
            current = half;
        }
        return current;
    }

    /** {@code text}, cut and ended with an ellipsis if wider than {@code width} pixels. */
    static String ellipsize(String text, FontMetrics fm, int width) {
        if (fm.stringWidth(text) <= width) {
            return text;
        }
        String ellipsis = "…";
        int end = text.length();
        while (end > 0 && fm.stringWidth(text.substring(0, end) + ellipsis) > width) {
            end = text.offsetByCodePoints(end, -1);
        }
        return text.substring(0, end) + ellipsis;
    }

    /** Writes {@code image} as a PNG; the folder must exist (a missing one is an error, never created). */
    static void writePng(BufferedImage image, Path out) throws IOException {
        Path parent = out.toAbsolutePath().getParent();
        if (parent == null || !Files.isDirectory(parent)) {
            throw new java.nio.file.NoSuchFileException(String.valueOf(parent), null,
                    "the folder does not exist; create it first");
        }
        if (!ImageIO.write(image, "png", out.toFile())) {
            throw new IOException("no PNG writer available to write " + out);
        }
    }
}
