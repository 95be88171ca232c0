package io.github.clip4j.internal.image;

import java.util.Arrays;
import java.util.Objects;

/**
 * A decoded image as the reference sees it after {@code PIL.Image.open}: its size, its {@link PillowMode} and its
 * samples, before any resizing or colour conversion.
 *
 * <p>Samples are stored row by row, {@code mode().bands()} interleaved samples per pixel. 8-bit modes use one byte
 * per sample; {@link PillowMode#I} uses one int per pixel; {@link PillowMode#P} stores palette indices and carries
 * its RGB palette. Instances are immutable.
 *
 * <pre>{@code
 * DecodedImage image = ImageDecoder.decode(Path.of("cat.png"));
 * System.out.println(image);   // DecodedImage[451x300 RGB]
 * }</pre>
 */
public final class DecodedImage {
    private final int width;
    private final int height;
    private final PillowMode mode;
    private final byte[] samples;
    private final int[] wideSamples;
    private final byte[] palette;

    DecodedImage(int width, int height, PillowMode mode, byte[] samples, int[] wideSamples, byte[] palette) {
        if (width < 1 || height < 1) {
            throw new IllegalArgumentException("image size must be positive, got " + width + "x" + height);
        }
        this.width = width;
        this.height = height;
        this.mode = Objects.requireNonNull(mode, "mode");
        long expected = (long) width * height * mode.bands();
        if (mode == PillowMode.I) {
            Objects.requireNonNull(wideSamples, "wideSamples");
            checkLength(wideSamples.length, expected);
        } else {
            Objects.requireNonNull(samples, "samples");
            checkLength(samples.length, expected);
        }
        if (mode == PillowMode.P) {
            Objects.requireNonNull(palette, "palette");
            if (palette.length != 768) {
                throw new IllegalArgumentException("palette must hold 256 RGB entries (768 bytes), got " + palette.length);
            }
        }
        this.samples = samples;
        this.wideSamples = wideSamples;
        this.palette = palette;
    }

    private static void checkLength(int actual, long expected) {
        if (actual != expected) {
            throw new IllegalArgumentException("expected " + expected + " samples, got " + actual);
        }
    }

    /**
     * An RGB image from interleaved 8-bit samples, e.g. pixels produced by another library or a test.
     *
     * <pre>{@code
     * DecodedImage red = DecodedImage.ofRgb(1, 1, new byte[] {(byte) 255, 0, 0});
     * }</pre>
     *
     * @param width the width in pixels, positive
     * @param height the height in pixels, positive
     * @param rgb {@code width * height * 3} bytes, row by row, R, G, B per pixel; copied
     * @return an image of mode {@link PillowMode#RGB}
     * @throws IllegalArgumentException if a side is not positive or {@code rgb} has the wrong length
     */
    public static DecodedImage ofRgb(int width, int height, byte[] rgb) {
        Objects.requireNonNull(rgb, "rgb");
        return new DecodedImage(width, height, PillowMode.RGB, rgb.clone(), null, null);
    }

    /**
     * An 8-bit grayscale image, e.g. pixels produced by another library or a test.
     *
     * @param width the width in pixels, positive
     * @param height the height in pixels, positive
     * @param gray {@code width * height} bytes, row by row (0 black, 255 white); copied
     * @return an image of mode {@link PillowMode#L}
     * @throws IllegalArgumentException if a side is not positive or {@code gray} has the wrong length
     */
    public static DecodedImage ofGray(int width, int height, byte[] gray) {
        Objects.requireNonNull(gray, "gray");
        return new DecodedImage(width, height, PillowMode.L, gray.clone(), null, null);
    }

    /**
     * The width as stored in the file (EXIF orientation is not applied).
     *
     * @return the width in pixels, positive
     */
    public int width() {
        return width;
    }

    /**
     * The height as stored in the file (EXIF orientation is not applied).
     *
     * @return the height in pixels, positive
     */
    public int height() {
        return height;
    }

    /**
     * The mode Pillow gives this image; it decides how it is resized and converted to RGB.
     *
     * @return the mode, never null
     */
    public PillowMode mode() {
        return mode;
    }

    /**
     * One stored sample: for 8-bit modes 0..255 (a palette index for {@link PillowMode#P}), for
     * {@link PillowMode#I} the integer value. Meant for inspection and tests, not for looping over every pixel.
     *
     * @param x the column, from 0 to {@code width() - 1}
     * @param y the row, from 0 to {@code height() - 1}
     * @param band the band, from 0 to {@code mode().bands() - 1} (e.g. 0 = R, 1 = G, 2 = B for RGB)
     * @return the sample
     * @throws IndexOutOfBoundsException if a coordinate or the band is out of range
     */
    public int sample(int x, int y, int band) {
        Objects.checkIndex(x, width);
        Objects.checkIndex(y, height);
        Objects.checkIndex(band, mode.bands());
        int index = (y * width + x) * mode.bands() + band;
        return mode == PillowMode.I ? wideSamples[index] : samples[index] & 0xFF;
    }

    /**
     * The palette of a {@link PillowMode#P} image, whose samples are indices into it.
     *
     * @return a copy of the 256 RGB entries (768 bytes, R, G, B per entry), or an empty array for other modes
     */
    public byte[] palette() {
        return palette == null ? new byte[0] : palette.clone();
    }

    byte[] samples() {
        return samples;
    }

    int[] wideSamples() {
        return wideSamples;
    }

    byte[] rawPalette() {
        return palette;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DecodedImage other
                && width == other.width
                && height == other.height
                && mode == other.mode
                && Arrays.equals(samples, other.samples)
                && Arrays.equals(wideSamples, other.wideSamples)
                && Arrays.equals(palette, other.palette);
    }

    @Override
    public int hashCode() {
        return Objects.hash(width, height, mode, Arrays.hashCode(samples), Arrays.hashCode(wideSamples));
    }

    @Override
    public String toString() {
        return "DecodedImage[" + width + "x" + height + " " + mode.pillowName() + "]";
    }
}
