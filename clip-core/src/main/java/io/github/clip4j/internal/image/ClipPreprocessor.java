package io.github.clip4j.internal.image;

import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.Objects;

/**
 * CLIP's image transform, exactly as the reference ({@code clip._transform}): {@code Resize(S, BICUBIC)} (the
 * shorter side becomes {@code S}, the longer {@code int(S * long / short)}, with Pillow 9.4's resampling),
 * {@code CenterCrop(S)}, {@code convert("RGB")}, {@code ToTensor()} and {@code Normalize(mean, std)}.
 *
 * <p>{@link #squash(int)} is Chinese-CLIP's transform instead ({@code cn_clip}'s {@code image_transform}):
 * {@code Resize((S, S), BICUBIC)}, the whole image squashed to the square with each axis scaled on its own, and no
 * crop; the rest is the same.
 *
 * <p>Two stages are available: {@link #rgb} (the cropped 8-bit RGB image, {@code S*S*3} bytes, row-major HWC) and
 * {@link #pixels} (the normalized {@code float[3*S*S]}, CHW), which can also be written straight into a batch
 * buffer. Instances are immutable, stateless and thread-safe.
 *
 * <pre>{@code
 * ClipPreprocessor preprocessor = ClipPreprocessor.of(224);
 * DecodedImage image = ImageDecoder.decode(Path.of("cat.jpg"));
 * float[] chw = preprocessor.pixels(image);              // 3 * 224 * 224
 * preprocessor.pixels(image, batchBuffer, i * preprocessor.pixelCount());
 * }</pre>
 */
public final class ClipPreprocessor {
    private static final double[] CLIP_MEAN = {0.48145466, 0.4578275, 0.40821073};
    private static final double[] CLIP_STD = {0.26862954, 0.26130258, 0.27577711};

    private final int size;
    private final float[] mean;
    private final float[] std;
    private final boolean squash;

    private ClipPreprocessor(int size, float[] mean, float[] std, boolean squash) {
        this.squash = squash;
        this.size = size;
        this.mean = mean;
        this.std = std;
    }

    /**
     * The reference transform at resolution {@code size} with CLIP's mean and standard deviation.
     *
     * @param size the output side {@code S} in pixels: 224 for most released models, 336 for ViT-L/14@336px (and
     *     288, 384 and 448 for RN50x4, RN50x16 and RN50x64)
     * @return the transform
     * @throws IllegalArgumentException if {@code size} is not positive
     */
    public static ClipPreprocessor of(int size) {
        return of(size, CLIP_MEAN, CLIP_STD);
    }

    /**
     * The transform with another per-channel mean and standard deviation (e.g. {@code image_mean}/{@code image_std}
     * of a Hugging Face {@code preprocessor_config.json}). The values are rounded to float, as the reference's
     * {@code Normalize} does on a float32 tensor.
     *
     * @param size the output side {@code S} in pixels, positive
     * @param mean the R, G and B means, on the 0..1 scale of {@code ToTensor}; copied
     * @param std the R, G and B standard deviations, positive; copied
     * @return the transform
     * @throws IllegalArgumentException if {@code size} is not positive, or {@code mean} or {@code std} does not
     *     hold three finite values (positive for {@code std})
     */
    public static ClipPreprocessor of(int size, double[] mean, double[] std) {
        if (size < 1) {
            throw new IllegalArgumentException("size must be positive, got " + size);
        }
        return new ClipPreprocessor(size, toChannelFloats(mean, "mean", false), toChannelFloats(std, "std", true),
                false);
    }

    /**
     * Chinese-CLIP's transform at resolution {@code size}: {@code Resize((S, S), BICUBIC)} (no aspect ratio kept,
     * no crop) with Pillow 9.4's resampling, then CLIP's mean and standard deviation.
     *
     * @param size the output side {@code S} in pixels: 224, or 336 for ViT-L-14-336
     * @return the transform
     * @throws IllegalArgumentException if {@code size} is not positive
     */
    public static ClipPreprocessor squash(int size) {
        if (size < 1) {
            throw new IllegalArgumentException("size must be positive, got " + size);
        }
        return new ClipPreprocessor(size, toChannelFloats(CLIP_MEAN, "mean", false),
                toChannelFloats(CLIP_STD, "std", true), true);
    }

