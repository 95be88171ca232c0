package io.github.clip4j.internal.weights;

import static java.util.Objects.requireNonNull;

import java.util.Arrays;

/**
 * The image preprocessing a Hugging Face model folder declares in {@code preprocessor_config.json}: resize the
 * shorter side to {@link #resizeShortestEdge()}, center-crop to {@link #cropSize()}, normalize per channel with
 * {@link #mean()} and {@link #std()}. Immutable.
 *
 * <pre>{@code
 * PreprocessorConfig p = HuggingFaceReader.preprocessor(Path.of("clip-vit-base-patch32")).orElseThrow();
 * float[] mean = p.mean(); // {0.48145466f, 0.4578275f, 0.40821073f} for OpenAI's models
 * }</pre>
 */
public final class PreprocessorConfig {
    private final float[] mean;
    private final float[] std;
    private final int resizeShortestEdge;
    private final int cropSize;

    /**
     * A preprocessing description; the arrays are copied.
     *
     * @param mean               per-channel (R, G, B) mean of pixel values scaled to [0, 1] (3 values)
     * @param std                per-channel standard deviation, same scale (3 positive values)
     * @param resizeShortestEdge the length in pixels the shorter image side is resized to; positive
     * @param cropSize           the side in pixels of the square center crop; positive
     * @throws IllegalArgumentException if a value is out of range
     */
    public PreprocessorConfig(float[] mean, float[] std, int resizeShortestEdge, int cropSize) {
        requireNonNull(mean, "mean");
        requireNonNull(std, "std");
        if (mean.length != 3 || std.length != 3) {
            throw new IllegalArgumentException("mean and std need 3 channels, got " + Arrays.toString(mean)
                    + " and " + Arrays.toString(std));
        }
        for (float s : std) {
            if (!(s > 0)) {
                throw new IllegalArgumentException("std must be positive: " + Arrays.toString(std));
            }
        }
        if (resizeShortestEdge <= 0 || cropSize <= 0) {
            throw new IllegalArgumentException("sizes must be positive: resize " + resizeShortestEdge + ", crop "
                    + cropSize);
        }
        this.mean = mean.clone();
        this.std = std.clone();
        this.resizeShortestEdge = resizeShortestEdge;
        this.cropSize = cropSize;
    }

    /**
     * Per-channel mean, subtracted from pixel values scaled to [0, 1].
     *
     * @return a new 3-element array in R, G, B order
     */
    public float[] mean() {
        return mean.clone();
    }

    /**
     * Per-channel standard deviation that mean-subtracted pixel values are divided by.
     *
     * @return a new 3-element array in R, G, B order, every value positive
     */
    public float[] std() {
        return std.clone();
    }

    /**
     * The length the shorter image side is resized to, keeping the aspect ratio.
     *
     * @return a size in pixels, e.g. 224
     */
    public int resizeShortestEdge() {
        return resizeShortestEdge;
    }

    /**
     * The side of the square center crop taken after resizing; the model's input resolution.
     *
     * @return a size in pixels, e.g. 224
     */
    public int cropSize() {
        return cropSize;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PreprocessorConfig p && Arrays.equals(mean, p.mean) && Arrays.equals(std, p.std)
                && resizeShortestEdge == p.resizeShortestEdge && cropSize == p.cropSize;
    }

    @Override
    public int hashCode() {
        return 31 * (31 * Arrays.hashCode(mean) + Arrays.hashCode(std)) + 31 * resizeShortestEdge + cropSize;
    }

    @Override
    public String toString() {
        return "PreprocessorConfig[mean=" + Arrays.toString(mean) + ", std=" + Arrays.toString(std) + ", resize="
                + resizeShortestEdge + ", crop=" + cropSize + "]";
    }
}
