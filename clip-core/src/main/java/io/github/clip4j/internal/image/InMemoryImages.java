package io.github.clip4j.internal.image;

import io.github.clip4j.internal.image.DecodedImage;
import java.awt.image.BufferedImage;
import java.awt.image.Raster;
import java.util.Objects;

/** Turns in-memory {@link BufferedImage}s into the {@link DecodedImage}s the preprocessor takes. */
public final class InMemoryImages {
    private InMemoryImages() {}

    /**
     * The image as Pillow would see the same pixels: 8-bit grayscale stays one channel (the reference resizes
     * {@code L} images before converting them to RGB), everything else becomes sRGB with any alpha dropped (not
     * composited), as {@code convert("RGB")} does.
     */
    public static DecodedImage toDecoded(BufferedImage image) {
        Objects.requireNonNull(image, "image");
        int width = image.getWidth();
        int height = image.getHeight();
        if (image.getType() == BufferedImage.TYPE_BYTE_GRAY) {
            // getRGB would push gray levels through a colour-space conversion and change them: read the raster.
            Raster raster = image.getRaster();
            byte[] gray = new byte[width * height];
            int[] row = new int[width];
            for (int y = 0; y < height; y++) {
                raster.getSamples(0, y, width, 1, 0, row);
                for (int x = 0; x < width; x++) {
                    gray[y * width + x] = (byte) row[x];
                }
            }
            return DecodedImage.ofGray(width, height, gray);
        }
        byte[] rgb = new byte[width * height * 3];
        int[] row = new int[width];
        for (int y = 0; y < height; y++) {
            image.getRGB(0, y, width, 1, row, 0, width);
            for (int x = 0, i = y * width * 3; x < width; x++, i += 3) {
                int argb = row[x];
                rgb[i] = (byte) (argb >>> 16);
                rgb[i + 1] = (byte) (argb >>> 8);
                rgb[i + 2] = (byte) argb;
            }
        }
        return DecodedImage.ofRgb(width, height, rgb);
    }
}
