package io.github.clip4j.cli;

import io.github.clip4j.Clip;
import io.github.clip4j.internal.retrieval.IndexRows;
import io.github.clip4j.internal.retrieval.IndexStores;
import io.github.clip4j.retrieval.ImageIndex;
import io.github.clip4j.retrieval.IndexException;
import io.github.clip4j.retrieval.IndexUpdate;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/** {@code clip index --import PARQUET}: embeddings made elsewhere (clip-spark, another index) into an index. */
final class ParquetImport {
    private ParquetImport() {}

    static IndexUpdate run(ClipCli cli, String modelName, ModelOptions options, Path from, Path index,
            ImageIndex.Kind kind) throws IOException {
        List<EmbeddingsParquet.Input> inputs = EmbeddingsParquet.openAll(from);
        String modelId;
        int dimension;
        try (Clip clip = cli.loadModel(modelName, options)) {
            modelId = clip.modelId();
            dimension = clip.dimension();
        }
        long rows = 0;
        for (EmbeddingsParquet.Input input : inputs) {
            if (!IndexStores.sameWeights(input.modelId(), modelId)) {
                throw new IndexException("cannot import " + input.file() + ": its embeddings were made with model "
                        + input.modelId() + ", not with --model " + modelName + " (" + modelId + "); import it with"
                        + " that model, or embed the images again with " + modelName);
            }
            rows += input.rowCount();
        }
        List<Iterable<IndexRows.Row>> parts = new ArrayList<>();
        for (EmbeddingsParquet.Input input : inputs) {
            parts.add(EmbeddingsParquet.rows(input.file()));
        }
        Iterable<IndexRows.Row> all = () -> parts.stream().flatMap(p -> {
            Iterator<IndexRows.Row> it = p.iterator();
            return java.util.stream.StreamSupport.stream(
                    java.util.Spliterators.spliteratorUnknownSize(it, java.util.Spliterator.ORDERED), false);
        }).iterator();
        return IndexRows.importRows(index, kind, modelId, dimension, all, rows, from.toString());
    }
}
