package io.github.clip4j.examples.chart;

import static java.util.Objects.requireNonNull;

import io.github.clip4j.zeroshot.Classification;
import io.github.clip4j.zeroshot.Prediction;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Draws a zero-shot classification as a PNG: the image on the left, and on the right one horizontal bar per label,
 * best first, as long as the label's probability, with the probability and the cosine score printed beside it.
 *
 * <pre>{@code
 * Classification c = classifier.classify(Path.of("street.jpg"));
 * ClassificationChart.write(c, Path.of("street-chart.png"));
 * }</pre>
 *
 * <p>Layout: {@value #WIDTH} pixels wide; {@value #HEADER} pixels of title, then a {@value #PICTURE}-pixel square for
 * the image beside {@value #ROW} pixels per label (whichever is taller), then a {@value #MARGIN}-pixel margin. Labels
 * in any script are drawn with a font that has their glyphs (see {@code ChartFonts}). Headless-safe.
 */
public final class ClassificationChart {
    static final int WIDTH = 1080;
    static final int HEADER = 64;
    static final int PICTURE = 360;
    static final int ROW = 40;
    static final int MARGIN = 24;
    private static final int BAR = 24;
    private static final int MAX_LABEL_WIDTH = 220;
    private static final int VALUE_WIDTH = 130;
    static final Color BEST_BAR = new Color(0x2B, 0x63, 0xC6);
    static final Color OTHER_BAR = new Color(0x9D, 0xBC, 0xEB);

    private ClassificationChart() {}

    /**
     * The chart of {@code classification}, titled with the image's file name. The image is read again from its
     * file; a classification of an embedding, or an image Java cannot read, gets a placeholder instead.
     *
     * @param classification the classification to draw, not null
     * @return a new RGB image {@value #WIDTH} pixels wide
     */
    public static BufferedImage render(Classification classification) {
        return render(classification, null);
    }

    /**
     * The chart of {@code classification} drawn with {@code font} (see {@link ChartFonts#load}) where it has the
     * glyphs; otherwise as {@link #render(Classification)}.
     *
     * @param classification the classification to draw, not null
     * @param font the font to prefer, or null to pick one that draws every label
     * @return a new RGB image {@value #WIDTH} pixels wide
     */
    public static BufferedImage render(Classification classification, Font font) {
        requireNonNull(classification, "classification");
        Optional<Path> image = classification.image();
        String title = "Zero-shot classification" + image.map(p -> ": " + p.getFileName()).orElse("");
        return render(image.flatMap(Drawing::read).orElse(null), title, classification.predictions(), font);
    }

    /**
     * The chart of {@code predictions} (drawn in the order given) beside {@code picture}.
     *
     * @param picture the classified image, or null to draw a placeholder
     * @param title the chart's title, not null; cut with an ellipsis if too wide
     * @param predictions one or more predictions, not null; each bar is as long as its probability
     * @return a new RGB image {@value #WIDTH} pixels wide
     * @throws IllegalArgumentException if there are no predictions
     */
    public static BufferedImage render(BufferedImage picture, String title, List<Prediction> predictions) {
        return render(picture, title, predictions, null);
    }

    /**
     * The chart of {@code predictions} beside {@code picture}, drawn with {@code font} where it has the glyphs.
     *
     * @param picture the classified image, or null to draw a placeholder
     * @param title the chart's title, not null; cut with an ellipsis if too wide
     * @param predictions one or more predictions, not null; each bar is as long as its probability
     * @param font the font to prefer (see {@link ChartFonts#load}), or null to pick one that draws every label
     * @return a new RGB image {@value #WIDTH} pixels wide
     * @throws IllegalArgumentException if there are no predictions
     */
    public static BufferedImage render(BufferedImage picture, String title, List<Prediction> predictions,
            Font font) {
        requireNonNull(title, "title");
        requireNonNull(predictions, "predictions");
        if (predictions.isEmpty()) {
            throw new IllegalArgumentException("nothing to chart: no predictions");
        }
        int contentHeight = Math.max(PICTURE, predictions.size() * ROW);
        BufferedImage chart = new BufferedImage(WIDTH, HEADER + contentHeight + MARGIN, BufferedImage.TYPE_INT_RGB);
        List<String> texts = new ArrayList<>();
        texts.add(title);
        for (Prediction p : predictions) {
            texts.add(p.label());
        }
        Font base = ChartFonts.fontFor(texts, font);
        Graphics2D g = Drawing.canvas(chart);
        try {
            Drawing.drawHeader(g, base, title,
                    "bars: probability (softmax over the labels); in brackets: cosine similarity", WIDTH, MARGIN);

            int pictureTop = HEADER + (contentHeight - PICTURE) / 2;
            g.setFont(base.deriveFont(Font.PLAIN, 15f));
            Drawing.drawFitted(g, Optional.ofNullable(picture), MARGIN, pictureTop, PICTURE, PICTURE, "no image");
            drawBars(g, base, predictions, HEADER + (contentHeight - predictions.size() * ROW) / 2);
        } finally {
            g.dispose();
        }
        return chart;
    }

    private static void drawBars(Graphics2D g, Font base, List<Prediction> predictions, int top) {
        int left = MARGIN + PICTURE + 32;
        int right = WIDTH - MARGIN;
        Font labelFont = base.deriveFont(Font.PLAIN, 16f);
        Font valueFont = base.deriveFont(Font.PLAIN, 14f);
        FontMetrics labels = g.getFontMetrics(labelFont);
        int labelWidth = 0;
        for (Prediction p : predictions) {
            labelWidth = Math.max(labelWidth, labels.stringWidth(p.label()));
        }
        labelWidth = Math.min(labelWidth, MAX_LABEL_WIDTH);
        int barLeft = left + labelWidth + 12;
        int barMax = right - VALUE_WIDTH - barLeft;

        g.setColor(Drawing.FRAME);
        g.setStroke(new BasicStroke(1f));
        g.drawLine(barLeft, top, barLeft, top + predictions.size() * ROW);
        for (int i = 0; i < predictions.size(); i++) {
            Prediction p = predictions.get(i);
            int rowTop = top + i * ROW + (ROW - BAR) / 2;
            int baseline = rowTop + BAR / 2 + labels.getAscent() / 2 - 2;

            g.setFont(labelFont);
            g.setColor(Drawing.TEXT);
            String label = Drawing.ellipsize(p.label(), labels, labelWidth);
            g.drawString(label, barLeft - 12 - labels.stringWidth(label), baseline);

            int length = (int) Math.round(p.probability() * barMax);
            g.setColor(i == 0 ? BEST_BAR : OTHER_BAR);
            g.fillRect(barLeft + 1, rowTop, Math.max(length, 1), BAR);

            g.setFont(valueFont);
            g.setColor(Drawing.TEXT);
            String value = String.format(Locale.ROOT, "%.1f%%  (%.3f)", 100 * p.probability(), p.score());
            g.drawString(value, barLeft + length + 8, baseline);
        }
    }

    /**
     * Renders the chart of {@code classification} and writes it to {@code png}, creating its folder if needed.
     *
     * @param classification the classification to draw, not null
     * @param png the output file, not null; replaced if it exists
     * @throws IOException if the file or its folder cannot be written
     */
    public static void write(Classification classification, Path png) throws IOException {
        write(classification, png, null);
    }

    /**
     * Renders the chart of {@code classification} with {@code font} (see {@link #render(Classification, Font)}) and
     * writes it to {@code png}, creating its folder if needed.
     *
     * @param classification the classification to draw, not null
     * @param png the output file, not null; replaced if it exists
     * @param font the font to prefer, or null to pick one that draws every label
     * @throws IOException if the file or its folder cannot be written
     */
    public static void write(Classification classification, Path png, Font font) throws IOException {
        requireNonNull(png, "png");
        Drawing.writePng(render(classification, font), png);
    }
}
