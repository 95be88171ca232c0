package io.github.clip4j.internal.retrieval;

import io.github.clip4j.Embedding;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;

/**
 * Where an image index keeps its entries and embeddings: {@link IndexTable} (the exact kind: everything in memory,
 * saved as one {@link IndexFile}) or {@link LuceneStore} (the hnsw kind: a Lucene index folder). {@code ImageIndex}
 * works on this interface only, so incremental updates, saving and search are the same code for both kinds.
 *
 * <p>Not thread-safe: the owner excludes modifications from each other and from searches; concurrent searches are
 * safe while nothing modifies the store.
 */
public interface EntryStore extends AutoCloseable {

    /** {@return the number of entries} */
    int size();

    /** {@return the length of every embedding} */
    int dimension();

    /** {@return the entries, in no particular order, as an unmodifiable view (valid until the next change)} */
    Collection<IndexEntry> entries();

    /** {@return the entry of {@code path} in folder {@code root}, or null} */
    IndexEntry get(int root, String path);

    /** Adds or replaces the entry of the same file with its embedding; {@return true if the file was new} */
    boolean put(IndexEntry entry, Embedding embedding);

    /** Removes the entry of {@code path} in folder {@code root}; {@return true if there was one} */
    boolean remove(int root, String path);

    /**
     * The {@code k} entries passing {@code filter} whose embeddings are closest to {@code query} (highest dot
     * product), best first. Scores are exact dot products of the stored float embeddings for both kinds.
     *
     * @param roots the index's folders as stored, for the folder part of the filter
     */
    List<IndexTable.Hit> nearest(Embedding query, int k, EntryFilter filter, List<String> roots);

    /** Calls {@code visitor} with every entry and its embedding (a fresh array each time). */
    void forEach(EntryVisitor visitor) throws IOException;

    /**
     * Makes every change durable at {@code location}, atomically: after a crash the store reads as it was at the
     * last commit.
     */
    void commit(Path location, String modelId, List<String> roots) throws IOException;

    /** Releases files and memory; uncommitted changes are dropped. */
    @Override
    void close();

    /** Receives entries with their embeddings. */
    @FunctionalInterface
    interface EntryVisitor {
        void visit(IndexEntry entry, float[] embedding) throws IOException;
    }
}
