package io.github.clip4j.internal.retrieval;

import static java.util.Objects.requireNonNull;

import io.github.clip4j.Embedding;
import io.github.clip4j.SkippedFile;
import io.github.clip4j.retrieval.ImageIndex;
import io.github.clip4j.retrieval.IndexException;
import io.github.clip4j.retrieval.IndexUpdate;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Embeddings in and out of an index as plain rows, for the hand-over formats (the CLI's Parquet import and export;
 * the Spark module writes the same rows). No file format here: the caller reads or writes the rows.
 *
 * <p>A row's path is the image's path as the index stores it: relative to the index's own folder when inside it,
 * absolute otherwise. Imported rows go under the index's own folder as their root, so a relative path resolves
 * against the index's folder and an absolute one stays as it is; exporting and importing into an index in the same
 * folder gives the same search results.
 */
public final class IndexRows {
    private IndexRows() {}

    /** Size and time not known. */
    public static final long UNKNOWN = Long.MIN_VALUE;

    /**
     * One image.
     *
     * @param path the image's path as stored ({@code /} separators)
     * @param embedding its embedding (normalized on import if it is not a unit vector)
     * @param size its size in bytes, or {@link #UNKNOWN}
     * @param modifiedMillis its last-modified time in ms since the epoch, or {@link #UNKNOWN}
     */
    public record Row(String path, float[] embedding, long size, long modifiedMillis) {
        public Row {
            requireNonNull(path, "path");
            requireNonNull(embedding, "embedding");
        }
    }

    /** Receives rows. */
    @FunctionalInterface
    public interface RowSink {
        void accept(Row row) throws IOException;
    }

    /** What an export starts with: the index's model and dimension, before the rows. */
    public record Header(String modelId, int dimension, ImageIndex.Kind kind) {}

    /**
     * Adds {@code rows} to the index at {@code index} (created, of {@code kind}, if missing; {@code AUTO} picks hnsw
     * from {@link ImageIndex#AUTO_HNSW_THRESHOLD} rows) and commits once at the end: an import that fails or is
     * killed leaves the index as it was.
     *
     * @param rowCount the number of rows if known in advance (for {@code AUTO}), else -1
     * @param source describes the rows' origin in errors, e.g. the Parquet file's name
     * @return what changed: added, updated (a known path whose size or time differs), unchanged (same path, size and time)
     * @throws IndexException if the index is of another model or dimension, or a row's embedding has the wrong length
     */
    public static IndexUpdate importRows(Path index, ImageIndex.Kind kind, String modelId, int dimension,
            Iterable<Row> rows, long rowCount, String source) throws IOException {
        ImageIndex.Kind wanted = kind;
        if (kind == ImageIndex.Kind.AUTO && IndexStores.kindAt(index) == null) {
            wanted = rowCount >= ImageIndex.AUTO_HNSW_THRESHOLD ? ImageIndex.Kind.HNSW : ImageIndex.Kind.EXACT;
        }
        // The writer lock of both kinds (as ImageIndex takes it): no other process changes the index meanwhile.
        try (IndexLock writeLock = IndexLock.acquire(index)) {
            io.github.clip4j.internal.io.AtomicFiles.deleteLeftovers(index);
            return importLocked(index, wanted, modelId, dimension, rows, source);
        }
    }

    private static IndexUpdate importLocked(Path index, ImageIndex.Kind wanted, String modelId, int dimension,
            Iterable<Row> rows, String source) throws IOException {
        IndexStores.Opened opened = IndexStores.open(index, wanted, dimension);
        try (EntryStore store = opened.store()) {
            if (opened.modelId() != null && !IndexStores.sameWeights(opened.modelId(), modelId)) {
                throw new IndexException("image index " + index + " was built with model " + opened.modelId()
                        + ", the rows of " + source + " with " + modelId + "; import into a new index, or"
                        + " re-embed the images with " + opened.modelId());
            }
            if (opened.dimension() != dimension) {
                throw new IndexException("image index " + index + " holds " + opened.dimension() + "-dimension"
                        + " embeddings, " + source + " is for " + dimension + "; import into a new index");
            }
            List<String> roots = new ArrayList<>(opened.roots());
            if (store instanceof LuceneStore lucene) {
                lucene.useRoots(roots);
            }
            Path indexFolder = index.toAbsolutePath().normalize().getParent();
            List<SkippedFile> skipped = new ArrayList<>();
            int added = 0;
            int updated = 0;
            int unchanged = 0;
            long n = 0;
            for (Row row : rows) {
                n++;
                if (row.embedding().length != dimension) {
                    throw new IndexException(source + ", row " + n + " (" + row.path() + "): embedding of "
                            + row.embedding().length + " values, the model's have " + dimension
                            + "; export the embeddings with the same model");
                }
                // The row's path is untrusted: it must name a file by a normalized path, as the index stores it.
                String[] rootAndPath = place(row.path(), indexFolder);
                if (rootAndPath[0] == null) {
                    skipped.add(new SkippedFile(printable(row.path()), source + ", row " + n + ": "
                            + rootAndPath[1]));
                    continue;
                }
                int root = roots.indexOf(rootAndPath[0]);
                if (root < 0) {
                    roots.add(rootAndPath[0]);
                    root = roots.size() - 1;
                }
                String path = rootAndPath[1];
                long nanos = row.modifiedMillis() == UNKNOWN ? UNKNOWN : row.modifiedMillis() * 1_000_000L;
                long size = row.size() == UNKNOWN ? -1 : row.size();
                IndexEntry entry = new IndexEntry(root, path, size, nanos);
                IndexEntry known = store.get(root, path);
                if (known != null && known.equals(entry)) {
                    unchanged++;
                    continue;
                }
                if (store.put(entry, unit(row.embedding(), source, n))) {
                    added++;
                } else {
                    updated++;
                }
            }
            store.commit(index, opened.modelId() != null ? opened.modelId() : modelId, roots);
            return new IndexUpdate(added, updated, 0, unchanged, store.size(), skipped);
        }
    }

