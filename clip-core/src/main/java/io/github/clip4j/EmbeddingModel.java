package io.github.clip4j;

import java.nio.file.Path;
import java.util.List;

/**
 * What the tasks (zero-shot classification, image search, charts) need from a CLIP model: embeddings of texts
 * and images in one space, and the model's learned temperature. The {@code Clip} facade implements it; tests may use a
 * small fake.
 *
 * <p>Implementations are thread-safe.
 */
public interface EmbeddingModel {

    /**
     * A stable identity of the weights (name and checksum), recorded in index files so that an index built with
     * one model is never searched with another.
     *
     * @return an identifier that changes whenever the weights change, never null
     */
    String modelId();

    /**
     * The size of every embedding this model returns.
     *
     * @return the embedding dimension (512 for ViT-B/32, 768 for ViT-L/14)
     */
    int dimension();

    /**
     * The learned temperature, as the factor applied to cosine similarities before a softmax.
     *
     * @return {@code exp(logit_scale)}, 100 for OpenAI's released models
     */
    float logitScale();

    /**
     * Embeds a batch of texts. Texts longer than the model's context (77 tokens for OpenAI's models) are truncated,
     * like {@code clip.tokenize(..., truncate=True)}.
     *
     * @param texts the texts, not null and without null elements; may be empty
     * @return one L2-normalized embedding per text, in the same order
     */
    List<Embedding> embedTexts(List<String> texts);

    /**
     * Embeds a batch of image files, decoded and preprocessed like the reference (Pillow's decoding, bicubic
     * resize, center crop and CLIP's normalization).
     *
     * @param images the image files, not null and without null elements; may be empty
     * @return one L2-normalized embedding per file, in the same order
     * @throws io.github.clip4j.common.ClipException (an {@code InvalidImageException}) if any file cannot be used (the message names it)
     */
    List<Embedding> embedImages(List<Path> images);

    /**
     * Embeds one text: a batch of one for {@link #embedTexts}.
     *
     * @param text the text, not null
     * @return its L2-normalized embedding
     */
    default Embedding embedText(String text) {
        return embedTexts(List.of(text)).get(0);
    }

    /**
     * Embeds one image file: a batch of one for {@link #embedImages}.
     *
     * @param image the image file, not null
     * @return its L2-normalized embedding
     * @throws io.github.clip4j.common.ClipException (an {@code InvalidImageException}) if the file cannot be used
     */
    default Embedding embedImage(Path image) {
        return embedImages(List.of(image)).get(0);
    }
}
