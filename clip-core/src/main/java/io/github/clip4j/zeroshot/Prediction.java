package io.github.clip4j.zeroshot;

import static java.util.Objects.requireNonNull;

/**
 * One label's result for one image.
 *
 * @param label the label, as given to the classifier
 * @param probability the softmax, over all the classifier's labels, of {@code logitScale * score}; the
 *     probabilities of all labels sum to 1 (those of a top-k list to at most 1)
 * @param score the cosine similarity between the image and the label after ensembling the templates, in [-1, 1]
 */
public record Prediction(String label, double probability, double score) {

    /**
     * Checks the components.
     *
     * @param label the label, not null
     * @param probability the label's probability, in [0, 1]
     * @param score the ensembled cosine similarity, not NaN
     * @throws IllegalArgumentException if {@code probability} is outside [0, 1] or {@code score} is NaN
     */
    public Prediction {
        requireNonNull(label, "label");
        if (!(probability >= 0 && probability <= 1)) {
            throw new IllegalArgumentException("probability " + probability + " is not in [0, 1]");
        }
        if (Double.isNaN(score)) {
            throw new IllegalArgumentException("score is NaN");
        }
    }
}
