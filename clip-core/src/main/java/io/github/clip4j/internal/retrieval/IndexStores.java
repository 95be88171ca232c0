package io.github.clip4j.internal.retrieval;

import static java.util.Objects.requireNonNull;

import io.github.clip4j.retrieval.ImageIndex;
import io.github.clip4j.retrieval.IndexException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;

/**
 * Opens the store behind an index path, telling the kinds apart by what is on disk: one file is the exact kind
 * ({@link IndexFile}), a Lucene folder the hnsw kind ({@link LuceneStore}). The one place that knows both layouts.
 */
public final class IndexStores {
    private IndexStores() {}

    /**
     * An open store and what is recorded with it.
     *
     * @param store the entries and embeddings
     * @param kind {@code EXACT} or {@code HNSW}; {@code AUTO} for a new, still empty index whose kind is not chosen
     * @param modelId the recorded model id, or null for a new index
     * @param dimension the embedding dimension
     * @param roots the indexed folders, as stored
     */
    public record Opened(EntryStore store, ImageIndex.Kind kind, String modelId, int dimension, List<String> roots) {}

    /**
     * The kind of index at {@code path}, or null if there is none.
     *
     * @throws IndexException if something else is there
     */
    public static ImageIndex.Kind kindAt(Path path) {
        if (LuceneStore.isStore(path)) {
            return ImageIndex.Kind.HNSW;
        }
        if (Files.isRegularFile(path)) {
            return ImageIndex.Kind.EXACT;
        }
        return null;
    }

    /**
     * Opens the index at {@code path}, or a new empty one of kind {@code requested} if there is none.
     *
     * @param requested the kind wanted; {@code AUTO} accepts either kind on disk
     * @param dimension the embedding dimension of a new index
     * @throws IndexException if the index is unreadable, or is of another kind than {@code requested}
     */
    public static Opened open(Path path, ImageIndex.Kind requested, int dimension) throws IOException {
        requireNonNull(requested, "requested");
        ImageIndex.Kind onDisk = kindAt(path);
        if (onDisk != null && requested != ImageIndex.Kind.AUTO && requested != onDisk) {
            throw new IndexException("image index " + path + " is of kind " + name(onDisk) + ", not "
                    + name(requested) + ": open it as " + name(onDisk) + " (or auto), or convert it: export it to"
                    + " Parquet and import that into a new " + name(requested) + " index");
        }
        if (onDisk == ImageIndex.Kind.HNSW || (onDisk == null && requested == ImageIndex.Kind.HNSW)) {
            LuceneStore.Opened opened = LuceneStore.open(path, dimension);
            LuceneStore.Header h = opened.header();
            return h == null ? new Opened(opened.store(), ImageIndex.Kind.HNSW, null, dimension, List.of())
                    : new Opened(opened.store(), ImageIndex.Kind.HNSW, h.modelId(), h.dimension(), h.roots());
        }
        if (onDisk == null && Files.isDirectory(path)) {
            // An empty folder (or one without a Lucene commit): only the hnsw kind lives in a folder.
            if (requested == ImageIndex.Kind.EXACT) {
                throw new IndexException("cannot create an exact image index at " + path + ": it is a folder; give"
                        + " a file path (or use the hnsw kind, which is a folder)");
            }
            LuceneStore.Opened opened = LuceneStore.open(path, dimension);
            return new Opened(opened.store(), ImageIndex.Kind.HNSW, null, dimension, List.of());
        }
        try {
            IndexFile.Content content = IndexFile.read(path);
            return new Opened(IndexTable.of(content), ImageIndex.Kind.EXACT, content.modelId(), content.dimension(),
                    content.roots());
        } catch (NoSuchFileException e) {
            return new Opened(IndexTable.empty(dimension), requested, null, dimension, List.of());
        }
    }

    /**
     * The model id recorded in the index at {@code path}.
     *
     * @throws NoSuchFileException if there is no index there
     */
    public static String readModelId(Path path) throws IOException {
        if (LuceneStore.isStore(path)) {
            return LuceneStore.readHeader(path).modelId();
        }
        if (Files.isDirectory(path)) {
            throw new NoSuchFileException(path.toString());
        }
        return IndexFile.readModelId(path);
    }

    /** A new, empty hnsw store at {@code path}, for an {@code AUTO} index that chose it. */
    public static EntryStore newHnsw(Path path, int dimension) throws IOException {
        return LuceneStore.open(path, dimension).store();
    }

    /** Whether two model ids name the same weights: {@link ImageIndex#sameWeights}, the one rule for both kinds. */
    public static boolean sameWeights(String a, String b) {
        return ImageIndex.sameWeights(a, b);
    }

    public static String name(ImageIndex.Kind kind) {
        return kind.name().toLowerCase(java.util.Locale.ROOT);
    }
}
