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
     */
    String modelId();

    /** The embedding dimension (512 for ViT-B/32). */
    int dimension();

    /** {@code exp(logit_scale)}: the factor applied to cosine similarities before a softmax (100 for released models). */
    float logitScale();

    /** L2-normalized embeddings of {@code texts}, in order (texts longer than the context are truncated). */
    List<Embedding> embedTexts(List<String> texts);

    /**
     * L2-normalized embeddings of the image files, in order, decoded and preprocessed like the reference.
     *
     * @throws io.github.clip4j.common.ClipException (an {@code InvalidImageException}) if any file cannot be used (the message names it)
     */
    List<Embedding> embedImages(List<Path> images);

    /** The embedding of one text. */
    default Embedding embedText(String text) {
        return embedTexts(List.of(text)).get(0);
    }

    /** The embedding of one image file. */
    default Embedding embedImage(Path image) {
        return embedImages(List.of(image)).get(0);
    }
}
