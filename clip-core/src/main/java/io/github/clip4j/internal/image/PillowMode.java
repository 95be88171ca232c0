package io.github.clip4j.internal.image;

/**
 * The Pillow image mode a decoded file has when the reference ({@code PIL.Image.open}) reads it.
 *
 * <p>The mode decides how the reference resizes and converts the image: {@link #P} and {@link #ONE} are resized
 * with nearest neighbour whatever filter is asked for, {@link #LA} and {@link #RGBA} are resized with premultiplied
 * alpha, {@link #L} stays one channel while resizing, and {@link #I} (16-bit grayscale PNG) is resized in 32-bit
 * integer precision and then clipped to 0..255 by the RGB conversion.
 */
public enum PillowMode {
    /** Bilevel; samples are stored as 0 or 255, one byte per pixel. */
    ONE("1", 1),
    /** 8-bit grayscale. */
    L("L", 1),
    /** 8-bit palette indices; the palette is an RGB table. */
    P("P", 1),
    /** 8-bit grayscale with (straight) alpha. */
    LA("LA", 2),
    /** 8-bit RGB. */
    RGB("RGB", 3),
    /** 8-bit RGB with (straight) alpha. */
    RGBA("RGBA", 4),
    /** 32-bit integer grayscale (what Pillow makes of a 16-bit grayscale PNG). */
    I("I", 1),
    /** 8-bit CMYK (JPEG), as Pillow stores it: 0 is no ink. */
    CMYK("CMYK", 4);

    private final String pillowName;
    private final int bands;

    PillowMode(String pillowName, int bands) {
        this.pillowName = pillowName;
        this.bands = bands;
    }

    /**
     * Pillow's name for the mode, as {@code Image.mode} reports it.
     *
     * @return the name, e.g. {@code "RGBA"} or {@code "1"}
     */
    public String pillowName() {
        return pillowName;
    }

    /**
     * The number of samples per pixel as stored in a {@link DecodedImage}.
     *
     * @return 1 to 4 (one int for {@link #I}, one byte each for the others)
     */
    public int bands() {
        return bands;
    }

    /** Whether the reference resizes this mode with nearest neighbour whatever filter is requested. */
    boolean alwaysNearest() {
        return this == ONE || this == P;
    }

    /** Whether the reference resizes this mode with premultiplied alpha. */
    boolean premultipliedResize() {
        return this == LA || this == RGBA;
    }
}
