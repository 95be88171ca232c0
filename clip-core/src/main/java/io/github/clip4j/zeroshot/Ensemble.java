package io.github.clip4j.zeroshot;

/**
 * How a label's several prompts (one per template) become one score for an image.
 *
 * <p>Both agree when there is a single template.
 */
public enum Ensemble {
    /**
     * CLIP's method (the default): average the normalized embeddings of the label's prompts, normalize the mean,
     * and score an image by its cosine similarity with that one label embedding.
     */
    EMBEDDINGS,

    /**
     * Score an image against every prompt of the label and average the cosine similarities (the seed article's
     * method). Costs one dot product per prompt instead of one per label.
     */
    SCORES
}
