/**
 * Zero-shot image classification: choose among any labels by comparing an image's embedding with the embeddings of
 * the labels put into caption templates, as CLIP does ({@code notebooks/Prompt_Engineering_for_ImageNet.ipynb}).
 *
 * <p>{@link io.github.clip4j.zeroshot.ZeroShotClassifier} embeds every prompt once when built;
 * {@link io.github.clip4j.zeroshot.PromptTemplates} holds the template sets and
 * {@link io.github.clip4j.zeroshot.Ensemble} the two ways of combining a label's templates. Results are
 * {@link io.github.clip4j.zeroshot.Classification}s of {@link io.github.clip4j.zeroshot.Prediction}s.
 */
package io.github.clip4j.zeroshot;
