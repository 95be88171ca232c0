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
     * The unit vector in the direction of {@code raw} (a model's raw features).
     *
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
            throw new IllegalArgumentException("cannot normalize a vector of norm " + norm);
        }
        float[] unit = new float[raw.length];
        for (int i = 0; i < raw.length; i++) {
            unit[i] = (float) (raw[i] / norm);
        }
        return new Embedding(unit);
    }

    /**
     * An embedding from values that are already L2-normalized (e.g. read back from an index), copied.
     *
     * @throws IllegalArgumentException if the norm is not 1 within 1e-3
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

    /** The number of dimensions (512 for ViT-B/32). */
    public int dimension() {
        return values.length;
    }

    /** The component {@code i}. */
    public float get(int i) {
        return values[i];
    }

    /** A copy of the components. */
    public float[] toArray() {
        return values.clone();
    }

    /**
     * The cosine similarity with {@code other}, in [-1, 1].
     *
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

    /** The normalized mean of {@code embeddings}: CLIP's prompt-ensemble of one label's templates. */
    public static Embedding mean(Iterable<Embedding> embeddings) {
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