    /**
     * Whether this is Chinese-CLIP's squash-to-square transform (see {@link #squash(int)}) rather than CLIP's
     * resize and center crop.
     *
     * @return {@code true} for {@link #squash(int)}
     */
    public boolean isSquash() {
        return squash;
    }

    private static float[] toChannelFloats(double[] values, String name, boolean positive) {
        Objects.requireNonNull(values, name);
        if (values.length != 3) {
            throw new IllegalArgumentException(name + " must have 3 values (R, G, B), got " + values.length);
        }
        float[] out = new float[3];
        for (int c = 0; c < 3; c++) {
            out[c] = (float) values[c];
            if (!Float.isFinite(out[c]) || (positive && out[c] <= 0f)) {
                throw new IllegalArgumentException(name + " values must be finite" + (positive ? " and positive" : "")
                        + ", got " + Arrays.toString(values));
            }
        }
        return out;
    }

    /**
     * The output resolution.
     *
     * @return the side {@code S} of the square output, in pixels
     */
    public int size() {
        return size;
    }

    /**
     * The number of floats per image in the normalized output, e.g. to size a batch buffer.
     *
     * @return {@code 3 * S * S}
     */
    public int pixelCount() {
        return 3 * size * size;
    }

    /**
     * The per-channel mean that {@link #pixels} subtracts, as the float32 values it uses.
     *
     * @return a new array of the R, G and B means
     */
    public float[] mean() {
        return mean.clone();
    }

    /**
     * The per-channel standard deviation that {@link #pixels} divides by, as the float32 values it uses.
     *
     * @return a new array of the R, G and B standard deviations
     */
    public float[] std() {
        return std.clone();
    }

    /**
     * The size the reference resizes a {@code width x height} image to before cropping: the shorter side becomes
     * {@code S} and the longer {@code int(S * long / short)} (torchvision's rule). A square image becomes
     * {@code S x S}; a 640x480 image at {@code S = 224} becomes 298x224. With {@link #squash(int)} it is always
     * {@code S x S} (and nothing is cropped).
     *
     * @param width the image's width in pixels, positive
     * @param height the image's height in pixels, positive
     * @return a new array {@code {width, height}} of the resized image
     * @throws IllegalArgumentException if a side is not positive
     */
    public int[] resizedSize(int width, int height) {
        if (width < 1 || height < 1) {
            throw new IllegalArgumentException("image size must be positive, got " + width + "x" + height);
        }
        if (squash) {
            return new int[] {size, size};
        }
        if (width <= height) {
            return new int[] {size, (int) ((double) ((long) size * height) / width)};
        }
        return new int[] {(int) ((double) ((long) size * width) / height), size};
    }

    /**
     * The image resized, center-cropped and converted to RGB: {@code S*S*3} bytes, row-major, channels last (the
     * reference's {@code rgb_u8} stage). Every Pillow mode the decoder produces is converted the way Pillow's
     * {@code convert("RGB")} converts it, after the resize, as the reference does.
     *
     * @param image the decoded image, not null
     * @return a new array of {@code S * S * 3} bytes, unsigned, in R, G, B order
     */
    public byte[] rgb(DecodedImage image) {
        Objects.requireNonNull(image, "image");
        int[] resized = resizedSize(image.width(), image.height());
        int outW = resized[0];
        int outH = resized[1];
        // torchvision's center crop: int(round((h - S) / 2)), Python's round being half-to-even.
        int top = (int) Math.rint((outH - size) / 2.0);
        int left = (int) Math.rint((outW - size) / 2.0);
        PillowResampler.Window window = new PillowResampler.Window(left, top, size, size);
        boolean resize = outW != image.width() || outH != image.height();
        PillowMode mode = image.mode();
        if (mode == PillowMode.I) {
            int[] values = resize
                    ? PillowResampler.bicubic32(image.wideSamples(), image.width(), image.height(), outW, outH, window)
                    : PillowResampler.crop(image.wideSamples(), image.width(), window);
            return PillowColor.intToRgb(values);
        }
        int bands = mode.bands();
        byte[] samples;
        if (!resize) {
            samples = PillowResampler.crop(image.samples(), image.width(), bands, window);
        } else if (mode.alwaysNearest()) {
            samples = PillowResampler.nearest8(image.samples(), image.width(), image.height(), bands, outW, outH, window);
        } else if (mode.premultipliedResize()) {
            byte[] premultiplied = PillowColor.premultiply(image.samples(), bands);
            samples = PillowResampler.bicubic8(premultiplied, image.width(), image.height(), bands, outW, outH, window);
            PillowColor.unpremultiplyInPlace(samples, bands);
        } else {
            samples = PillowResampler.bicubic8(image.samples(), image.width(), image.height(), bands, outW, outH, window);
        }
        return PillowColor.toRgb(mode, samples, image.rawPalette());
    }

