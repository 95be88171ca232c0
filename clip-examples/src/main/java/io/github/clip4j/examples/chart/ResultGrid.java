package io.github.clip4j.examples.chart;

import static java.util.Objects.requireNonNull;

import io.github.clip4j.retrieval.SearchHit;
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
 * Draws search results as a PNG: the title (the query) above the hits' thumbnails, best first, left to right and
 * top to bottom, each captioned with its rank, score and path: relative to the indexed folder it is in when the
 * index's folders are given (see {@link #caption}), else its file name.
 *
 * <pre>{@code
 * List<SearchHit> hits = index.search("a dog on a beach", 10);
 * ResultGrid.write("a dog on a beach", hits, Path.of("dogs.png"));
 * }</pre>
 *
 * <p>Layout: up to {@value #COLUMNS} columns of {@value #THUMBNAIL}-pixel square thumbnails with a
 * {@value #CAPTION}-pixel caption, {@value #GAP} pixels apart, {@value #MARGIN}-pixel margins, a {@value #HEADER}-pixel
 * title band, and at least {@value #MIN_WIDTH} pixels wide. An unreadable image gets a grey placeholder. Headless-safe.
 */
public final class ResultGrid {
    static final int COLUMNS = 5;
    static final int THUMBNAIL = 200;
    static final int CAPTION = 44;
    static final int GAP = 16;
    static final int MARGIN = 24;
    static final int HEADER = 64;
    static final int MIN_WIDTH = 560;

    private ResultGrid() {}

    /**
     * The grid of {@code hits}, drawn in the order given, under {@code title}; a "no results" placeholder when there
     * are none. Each thumbnail is read from the hit's file; an unreadable one gets a placeholder.
     *
     * @param title the grid's title, usually the query; not null, cut with an ellipsis if too wide
     * @param hits the hits to draw, not null; may be empty
     * @return a new RGB image, at least {@value #MIN_WIDTH} pixels wide
     */
    public static BufferedImage render(String title, List<SearchHit> hits) {
        return render(title, hits, null);
    }

    /**
     * The grid of {@code hits} under {@code title}, drawn with {@code font} where it has the glyphs.
     *
     * @param title the grid's title, usually the query; not null, cut with an ellipsis if too wide
     * @param hits the hits to draw, not null; may be empty
     * @param font the font to prefer (see {@link ChartFonts#load}), or null to pick one that draws every text
     * @return a new RGB image, at least {@value #MIN_WIDTH} pixels wide
     */
    public static BufferedImage render(String title, List<SearchHit> hits, Font font) {
        return render(title, hits, font, List.of());
    }

    /**
     * The grid of {@code hits} under {@code title}, drawn with {@code font} where it has the glyphs, each hit captioned
     * with its path relative to the folder of {@code folders} it is in (see {@link #caption}).
     *
     * @param title the grid's title, usually the query; not null, cut with an ellipsis if too wide
     * @param hits the hits to draw, not null; may be empty
     * @param font the font to prefer (see {@link ChartFonts#load}), or null to pick one that draws every text
     * @param folders the indexed folders (e.g. {@code ImageIndex.folders()}), not null; may be empty
     * @return a new RGB image, at least {@value #MIN_WIDTH} pixels wide
     */
    public static BufferedImage render(String title, List<SearchHit> hits, Font font, List<Path> folders) {
        requireNonNull(title, "title");
        requireNonNull(hits, "hits");
        requireNonNull(folders, "folders");
        int columns = Math.max(1, Math.min(COLUMNS, hits.size()));
        int rows = Math.max(1, (hits.size() + COLUMNS - 1) / COLUMNS);
        int width = Math.max(MIN_WIDTH, 2 * MARGIN + columns * THUMBNAIL + (columns - 1) * GAP);
        int height = HEADER + rows * (THUMBNAIL + CAPTION) + (rows - 1) * GAP + MARGIN;
        BufferedImage grid = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);

        List<String> texts = new ArrayList<>();
        texts.add(title);
        List<String> captions = new ArrayList<>(hits.size());
        for (SearchHit hit : hits) {
            captions.add(caption(hit.path(), folders));
        }
        texts.addAll(captions);
        Font base = ChartFonts.fontFor(texts, font);
        Graphics2D g = Drawing.canvas(grid);
        try {
            Drawing.drawHeader(g, base, title, hits.size() + (hits.size() == 1 ? " match" : " matches")
                    + ", best first; score: cosine similarity with the query", width, MARGIN);

            if (hits.isEmpty()) {
                g.setFont(base.deriveFont(Font.PLAIN, 15f));
                Drawing.drawFitted(g, Optional.empty(), MARGIN, HEADER, THUMBNAIL, THUMBNAIL, "no results");
            }
            for (int i = 0; i < hits.size(); i++) {
                int x = MARGIN + (i % COLUMNS) * (THUMBNAIL + GAP);
                int y = HEADER + (i / COLUMNS) * (THUMBNAIL + CAPTION + GAP);
                drawCell(g, base, i + 1, hits.get(i), captions.get(i), x, y);
            }
        } finally {
            g.dispose();
        }
        return grid;
    }

    private static void drawCell(Graphics2D g, Font base, int rank, SearchHit hit, String caption, int x, int y) {
        g.setFont(base.deriveFont(Font.PLAIN, 14f));
        Drawing.drawFitted(g, Drawing.read(hit.path()), x, y, THUMBNAIL, THUMBNAIL, "unreadable");
        g.setColor(Drawing.FRAME);
        g.drawRect(x, y, THUMBNAIL - 1, THUMBNAIL - 1);

        g.setFont(base.deriveFont(Font.BOLD, 15f));
        g.setColor(Drawing.TEXT);
        g.drawString(String.format(Locale.ROOT, "#%d   %.3f", rank, hit.score()), x, y + THUMBNAIL + 19);
        g.setFont(base.deriveFont(Font.PLAIN, 13f));
        g.setColor(Drawing.MUTED);
        FontMetrics fm = g.getFontMetrics();
        g.drawString(Drawing.ellipsize(caption, fm, THUMBNAIL), x, y + THUMBNAIL + 38);
    }

    /**
     * A hit's caption: {@code path} relative to the innermost of {@code folders} that holds it (compared as absolute,
     * normalized paths), with {@code /} between names; its file name when no folder holds it.
     *
     * @param path the hit's image file, not null
     * @param folders the indexed folders, not null; may be empty
     * @return the caption, not null
     */
    public static String caption(Path path, List<Path> folders) {
        requireNonNull(path, "path");
        requireNonNull(folders, "folders");
        Path file = path.toAbsolutePath().normalize();
        Path best = null;
        for (Path folder : folders) {
            Path root = folder.toAbsolutePath().normalize();
            if (file.startsWith(root) && !file.equals(root)
                    && (best == null || root.getNameCount() > best.getNameCount())) {
                best = root;
            }
        }
        if (best == null) {
            return String.valueOf(path.getFileName());
        }
        Path relative = best.relativize(file);
        StringBuilder text = new StringBuilder();
        for (Path name : relative) {
            if (text.length() > 0) {
                text.append('/');
            }
            text.append(name);
        }
        return text.toString();
    }

    /**
     * Renders the grid of {@code hits} and writes it to {@code png}, creating its folder if needed.
     *
     * @param title the grid's title, usually the query; not null
     * @param hits the hits to draw, not null; may be empty
     * @param png the output file, not null; replaced if it exists
     * @throws IOException if the file or its folder cannot be written
     */
    public static void write(String title, List<SearchHit> hits, Path png) throws IOException {
        write(title, hits, png, null);
    }

    /**
     * Renders the grid of {@code hits} with {@code font} and writes it to {@code png}, creating its folder if needed.
     *
     * @param title the grid's title, usually the query; not null
     * @param hits the hits to draw, not null; may be empty
     * @param png the output file, not null; replaced if it exists
     * @param font the font to prefer (see {@link ChartFonts#load}), or null to pick one that draws every text
     * @throws IOException if the file or its folder cannot be written
     */
    public static void write(String title, List<SearchHit> hits, Path png, Font font) throws IOException {
        write(title, hits, png, font, List.of());
    }

    /**
     * Renders the grid of {@code hits} with {@code font}, captioned relative to {@code folders}, and writes it to
     * {@code png}, creating its folder if needed.
     *
     * @param title the grid's title, usually the query; not null
     * @param hits the hits to draw, not null; may be empty
     * @param png the output file, not null; replaced if it exists
     * @param font the font to prefer (see {@link ChartFonts#load}), or null to pick one that draws every text
     * @param folders the indexed folders (e.g. {@code ImageIndex.folders()}), not null; may be empty
     * @throws IOException if the file or its folder cannot be written
     */
    public static void write(String title, List<SearchHit> hits, Path png, Font font, List<Path> folders)
            throws IOException {
        requireNonNull(png, "png");
        Drawing.writePng(render(title, hits, font, folders), png);
    }
}
