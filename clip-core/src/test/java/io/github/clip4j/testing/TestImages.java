package io.github.clip4j.testing;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import javax.imageio.ImageIO;

/** Small PNG files for tests: four random flat-coloured quadrants, different for every seed. */
public final class TestImages {
    private TestImages() {}

    /** Writes a 16 x 16 PNG seeded by {@code seed} to {@code file} (creating its folder) and returns the file. */
    public static Path writePng(Path file, long seed) throws IOException {
        Random random = new Random(seed);
        BufferedImage image = new BufferedImage(16, 16, BufferedImage.TYPE_INT_RGB);
        int[] colours = new int[4];
        for (int q = 0; q < 4; q++) {
            colours[q] = random.nextInt(1 << 24);
        }
        for (int y = 0; y < 16; y++) {
            for (int x = 0; x < 16; x++) {
                image.setRGB(x, y, colours[(y / 8) * 2 + x / 8]);
            }
        }
        Files.createDirectories(file.toAbsolutePath().getParent());
        if (!ImageIO.write(image, "png", file.toFile())) {
            throw new IOException("no PNG writer");
        }
        return file;
    }
}
