package io.github.clip4j;

/**
 * How image files are decoded before CLIP's transform (resize the shorter side with Pillow's bicubic filter,
 * center crop, normalize).
 *
 * <pre>{@code
 * Clip clip = Clip.builder().decoding(ImageDecoding.FAST).build();   // a folder of camera photos
 * }</pre>
 */
public enum ImageDecoding {
    /** Every pixel decoded, as the reference's {@code PIL.Image.open} does: reference parity, the default. */
    EXACT,
    /**
     * Large JPEGs are decoded straight at 1/2, 1/4 or 1/8 of their size (libjpeg-turbo's DCT-domain scaling, like
     * Pillow's {@code Image.draft}): the largest reduction that keeps the shorter side at least twice the model's
     * input resolution, followed by the same bicubic resize and crop. Several times faster on camera photos, with
     * embeddings within a cosine of about 0.99 of {@link #EXACT}'s. Other formats, CMYK JPEGs and small JPEGs are
     * decoded exactly. Needs {@code org.bytedeco:opencv} (and its platform jar) on the class path.
     */
    FAST
}
