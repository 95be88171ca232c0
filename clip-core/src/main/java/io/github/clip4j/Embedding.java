package io.github.clip4j;

import static java.util.Objects.requireNonNull;

import java.util.Arrays;

/**
 * A point in CLIP's joint image-text space: an L2-normalized vector, so that {@link #dot} is the cosine
 * similarity.
 *
 * <pre>{@code
 * Embedding image = clip.embedImage(Path.of("cat.jpg"));
 * Embedding text = clip.embedText("a cute cat");
 * float cosine = image.dot(text);
 * }</pre>
 *
 * <p>Immutable.
 */
public final class Embedding {
    private final float[] values;

    private Embedding(float[] values) {
        this.values = values;
    }

    /**
     * The unit vector in the direction of {@code raw} (a model's raw features). The norm is computed in
     * {@code double}, so very large or very small components do not overflow or lose the direction.
     *
     * @param raw the unnormalized features, not null and not modified
     * @return a new embedding of {@code raw.length} dimensions and norm 1
     * @throws IllegalArgumentException if {@code raw} is empty, zero or not finite
     */
    public static Embedding normalize(float[] raw) {
        requireNonNull(raw, "raw");
        if (raw.length == 0) {
            throw new IllegalArgumentException("an embedding needs at least one dimension");
        }
        double sum = 0;
        for (float v : raw) {
            sum += (double) v * v;
        }
        double norm = Math.sqrt(sum);
        if (!(norm > 0) || Double.isInfinite(norm)) {
            throw new IllegalArgumentException("cannot normalize a vector of norm " + norm
                    + (Double.isNaN(norm) || Double.isInfinite(norm) ? " (it holds NaN or infinite values)" : ""));
        }
        float[] unit = new float[raw.length];
        for (int i = 0; i < raw.length; i++) {
            unit[i] = (float) (raw[i] / norm);
        }
        return new Embedding(unit);
    }

    /**
     * An embedding from values that are already L2-normalized (e.g. read back from an index), copied and not
     * renormalized, so that a round trip through {@link #toArray()} gives back the same components bit for bit.
     *
     * @param unit the components of a unit vector, not null; later changes to the array do not affect the result
     * @return an embedding with exactly these components
     * @throws IllegalArgumentException if {@code unit} is empty or its norm is not 1 within 1e-3
     */
    public static Embedding ofNormalized(float[] unit) {
        requireNonNull(unit, "unit");
        double sum = 0;
        for (float v : unit) {
            sum += (double) v * v;
        }
        if (unit.length == 0 || Math.abs(Math.sqrt(sum) - 1) > 1e-3) {
            throw new IllegalArgumentException("not a unit vector: norm " + Math.sqrt(sum));
        }
        return new Embedding(unit.clone());
    }

    /**
     * The number of dimensions: the width of the model's joint space.
     *
     * @return the number of components (512 for ViT-B/32, 768 for ViT-L/14)
     */
    public int dimension() {
        return values.length;
    }

    /**
     * One component, without copying the vector.
     *
     * @param i the index, from 0 to {@link #dimension()}{@code  - 1}
     * @return the component {@code i}
     * @throws ArrayIndexOutOfBoundsException if {@code i} is out of range
     */
    public float get(int i) {
        return values[i];
    }

    /**
     * The components, e.g. to store them or hand them to another library.
     *
     * @return a new array of {@link #dimension()} floats, free to modify
     */
    public float[] toArray() {
        return values.clone();
    }

    /**
     * The cosine similarity with {@code other}, accumulated in {@code double}. Both are unit vectors, so this is
     * the dot product.
     *
     * @param other an embedding of the same model, not null
     * @return the cosine similarity, in [-1, 1] (up to rounding)
     * @throws IllegalArgumentException if the dimensions differ (embeddings of different models)
     */
    public float dot(Embedding other) {
        requireNonNull(other, "other");
        if (other.values.length != values.length) {
            throw new IllegalArgumentException("embeddings of different sizes: " + values.length + " and "
                    + other.values.length + " (different models?)");
        }
        double sum = 0;
        for (int i = 0; i < values.length; i++) {
            sum += (double) values[i] * other.values[i];
        }
        return (float) sum;
    }

    /**
     * The normalized mean of {@code embeddings}: CLIP's prompt ensemble of one label's templates, e.g. the mean of
     * "a photo of a cat." and "a drawing of a cat.".
     *
     * @param embeddings one or more embeddings of the same dimension, not null
     * @return the unit vector in the direction of their sum
     * @throws IllegalArgumentException if there are none, their dimensions differ, or they cancel out to zero
     */
    public static Embedding mean(Iterable<Embedding> embeddings) {
        requireNonNull(embeddings, "embeddings");
        float[] sum = null;
        for (Embedding e : embeddings) {
            if (sum == null) {
                sum = new float[e.values.length];
            } else if (sum.length != e.values.length) {
                throw new IllegalArgumentException("embeddings of different sizes");
            }
            for (int i = 0; i < sum.length; i++) {
                sum[i] += e.values[i];
            }
        }
        if (sum == null) {
            throw new IllegalArgumentException("no embeddings to average");
        }
        return normalize(sum);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Embedding other && Arrays.equals(values, other.values);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(values);
    }

    @Override
    public String toString() {
        return "Embedding[" + values.length + " dims]";
    }
}
