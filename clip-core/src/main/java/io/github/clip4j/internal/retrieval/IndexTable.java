package io.github.clip4j.internal.retrieval;

import static java.util.Objects.requireNonNull;

import io.github.clip4j.Embedding;
import java.io.IOException;
import java.nio.file.Path;
import java.util.PriorityQueue;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The rows of an image index: each {@link IndexEntry} together with its embedding, findable by its folder and path.
 * Entry {@code i} always describes embedding row {@code i}; this class is the only place that keeps the entry list,
 * the lookup map and the {@link EmbeddingMatrix} in step, so callers add, replace and remove an entry with its
 * embedding in one call.
 *
 * <p>Row order is not stable: a removal moves the last row into the gap (O(dimension) instead of O(rows)).
 *
 * <p>Not thread-safe: {@code ImageIndex} guards it with its read-write lock; concurrent {@link #nearest} calls are
 * safe while nothing modifies the table.
 */
public final class IndexTable implements EntryStore {
    private final List<IndexEntry> entries;
    private final Map<Key, Integer> rowOf;
    private final EmbeddingMatrix matrix;

    private IndexTable(List<IndexEntry> entries, EmbeddingMatrix matrix) {
        this.entries = entries;
        this.matrix = matrix;
        this.rowOf = new HashMap<>(Math.max(16, entries.size() * 4 / 3 + 1));
        for (int i = 0; i < entries.size(); i++) {
            IndexEntry e = entries.get(i);
            if (rowOf.put(new Key(e.root(), e.path()), i) != null) {
                throw new IllegalArgumentException("entry " + i + " (" + e.path() + " in folder " + e.root()
                        + ") is listed twice");
            }
        }
    }

    /**
     * An empty table of {@code dimension}-sized embeddings.
     *
     * @param dimension the embedding dimension, at least 1
     * @return a new, empty table
     */
    public static IndexTable empty(int dimension) {
        return new IndexTable(new ArrayList<>(), new EmbeddingMatrix(dimension));
    }

    /**
     * A table over what an index file holds; the content's embedding array is taken, not copied.
     *
     * @param content the file's content, not null
     * @return a new table with the content's entries, in the content's order
     * @throws IllegalArgumentException if an entry is listed twice
     */
    public static IndexTable of(IndexFile.Content content) {
        requireNonNull(content, "content");
        return new IndexTable(new ArrayList<>(content.entries()),
                EmbeddingMatrix.wrap(content.dimension(), content.embeddings(), content.entries().size()));
    }

    /** {@return the number of entries (and embedding rows)} */
    @Override
    public int size() {
        return entries.size();
    }

    /** {@return the length of every embedding} */
    @Override
    public int dimension() {
        return matrix.dimension();
    }

    /** {@return the entries, in row order, as an unmodifiable view that follows later changes} */
    @Override
    public List<IndexEntry> entries() {
        return Collections.unmodifiableList(entries);
    }

    /**
     * The entry of {@code path} in folder {@code root}.
     *
     * @param root the folder's number in the index's list of roots
     * @param path the file's path relative to that folder, with {@code /} separators, not null
     * @return the entry, or null if the table has none for the file
     */
    @Override
    public IndexEntry get(int root, String path) {
        Integer row = rowOf.get(new Key(root, requireNonNull(path, "path")));
        return row == null ? null : entries.get(row);
    }

    /**
     * Adds {@code entry} with its embedding, or replaces the entry of the same file (same root and path) and its
     * embedding.
     *
     * @param entry the entry, not null
     * @param embedding its embedding, not null, of {@link #dimension()} components
     * @return true if the file was new, false if its entry was replaced
     * @throws IllegalArgumentException if the embedding's dimension differs (nothing is changed then)
     */
    @Override
    public boolean put(IndexEntry entry, Embedding embedding) {
        requireNonNull(entry, "entry");
        Key key = new Key(entry.root(), entry.path());
        Integer row = rowOf.get(key);
        if (row == null) {
            // The matrix checks the embedding first, so a refused one leaves entries and map as they were.
            rowOf.put(key, matrix.add(embedding));
            entries.add(entry);
            return true;
        }
        matrix.set(row, embedding);
        entries.set(row, entry);
        return false;
    }

    /**
     * Removes the entry of {@code path} in folder {@code root} and its embedding.
     *
     * @param root the folder's number
     * @param path the file's path relative to that folder, not null
     * @return true if there was such an entry
     */
    @Override
    public boolean remove(int root, String path) {
        Integer row = rowOf.remove(new Key(root, requireNonNull(path, "path")));
        if (row == null) {
            return false;
        }
        int moved = matrix.removeSwappingLast(row);
        IndexEntry last = entries.remove(entries.size() - 1);
        if (moved >= 0) {
            entries.set(row, last);
            rowOf.put(new Key(last.root(), last.path()), row);
        }
        return true;
    }

    /**
     * The {@code k} entries whose embeddings are closest to {@code query} (highest dot product), best first; exact.
     * Ties go to the lower row, as in {@link EmbeddingMatrix#nearest}.
     *
     * @param query an embedding of {@link #dimension()} components, not null
     * @param k the number of hits wanted, at least 1
     * @return at most {@code k} hits, best first; fewer when the table is smaller
     * @throws IllegalArgumentException if {@code k < 1} or the query's dimension differs
     */
    public List<Hit> nearest(Embedding query, int k) {
        List<EmbeddingMatrix.Match> matches = matrix.nearest(query, k);
        List<Hit> hits = new ArrayList<>(matches.size());
        for (EmbeddingMatrix.Match m : matches) {
            hits.add(new Hit(entries.get(m.row()), m.score()));
        }
        return hits;
    }

    /**
     * As {@link #nearest(Embedding, int)}, over the entries passing {@code filter} only (a row predicate: every row
     * is tested, the matching ones compared).
     */
    @Override
    public List<Hit> nearest(Embedding query, int k, EntryFilter filter, List<String> roots) {
        if (filter == null || filter.isAll()) {
            return nearest(query, k);
        }
        if (k < 1) {
            throw new IllegalArgumentException("k must be at least 1, got " + k);
        }
        float[] q = query.toArray();
        int dim = matrix.dimension();
        if (q.length != dim) {
            throw new IllegalArgumentException("query has " + q.length + " dimensions, the index " + dim);
        }
        float[] data = matrix.backingArray();
        // Worst first; ties go to the lower row, as in the unfiltered search.
        PriorityQueue<EmbeddingMatrix.Match> top = new PriorityQueue<>(k + 1, (a, b) -> a.score() != b.score()
                ? Float.compare(a.score(), b.score()) : Integer.compare(b.row(), a.row()));
        for (int row = 0; row < entries.size(); row++) {
            if (filter.matches(entries.get(row), roots)) {
                top.add(new EmbeddingMatrix.Match(row, EmbeddingMatrix.dot(q, data, row * dim, dim)));
                if (top.size() > k) {
                    top.poll();
                }
            }
        }
        Hit[] hits = new Hit[top.size()];
        for (int i = hits.length - 1; i >= 0; i--) {
            EmbeddingMatrix.Match m = top.poll();
            hits[i] = new Hit(entries.get(m.row()), m.score());
        }
        return List.of(hits);
    }

    @Override
    public void forEach(EntryVisitor visitor) throws IOException {
        int dim = matrix.dimension();
        float[] data = matrix.backingArray();
        for (int row = 0; row < entries.size(); row++) {
            visitor.visit(entries.get(row), java.util.Arrays.copyOfRange(data, row * dim, row * dim + dim));
        }
    }

    /** Writes the table to the index file {@code location} through {@link IndexFile#write} (atomic). */
    @Override
    public void commit(Path location, String modelId, List<String> roots) throws IOException {
        IndexFile.write(location, snapshot(modelId, roots));
    }

    /** Nothing to release: the table is plain memory. */
    @Override
    public void close() {}

    /**
     * The table as an index file's content, without copying the embeddings: it is valid only until the table next
     * changes, so write it before letting go of the lock that guards the table.
     *
     * @param modelId the model id to record, not null
     * @param roots the index's folders, in the form stored in the file, not null
     * @return the content to {@link IndexFile#write}
     */
    public IndexFile.Content snapshot(String modelId, List<String> roots) {
        return new IndexFile.Content(modelId, matrix.dimension(), roots, entries, matrix.backingArray());
    }

    /**
     * An entry and the cosine similarity of its embedding with a query.
     *
     * @param entry the matching entry
     * @param score the dot product of its embedding with the query
     */
    public record Hit(IndexEntry entry, float score) {}

    /** An entry's identity: its folder and its path in it. */
    private record Key(int root, String path) {}
}
