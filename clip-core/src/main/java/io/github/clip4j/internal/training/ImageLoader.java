package io.github.clip4j.internal.training;

import io.github.clip4j.training.TrainingException;
import static java.util.Objects.requireNonNull;

import io.github.clip4j.internal.image.ClipPreprocessor;
import io.github.clip4j.internal.image.ImageDecoder;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Decodes and preprocesses one image file into the model's input, {@code float[channels * height * width]} in
 * CHW order, exactly as inference does (plug in clip4j's image preprocessor so that fine-tuning sees the same
 * pixels as {@code Clip.embedImage}). Called from background threads: implementations must be thread-safe.
 *
 * <pre>{@code
 * ImageLoader loader = ImageLoader.of(clip.preprocessor());                 // what Clip.embedImage sees
 * ImageLoader custom = ImageLoader.of(new long[] {3, 224, 224}, path -> myPixels(path));
 * }</pre>
 */
public interface ImageLoader {
    /** {@return the shape of one image, e.g. {@code [3, 224, 224]}} The array is a copy the caller may change. */
    long[] shape();

    /**
     * The pixels of {@code image}, exactly {@code product(shape())} values.
     *
     * @param image the image file, as given in the dataset
     * @return the preprocessed pixels in CHW order; the caller may keep the array
     * @throws IOException if the file cannot be read or decoded; training skips such a file (as it does an
     *     {@code InvalidImageException}), any other exception stops it
     */
    float[] load(Path image) throws IOException;

    /** A function that decodes a file; it must be thread-safe. */
    @FunctionalInterface
    interface Decoder {
        /**
         * Decodes and preprocesses one image.
         *
         * @param image the image file
         * @return the pixels in CHW order, as many as the loader's shape holds (checked by the loader)
         * @throws IOException if the file cannot be read or decoded
         */
        float[] decode(Path image) throws IOException;
    }

    /**
     * clip4j's decoder and CLIP's reference transform: {@link ImageDecoder#decode(Path)}, then
     * {@link ClipPreprocessor#pixels}; shape {@code [3, S, S]}. A file that cannot be decoded (an
     * {@code InvalidImageException}) is skipped by the trainer: reported once and its pairs left out.
     *
     * @param preprocessor the model's preprocessor (its {@code size()} is the input resolution), not null
     * @return a thread-safe loader producing {@code [3, S, S]} normalized pixels
     */
    static ImageLoader of(ClipPreprocessor preprocessor) {
        requireNonNull(preprocessor, "preprocessor");
        int size = preprocessor.size();
        return of(new long[] {3, size, size}, path -> preprocessor.pixels(ImageDecoder.decode(path)));
    }

    /**
     * A loader of the given per-image shape backed by {@code decoder}.
     *
     * @param shape the dimensions of one image, all positive, e.g. {@code {3, 224, 224}}; copied
     * @param decoder turns a file into exactly {@code product(shape)} values, not null
     * @return a loader that fails with a {@link TrainingException} when the decoder returns the wrong count (a
     *     bug in the decoder, which stops training, unlike an {@link IOException} for an unreadable file, which
     *     only skips that file)
     * @throws IllegalArgumentException if a dimension is not positive
     */
    static ImageLoader of(long[] shape, Decoder decoder) {
        long[] dims = requireNonNull(shape, "shape").clone();
        requireNonNull(decoder, "decoder");
        long numel = 1;
        for (long d : dims) {
            if (d <= 0) {
                throw new IllegalArgumentException("image shape must be positive, got " + Arrays.toString(dims));
            }
            numel *= d;
        }
        long expected = numel;
        return new ImageLoader() {
            @Override
            public long[] shape() {
                return dims.clone();
            }

            @Override
            public float[] load(Path image) throws IOException {
                float[] pixels = decoder.decode(image);
                if (pixels == null || pixels.length != expected) {
                    throw new TrainingException("decoding " + image + " gave " + (pixels == null ? "null" : pixels.length
                            + " values") + ", expected " + expected + " for shape " + Arrays.toString(dims));
                }
                return pixels;
            }
        };
    }
}
