package io.github.clip4j.training;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import javax.imageio.ImageIO;

/**
 * Writes a small captioned image dataset: coloured shapes on a noisy background ("a red circle"), each class
 * drawn several times at random positions and sizes, as PNG files plus a {@code captions.csv}
 * ({@code image,caption}). Deterministic for a seed.
 */
final class ShapesDataset {
    static final List<String> COLOURS = List.of("red", "green", "blue");
    static final List<String> SHAPES = List.of("circle", "square", "triangle");
    private static final Color[] RGB = {new Color(220, 30, 30), new Color(30, 180, 40), new Color(30, 60, 220)};
    private static final int SIDE = 96;

    private ShapesDataset() {}

    /** Writes {@code perClass} images of each colour/shape class into {@code folder}; returns the CSV file. */
    static Path write(Path folder, int perClass, long seed) throws IOException {
        Random random = new Random(seed);
        StringBuilder csv = new StringBuilder("image,caption\n");
        for (int c = 0; c < COLOURS.size(); c++) {
            for (int s = 0; s < SHAPES.size(); s++) {
                for (int v = 0; v < perClass; v++) {
                    String name = COLOURS.get(c) + "-" + SHAPES.get(s) + "-" + v + ".png";
                    ImageIO.write(draw(RGB[c], SHAPES.get(s), random), "png", folder.resolve(name).toFile());
                    csv.append(name).append(",a ").append(COLOURS.get(c)).append(' ').append(SHAPES.get(s))
                            .append('\n');
                }
            }
        }
        return Files.writeString(folder.resolve("captions.csv"), csv, StandardCharsets.UTF_8);
    }

    private static BufferedImage draw(Color colour, String shape, Random random) {
        BufferedImage image = new BufferedImage(SIDE, SIDE, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < SIDE; y++) {
            for (int x = 0; x < SIDE; x++) {
                int grey = 200 + random.nextInt(40);
                image.setRGB(x, y, (grey << 16) | (grey << 8) | grey);
            }
        }
        Graphics2D g = image.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setColor(jitter(colour, random));
        int size = 36 + random.nextInt(36);
        int x = random.nextInt(SIDE - size);
        int y = random.nextInt(SIDE - size);
        switch (shape) {
            case "circle" -> g.fillOval(x, y, size, size);
            case "square" -> g.fillRect(x, y, size, size);
            case "triangle" -> g.fillPolygon(new int[] {x, x + size / 2, x + size}, new int[] {y + size, y, y + size},
                    3);
            default -> throw new IllegalArgumentException(shape);
        }
        g.dispose();
        return image;
    }

    private static Color jitter(Color c, Random random) {
        return new Color(clamp(c.getRed() + random.nextInt(41) - 20), clamp(c.getGreen() + random.nextInt(41) - 20),
                clamp(c.getBlue() + random.nextInt(41) - 20));
    }

    private static int clamp(int v) {
        return Math.max(0, Math.min(255, v));
    }
}
