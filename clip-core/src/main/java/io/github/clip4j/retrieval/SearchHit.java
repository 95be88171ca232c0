package io.github.clip4j.retrieval;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;

/**
 * One image found by {@link ImageIndex#search}: its file and its cosine similarity with the query.
 *
 * @param path the image file, resolved from what the index stores (see {@link ImageIndex}): relative when the
 *     index file was opened with a relative path and the image is inside the index file's folder
 * @param score the cosine similarity with the query, in [-1, 1]; higher is closer
 */
public record SearchHit(Path path, float score) {

    /**
     * Checks the components.
     *
     * @param path the image file, not null
     * @param score the cosine similarity with the query
     */
    public SearchHit {
        requireNonNull(path, "path");
    }
}
