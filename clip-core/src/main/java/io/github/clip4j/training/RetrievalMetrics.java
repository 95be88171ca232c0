package io.github.clip4j.training;

/**
 * Retrieval quality on held-out pairs: for each image, is its caption among the top-k texts (image→text), and
 * for each caption, is its image among the top-k images (text→image). A hit counts any candidate with the same
 * caption, so repeated captions (class prompts) are not penalized.
 *
 * @param imageToTextR1 share of images whose caption ranks first, in [0, 1]
 * @param imageToTextR5 share of images whose caption is in the top 5
 * @param textToImageR1 share of captions whose image ranks first
 * @param textToImageR5 share of captions whose image is in the top 5
 * @param zeroShotAccuracy when captions repeat (class prompts): share of images whose own caption scores highest
 *     among the distinct captions; NaN when every caption is distinct
 * @param pairs number of held-out pairs
 */
public record RetrievalMetrics(double imageToTextR1, double imageToTextR5, double textToImageR1,
        double textToImageR5, double zeroShotAccuracy, int pairs) {}