    /**
     * Where a row's path goes: {@code {root, entry path}} as {@code ImageIndex} stores them (a relative path under the
     * index's folder, root {@code ""}; an absolute one under its parent folder, relative to the index's folder when
     * inside it), or {@code {null, why}} if the path cannot be an entry (empty, not normalized, leaving the index's
     * folder, NUL characters).
     */
    static String[] place(String raw, Path indexFolder) {
        if (raw.isEmpty() || raw.indexOf('\0') >= 0 || raw.length() > 4096) {
            return new String[] {null, "the path is empty, too long or has a NUL character"};
        }
        String portable = raw.replace('\\', '/');
        if (!portable.startsWith("/") && !(portable.length() > 2 && portable.charAt(1) == ':')) {
            String problem = IndexFile.entryProblem(portable);
            return problem == null ? new String[] {"", portable}
                    : new String[] {null, "the entry " + problem};
        }
        Path absolute;
        try {
            absolute = Path.of(raw);
        } catch (java.nio.file.InvalidPathException e) {
            return new String[] {null, "not a valid path on this system"};
        }
        if (!absolute.isAbsolute() || !absolute.normalize().equals(absolute) || absolute.getParent() == null
                || absolute.getFileName() == null) {
            return new String[] {null, "the path is not normalized"};
        }
        Path parent = absolute.getParent();
        String root;
        if (parent.startsWith(indexFolder)) {
            StringBuilder sb = new StringBuilder();
            for (Path part : indexFolder.relativize(parent)) {
                if (sb.length() > 0) {
                    sb.append('/');
                }
                sb.append(part);
            }
            root = sb.toString();
        } else {
            root = parent.toString();
        }
        String name = absolute.getFileName().toString();
        String problem = IndexFile.rootProblem(root);
        if (problem == null) {
            problem = IndexFile.entryProblem(name);
        }
        return problem == null ? new String[] {root, name} : new String[] {null, "the path " + problem};
    }

    /** A path to report a skipped row by, even if the row's text is not a valid path here. */
    private static Path printable(String raw) {
        String shown = raw.length() > 200 ? raw.substring(0, 200) + "..." : raw;
        try {
            return Path.of(shown);
        } catch (java.nio.file.InvalidPathException e) {
            return Path.of(shown.replaceAll("[^\\p{Alnum}._/-]", "?"));
        }
    }

    private static Embedding unit(float[] v, String source, long row) {
        double sum = 0;
        for (float x : v) {
            sum += (double) x * x;
        }
        if (!(sum > 0) || Double.isInfinite(sum)) {
            throw new IndexException(source + ", row " + row + ": the embedding is zero or not finite");
        }
        return Math.abs(Math.sqrt(sum) - 1) <= 1e-4 ? Embedding.ofNormalized(v) : Embedding.normalize(v);
    }

    /**
     * Reads the header of the index at {@code index} and then every row through {@code sink}, without loading a
     * model.
     *
     * @param header receives the header before the first row
     * @return the number of rows
     * @throws IndexException if there is no readable index there
     */
    public static long exportRows(Path index, java.util.function.Consumer<Header> header, RowSink sink)
            throws IOException {
        if (IndexStores.kindAt(index) == null) {
            throw new IndexException("no image index at " + index + "; give the path of an index built by 'clip index'");
        }
        IndexStores.Opened opened = IndexStores.open(index, ImageIndex.Kind.AUTO, 1);
        try (EntryStore store = opened.store()) {
            header.accept(new Header(opened.modelId(), opened.dimension(), opened.kind()));
            List<String> roots = opened.roots();
            long[] n = {0};
            store.forEach((entry, embedding) -> {
                sink.accept(new Row(EntryFilter.joined(roots.get(entry.root()), entry.path()), embedding,
                        entry.size() < 0 ? UNKNOWN : entry.size(),
                        entry.modifiedNanos() == UNKNOWN ? UNKNOWN : Math.floorDiv(entry.modifiedNanos(), 1_000_000L)));
                n[0]++;
            });
            return n[0];
        }
    }
}