    /**
     * The full reference transform: the input of the image encoder for one image.
     *
     * @param image the decoded image, not null
     * @return a new {@code float[3 * S * S]}, channels first (CHW), normalized with {@link #mean()} and
     *     {@link #std()}
     */
    public float[] pixels(DecodedImage image) {
        float[] out = new float[pixelCount()];
        pixels(image, out, 0);
        return out;
    }

    /**
     * Writes the full reference transform into {@code dst[offset .. offset + 3*S*S)}, e.g. one image of a batch:
     * {@code pixels(images.get(i), batch, i * pixelCount())}. The rest of {@code dst} is not touched.
     *
     * @param image the decoded image, not null
     * @param dst the destination, not null
     * @param offset the index in {@code dst} of the first float (channel 0, row 0, column 0)
     * @throws IndexOutOfBoundsException if {@code dst} has no room for {@link #pixelCount()} floats at {@code offset}
     */
    public void pixels(DecodedImage image, float[] dst, int offset) {
        Objects.requireNonNull(dst, "dst");
        Objects.checkFromIndexSize(offset, pixelCount(), dst.length);
        normalizeInto(rgb(image), offset, (index, value) -> dst[index] = value);
    }

    /**
     * Writes the full reference transform into {@code dst} at absolute float index {@code offset} (its position and
     * limit are not changed): a batch tensor's direct buffer gets the values without an intermediate array.
     *
     * @param image the decoded image, not null
     * @param dst the destination, not null; heap or direct
     * @param offset the absolute index in {@code dst} of the first float
     * @throws IndexOutOfBoundsException if {@code dst}'s limit leaves no room for {@link #pixelCount()} floats at
     *     {@code offset}
     */
    public void pixels(DecodedImage image, FloatBuffer dst, int offset) {
        Objects.requireNonNull(dst, "dst");
        Objects.checkFromIndexSize(offset, pixelCount(), dst.limit());
        normalizeInto(rgb(image), offset, dst::put);
    }

    /** Where {@link #normalizeInto} writes: an array or a buffer, by absolute index. */
    @FunctionalInterface
    private interface FloatSink {
        void put(int index, float value);
    }

    /** Writes the HWC bytes {@code rgb} as normalized CHW floats at {@code offset .. offset + 3*S*S) of the sink. */
    private void normalizeInto(byte[] rgb, int offset, FloatSink dst) {
        int plane = size * size;
        for (int c = 0; c < 3; c++) {
            int base = offset + c * plane;
            // ToTensor (uint8 / 255 in float32), then Normalize ((x - mean) / std in float32).
            float m = mean[c];
            float s = std[c];
            for (int i = 0; i < plane; i++) {
                dst.put(base + i, ((rgb[i * 3 + c] & 0xFF) / 255f - m) / s);
            }
        }
    }

    @Override
    public String toString() {
        return "ClipPreprocessor[size=" + size + (squash ? ", squash" : "") + ", mean=" + Arrays.toString(mean) + ", std=" + Arrays.toString(std) + "]";
    }
}
