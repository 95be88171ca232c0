package io.github.clip4j.zeroshot;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The predictions for one image, best first.
 *
 * <pre>{@code
 * Classification c = classifier.classify(Path.of("street.jpg"));
 * Prediction best = c.best();           // e.g. Prediction[label=car, probability=0.93, score=0.27]
 * }</pre>
 *
 * <p>Immutable.
 */
public final class Classification {
    private final Path image;
    private final List<Prediction> predictions;

    /**
     * A classification of {@code image}; classifiers make these, and tests or other classifiers may too.
     *
     * @param image the classified file, or null when the image was given as an embedding
     * @param predictions one or more predictions, best (highest probability) first; copied
     * @throws IllegalArgumentException if {@code predictions} is empty or not sorted by descending probability
     */
    public Classification(Path image, List<Prediction> predictions) {
        requireNonNull(predictions, "predictions");
        if (predictions.isEmpty()) {
            throw new IllegalArgumentException("a classification needs at least one prediction");
        }
        for (int i = 1; i < predictions.size(); i++) {
            if (predictions.get(i).probability() > predictions.get(i - 1).probability()) {
                throw new IllegalArgumentException("predictions are not best first: " + predictions);
            }
        }
        this.image = image;
        this.predictions = List.copyOf(predictions);
    }

    /**
     * The classified image file.
     *
     * @return the file as given to the classifier, or empty when the classifier was given an embedding
     */
    public Optional<Path> image() {
        return Optional.ofNullable(image);
    }

    /**
     * The predictions, best first.
     *
     * @return the predictions, unmodifiable, by descending probability (labels of equal probability in the
     *     classifier's label order); only the top k when the classifier has a top-k
     */
    public List<Prediction> predictions() {
        return predictions;
    }

    /**
     * The most probable label's prediction: the classifier's answer.
     *
     * @return the first of {@link #predictions()}
     */
    public Prediction best() {
        return predictions.get(0);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Classification other
                && java.util.Objects.equals(image, other.image)
                && predictions.equals(other.predictions);
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(image, predictions);
    }

    @Override
    public String toString() {
        return "Classification[" + (image == null ? "<embedding>" : image) + ", best=" + best() + "]";
    }
}
