package io.github.clip4j.cli;

import io.github.clip4j.retrieval.ImageIndex;
import java.util.Locale;

/** {@code --kind exact|hnsw|auto}. */
final class IndexKinds {
    private IndexKinds() {}

    static ImageIndex.Kind parse(String kind) {
        try {
            return ImageIndex.Kind.valueOf(kind.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--kind " + kind + ": use exact, hnsw or auto");
        }
    }
}
