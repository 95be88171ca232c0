package io.github.clip4j.retrieval;

import io.github.clip4j.ClipClosedException;

import io.github.clip4j.InvalidImageException;

import static java.util.Objects.requireNonNull;

import io.github.clip4j.Embedding;
import io.github.clip4j.EmbeddingModel;
import io.github.clip4j.SkippedFile;
import io.github.clip4j.common.ClipException;
import io.github.clip4j.internal.retrieval.EntryStore;
import io.github.clip4j.internal.retrieval.IndexEntry;
import io.github.clip4j.internal.retrieval.IndexLock;
import io.github.clip4j.internal.retrieval.IndexStores;
import io.github.clip4j.internal.retrieval.IndexTable;
import io.github.clip4j.internal.retrieval.LuceneStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A searchable collection of image embeddings kept in one file: index folders once, then find images by text or by
 * example image in milliseconds.
 *
 * <pre>{@code
 * try (ImageIndex index = ImageIndex.open(Path.of("photos.clipindex"), clip)) {
 *     IndexUpdate update = index.addDirectory(Path.of("photos"));   // only new and changed files are embedded
 *     for (SearchHit hit : index.search("a dog on a beach", 5)) {
 *         System.out.println(hit.score() + " " + hit.path());
 *     }
 * }                                                                  // saved on close if changed
 * }</pre>
 *
 * <p><b>What is stored.</b> For each image: its folder (one of the folders given to {@link #addDirectory}), its path
 * relative to that folder, its size and last-modified time (to notice changes), and its L2-normalized embedding as
 * float32; plus the model's id and the embedding dimension. A folder inside the index file's folder is stored
 * relative to it, so the index and its images can be moved together; any other folder is stored as an absolute path.
 * Search results resolve these back against the index file's path as it was given to {@link #open}. The format is
 * described in {@code IndexFile}; every save writes a new file and renames it over the old one, so a crash never
 * leaves a half-written index.
 *
 * <p><b>Models.</b> An index belongs to the model that built it: opening it with a model whose weights differ (by
 * the fingerprint in {@link EmbeddingModel#modelId()}, see {@link #sameWeights}) is refused (the embeddings would be
 * meaningless), and the fix is to rebuild it. The same weights from another file or format are accepted.
 *
 * <p><b>Writers.</b> Before its first change an index takes an exclusive lock on the file {@code INDEX.lock}
 * beside its file (an OS lock, released when the index is closed or its process dies), then reads the file again,
 * so two processes never overwrite each other's work: while one writes, another's {@link #addDirectory} or
 * {@link #save()} fails at once with an {@link IndexException} naming the holder. Searching takes no lock. While
 * indexing, the index is saved every 1024 newly embedded images or every minute, so a run that is killed resumes
 * where its last save left off; temporary files of a killed save are removed by the next writer.
 *
 * <p><b>Untrusted files.</b> An index file is checked as it is read: entries must be relative paths inside their
 * folder (normalized, no {@code ..}), embeddings finite, and a search result whose real path (symbolic links
 * resolved) leads outside its folder is refused. The model id an index records is only compared, never loaded.
 *
 * <p><b>Kinds.</b> An index is {@link Kind#EXACT exact} (one file, every embedding in memory, every search compares
 * all of them) or {@link Kind#HNSW hnsw} (a Lucene folder: an HNSW graph over int8-quantized vectors, searched in
 * milliseconds at millions of images, candidates re-scored with the float embeddings). {@link #open} tells them apart
 * by what is on disk; a new index gets the kind asked for, {@link Kind#AUTO} by default. Both kinds update
 * incrementally, refuse another model's index, survive a crash with their last save, and take a
 * {@link SearchFilter}.
 *
 * <p>Thread-safe: searches run concurrently; indexing and saving exclude each other and searches.
 */
public final class ImageIndex implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ImageIndex.class);

    /** The image file extensions indexed (lower case, compared case-insensitively). */
    public static final Set<String> IMAGE_EXTENSIONS = Set.of("png", "jpg", "jpeg", "gif", "bmp", "webp");

    /** Images embedded per {@link EmbeddingModel#embedImages} call unless {@link #open(Path, EmbeddingModel, int)} says. */
    public static final int DEFAULT_BATCH_SIZE = 32;

    /** While indexing, the index is saved after at least this many newly embedded images... */
    static final int CHECKPOINT_IMAGES = 1024;
    /** ... or after this long, whichever comes first, so that a killed run resumes from there. */
    static final long CHECKPOINT_NANOS = TimeUnit.SECONDS.toNanos(60);

    /**
     * How an index stores and searches its embeddings.
     */
    public enum Kind {
        /** One file, all embeddings in memory, exact search: right up to about a hundred thousand images. */
        EXACT,
        /** A Lucene folder with an HNSW graph: approximate search in milliseconds at millions of images. */
        HNSW,
        /**
         * For a new index: {@link #EXACT}, unless the first folder indexed has at least
         * {@value ImageIndex#AUTO_HNSW_THRESHOLD} images, then {@link #HNSW}; an existing index keeps its kind.
         */
        AUTO
    }

    /** The number of images from which a new {@link Kind#AUTO} index is made hnsw. */
    public static final int AUTO_HNSW_THRESHOLD = 100_000;

    private final Path file;
    private final EmbeddingModel model;
    private final int batchSize;
    private final ReadWriteLock lock = new ReentrantReadWriteLock();

    // Guarded by lock. An entry's root is its folder's position in roots.
    private final List<String> roots;
    private EntryStore table;
    private Kind kind;
    private boolean dirty;
    private boolean closed;
    /** The file's write lock, taken before the first change and held until close; null while only read. */
    private IndexLock writeLock;

    private ImageIndex(Path file, EmbeddingModel model, int batchSize, IndexStores.Opened opened) {
        this.file = file;
        this.model = model;
        this.batchSize = batchSize;
        this.roots = new ArrayList<>(opened.roots());
        this.kind = opened.kind();
        useStore(opened.store());
    }

    private void useStore(EntryStore store) {
        this.table = store;
        if (store instanceof LuceneStore lucene) {
            lucene.useRoots(roots);
        }
    }

    /**
     * Opens the index in {@code indexFile} for {@code model}, or starts an empty one if the file does not exist (it is
     * written on the first {@link #save()} or on {@link #close()}). Embeds {@value #DEFAULT_BATCH_SIZE} images per
     * model call.
     *
     * @param indexFile the index file, not null; need not exist, but its folder must when the index is saved
     * @param model the model to embed images and queries with, not null; it must be the model that built the index
     * @return the open index; close it to save changes
     * @throws IndexException if the file is not a valid index, or was built with another model
     */
    public static ImageIndex open(Path indexFile, EmbeddingModel model) {
        return open(indexFile, model, DEFAULT_BATCH_SIZE);
    }

    /**
     * As {@link #open(Path, EmbeddingModel)}, embedding {@code batchSize} images per model call: larger batches are
     * faster per image but hold more decoded images in memory at once.
     *
     * @param indexFile the index file, not null; need not exist
     * @param model the model to embed images and queries with, not null
     * @param batchSize the number of images per {@link EmbeddingModel#embedImages} call, at least 1
     * @return the open index; close it to save changes
     * @throws IllegalArgumentException if {@code batchSize < 1}
     * @throws IndexException if the file is not a valid index, or was built with another model
     */
    public static ImageIndex open(Path indexFile, EmbeddingModel model, int batchSize) {
        return open(indexFile, model, batchSize, Kind.AUTO);
    }

    /**
     * As {@link #open(Path, EmbeddingModel)}, creating a new index of {@code kind}.
     *
     * @param path the index file (exact) or folder (hnsw), not null; need not exist
     * @param model the model to embed images and queries with, not null
     * @param kind the kind of a new index, not null; an existing index must be of this kind unless it is
     *     {@link Kind#AUTO}
     * @return the open index; close it to save changes
     * @throws IndexException if the path holds no valid index, an index of another kind, or another model's
     */
    public static ImageIndex open(Path path, EmbeddingModel model, Kind kind) {
        return open(path, model, DEFAULT_BATCH_SIZE, kind);
    }

    /**
     * As {@link #open(Path, EmbeddingModel, Kind)}, embedding {@code batchSize} images per model call.
     *
     * @param path the index file (exact) or folder (hnsw), not null; need not exist
     * @param model the model to embed images and queries with, not null
     * @param batchSize the number of images per {@link EmbeddingModel#embedImages} call, at least 1
     * @param kind the kind of a new index, not null
     * @return the open index; close it to save changes
     * @throws IllegalArgumentException if {@code batchSize < 1}
     * @throws IndexException if the path holds no valid index, an index of another kind, or another model's
     */
    public static ImageIndex open(Path path, EmbeddingModel model, int batchSize, Kind kind) {
        Path indexFile = path;
        requireNonNull(kind, "kind");
        requireNonNull(indexFile, "indexFile");
        requireNonNull(model, "model");
        if (batchSize < 1) {
            throw new IllegalArgumentException("batch size must be at least 1, got " + batchSize);
        }
        IndexStores.Opened content;
        try {
            content = IndexStores.open(indexFile, kind, model.dimension());
        } catch (IOException e) {
            throw new IndexException("cannot read image index " + indexFile + ": " + e, e);
        }
        if (content.modelId() == null) {
            content = new IndexStores.Opened(content.store(), content.kind(), model.modelId(), model.dimension(),
                    content.roots());
            log.debug("no index at {}: starting an empty one", indexFile);
        }
        try {
            checkModel(indexFile, content.modelId(), content.dimension(), model);
        } catch (IndexException e) {
            content.store().close();
            throw e;
        }
        ImageIndex index = new ImageIndex(indexFile, model, batchSize, content);
        log.debug("opened {} with {} images", indexFile, index.table.size());
        return index;
    }

    private static void checkModel(Path indexFile, String modelId, int dimension, EmbeddingModel model) {
        if (!sameWeights(modelId, model.modelId()) || dimension != model.dimension()) {
            throw new IndexException("image index " + indexFile + " was built with model " + modelId + " ("
                    + dimension + " dimensions), not with " + model.modelId() + " (" + model.dimension()
                    + "); rebuild it with " + model.modelId() + " (delete the file and index the folders again) or "
                    + "search it with " + modelId);
        }
    }

    /**
     * Whether two {@link EmbeddingModel#modelId() model ids} name the same weights. Ids of the form
     * {@code NAME#FINGERPRINT} (as {@code Clip} makes them) are compared by fingerprint only, so the same weights
     * read from another file or format (a TorchScript archive, its safetensors export) are the same model; other ids
     * must be equal.
     *
     * @param a a model id, not null
     * @param b another model id, not null
     * @return true if both describe the same weights
     */
    public static boolean sameWeights(String a, String b) {
        requireNonNull(a, "a");
        requireNonNull(b, "b");
        int hashA = a.lastIndexOf('#');
        int hashB = b.lastIndexOf('#');
        if (hashA < 0 || hashB < 0) {
            return a.equals(b);
        }
        String fingerprint = a.substring(hashA + 1);
        return !fingerprint.isEmpty() && fingerprint.equals(b.substring(hashB + 1));
    }

    /**
     * The name part of a {@link EmbeddingModel#modelId() model id} ({@code NAME} of {@code NAME#FINGERPRINT}): a
     * label to show and compare, never a path to open or a model to download.
     *
     * @param modelId a model id, not null
     * @return the id up to its last {@code #}, or the whole id if it has none
     */
    public static String modelName(String modelId) {
        int hash = requireNonNull(modelId, "modelId").lastIndexOf('#');
        return hash > 0 ? modelId.substring(0, hash) : modelId;
    }

    /**
     * The {@link EmbeddingModel#modelId()} of the model that built the index in {@code indexFile}, read from its
     * header: a tool can load that model before {@link #open opening} the index. The rest of the file is checked
     * only by {@code open}.
     *
     * @param indexFile an existing index file, not null
     * @return the model id recorded in the file
     * @throws IndexException if the file does not exist, is not an index, or cannot be read
     */
    public static String modelIdOf(Path indexFile) {
        requireNonNull(indexFile, "indexFile");
        try {
            return IndexStores.readModelId(indexFile);
        } catch (NoSuchFileException e) {
            throw new IndexException("no image index at " + indexFile + "; build one with addDirectory first", e);
        } catch (IOException e) {
            throw new IndexException("cannot read image index " + indexFile + ": " + e, e);
        }
    }

    /**
     * The file the index is saved to.
     *
     * @return the index file, as given to {@link #open} (relative if it was given relative)
     */
    public Path file() {
        return file;
    }

    /**
     * The kind of this index: {@link Kind#EXACT} or {@link Kind#HNSW}, or {@link Kind#AUTO} while a new auto index
     * is empty and its kind not chosen yet.
     *
     * @return the kind
     */
    public Kind kind() {
        lock.readLock().lock();
        try {
            return kind;
        } finally {
            lock.readLock().unlock();
        }
    }

    /**
     * The number of images in the index, including changes not saved yet.
     *
     * @return the number of images, over all folders
     */
    public int size() {
        lock.readLock().lock();
        try {
            return table.size();
        } finally {
            lock.readLock().unlock();
        }
    }

    /**
     * The indexed image files, e.g. to list or export them.
     *
     * @return a new list of the files, resolved as in search results, in no particular order
     */
    public List<Path> paths() {
        lock.readLock().lock();
        try {
            List<Path> paths = new ArrayList<>(table.size());
            for (IndexEntry e : table.entries()) {
                paths.add(resolve(e));
            }
            return paths;
        } finally {
            lock.readLock().unlock();
        }
    }

    /**
     * The folders the index holds images of (those given to {@link #addDirectory}), resolved like the paths of
     * search results: every {@link #paths() path} is inside one of them. A server that hands out indexed files can
     * check that a file (its symbolic links resolved) is still inside its folder.
     *
     * @return a new list of the folders, in the order they were first added
     */
    public List<Path> folders() {
        lock.readLock().lock();
        try {
            List<Path> folders = new ArrayList<>(roots.size());
            Path parent = file.getParent();
            for (String root : roots) {
                Path folder = (parent == null ? Path.of(root) : parent.resolve(root)).normalize();
                folders.add(folder.toString().isEmpty() ? Path.of(".") : folder);
            }
            return folders;
        } finally {
            lock.readLock().unlock();
        }
    }

    /**
     * Brings the index up to date with {@code dir}, without progress reports; see
     * {@link #addDirectory(Path, IndexProgressListener)}.
     *
     * @param dir the folder to index recursively, not null
     * @return what changed
     * @throws IndexException if {@code dir} is not a folder
     */
    public IndexUpdate addDirectory(Path dir) {
        return addDirectory(dir, IndexProgressListener.NONE);
    }

    /**
     * Brings the index up to date with the image files under {@code dir} (recursively; {@link #IMAGE_EXTENSIONS}
     * only, symbolic links to folders not followed): new files are embedded and added, files whose size or
     * modification time changed are embedded again, entries whose file is gone are dropped, the rest is kept as is.
     * Images are embedded in batches; {@code listener} hears after each. A file that cannot be read or decoded is
     * skipped and reported in the result, never fatal. Entries of other folders are not touched.
     *
     * <p>The changes are in memory until {@link #save()} or {@link #close()}.
     *
     * @param dir the folder to index recursively, not null
     * @param listener hears progress after each batch, on the calling thread, not null
     *     ({@link IndexProgressListener#NONE} for none)
     * @return what changed, with the files that were skipped and why
     * @throws IndexException if {@code dir} is not a folder
     */
    public IndexUpdate addDirectory(Path dir, IndexProgressListener listener) {
        requireNonNull(dir, "dir");
        requireNonNull(listener, "listener");
        if (!Files.isDirectory(dir)) {
            throw new IndexException("cannot index " + dir + ": not a folder");
        }
        lock.writeLock().lock();
        try {
            checkOpen();
            becomeWriter();
            return update(dir, listener);
        } finally {
            lock.writeLock().unlock();
        }
    }

    private IndexUpdate update(Path dir, IndexProgressListener listener) {
        int root = rootOf(dir);
        List<SkippedFile> skipped = new ArrayList<>();
        List<Found> found = scan(dir, skipped);
        chooseKind(found.size());

        List<Found> toEmbed = new ArrayList<>();
        Set<String> present = new HashSet<>();
        int unchanged = 0;
        for (Found f : found) {
            present.add(f.relative);
            IndexEntry known = table.get(root, f.relative);
            if (known == null || known.size() != f.size || known.modifiedNanos() != f.modifiedNanos) {
                toEmbed.add(f);
            } else {
                unchanged++;
            }
        }
        List<String> gone = new ArrayList<>();
        for (IndexEntry e : table.entries()) {
            if (e.root() == root && !present.contains(e.path())) {
                gone.add(e.path());
            }
        }
        int removed = 0;
        for (String path : gone) {
            table.remove(root, path);
            removed++;
            dirty = true;
        }

        int added = 0;
        int updated = 0;
        int done = 0;
        int sinceSave = 0;
        long lastSave = System.nanoTime();
        for (int from = 0; from < toEmbed.size(); from += batchSize) {
            List<Found> batch = toEmbed.subList(from, Math.min(toEmbed.size(), from + batchSize));
            List<Embedding> embeddings = embed(batch, skipped);
            for (int i = 0; i < batch.size(); i++) {
                Found f = batch.get(i);
                Embedding embedding = embeddings.get(i);
                if (embedding == null) {
                    // Changed and now unreadable: its old embedding no longer describes it.
                    if (table.remove(root, f.relative)) {
                        removed++;
                    }
                } else if (table.put(new IndexEntry(root, f.relative, f.size, f.modifiedNanos), embedding)) {
                    added++;
                } else {
                    updated++;
                }
                dirty = true;
            }
            done += batch.size();
            sinceSave += batch.size();
            if (done < toEmbed.size()
                    && (sinceSave >= CHECKPOINT_IMAGES || System.nanoTime() - lastSave >= CHECKPOINT_NANOS)) {
                // A checkpoint: a run killed after it resumes from here instead of embedding everything again.
                saveLocked();
                sinceSave = 0;
                lastSave = System.nanoTime();
            }
            listener.onProgress(done, toEmbed.size());
        }
        if (!Files.exists(file)) {
            dirty = true;
        }
        IndexUpdate result = new IndexUpdate(added, updated, removed, unchanged, table.size(), skipped);
        log.info("indexed {}: {} added, {} updated, {} removed, {} unchanged, {} skipped; {} images in the index",
                dir, added, updated, removed, unchanged, skipped.size(), table.size());
        return result;
    }

    /** A new {@link Kind#AUTO} index becomes hnsw if its first content is large, else exact. */
    private void chooseKind(int images) {
        if (kind != Kind.AUTO) {
            return;
        }
        if (images >= AUTO_HNSW_THRESHOLD && table.size() == 0) {
            try {
                useStore(IndexStores.newHnsw(file, model.dimension()));
            } catch (IOException e) {
                throw new IndexException("cannot create an hnsw image index at " + file + ": " + e, e);
            }
            kind = Kind.HNSW;
        } else {
            kind = Kind.EXACT;
        }
        log.debug("new image index {} is {} ({} images)", file, kind, images);
    }

    /**
     * The embeddings of {@code batch}, null where a file cannot be used (and reported in {@code skipped}). One model
     * call for the batch; if it refuses the batch, each file alone, to find the bad ones.
     */
    private List<Embedding> embed(List<Found> batch, List<SkippedFile> skipped) {
        List<Path> paths = new ArrayList<>(batch.size());
        for (Found f : batch) {
            paths.add(f.path);
        }
        try {
            List<Embedding> embeddings = model.embedImages(paths);
            if (embeddings.size() != paths.size()) {
                throw new IllegalStateException("the model returned " + embeddings.size() + " embeddings for "
                        + paths.size() + " images");
            }
            return embeddings;
        } catch (ClipException | IllegalArgumentException batchFailure) {
            log.debug("batch of {} images refused ({}); embedding them one by one", paths.size(),
                    batchFailure.getMessage());
        }
        List<Embedding> embeddings = new ArrayList<>(paths.size());
        for (Path path : paths) {
            try {
                embeddings.add(model.embedImage(path));
            } catch (IllegalArgumentException e) {
                // The image decoded, but the model's features cannot be normalized (NaN, infinite, zero): the
                // model is broken, and every further image would fail alike.
                throw new IndexException("model " + model.modelId() + " gave unusable features for image " + path
                        + " (" + e.getMessage() + "); its weights are probably broken; nothing was saved from this"
                        + " batch", e);
            } catch (InvalidImageException e) {
                log.warn("skipping {}: {}", path, e.getMessage());
                skipped.add(new SkippedFile(path, e.getMessage() == null ? e.toString() : e.getMessage()));
                embeddings.add(null);
            } catch (ClipClosedException e) {
                throw e;
            } catch (ClipException e) {
                // Not the image's fault (e.g. the model's features are NaN): every further image would fail alike.
                throw new IndexException("model " + model.modelId() + " failed on image " + path + " ("
                        + e.getMessage() + "); its weights are probably broken; nothing was saved from this batch", e);
            }
        }
        return embeddings;
    }

    /** The image files under {@code dir}, sorted by relative path; unreadable folders are reported in {@code skipped}. */
    private static List<Found> scan(Path dir, List<SkippedFile> skipped) {
        List<Found> found = new ArrayList<>();
        try {
            Files.walkFileTree(dir, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path path, BasicFileAttributes attrs) {
                    if (attrs.isRegularFile() && isImage(path)) {
                        String relative = toPortable(dir.relativize(path));
                        found.add(new Found(path, relative, attrs.size(),
                                attrs.lastModifiedTime().to(TimeUnit.NANOSECONDS)));
                    }
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path path, IOException e) {
                    skipped.add(new SkippedFile(path, "cannot read: " + e));
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir, e);
        }
        found.sort(Comparator.comparing((Found f) -> f.relative));
        return found;
    }

    private static boolean isImage(Path path) {
        String name = path.getFileName().toString();
        int dot = name.lastIndexOf('.');
        return dot >= 0 && IMAGE_EXTENSIONS.contains(name.substring(dot + 1).toLowerCase(Locale.ROOT));
    }

    private static String toPortable(Path relative) {
        StringBuilder sb = new StringBuilder();
        for (Path part : relative) {
            if (sb.length() > 0) {
                sb.append('/');
            }
            sb.append(part);
        }
        return sb.toString();
    }

    /** The index of {@code dir} in {@link #roots}, adding it (in its stored form) if new. */
    private int rootOf(Path dir) {
        Path absolute = dir.toAbsolutePath().normalize();
        for (int i = 0; i < roots.size(); i++) {
            if (absoluteRoot(roots.get(i)).equals(absolute)) {
                return i;
            }
        }
        Path base = indexFolder();
        String stored = absolute.startsWith(base) ? toPortable(base.relativize(absolute)) : absolute.toString();
        roots.add(stored);
        return roots.size() - 1;
    }

    private Path indexFolder() {
        return file.toAbsolutePath().normalize().getParent();
    }

    private Path absoluteRoot(String stored) {
        return indexFolder().resolve(stored).normalize();
    }

    /** The entry's file, relative to the working folder when the index file was given relatively and contains it. */
    private Path resolve(IndexEntry e) {
        Path parent = file.getParent();
        Path root = parent == null ? Path.of(roots.get(e.root())) : parent.resolve(roots.get(e.root()));
        Path resolved = root.resolve(e.path()).normalize();
        return resolved.toString().isEmpty() ? Path.of(".") : resolved;
    }

    /**
     * {@link #resolve} for a file about to be handed out (and maybe read, e.g. drawn into a grid): its real path,
     * symbolic links resolved, must be inside its folder's. The file format already keeps entries lexically inside
     * their folder; a link put in place of an indexed file would lead out of it.
     *
     * @throws IndexException if the file resolves to outside its folder
     */
    private Path resolveInsideRoot(IndexEntry e) {
        Path path = resolve(e);
        Path root = absoluteRoot(roots.get(e.root()));
        try {
            Path real = path.toRealPath();
            Path realRoot = root.toRealPath();
            if (!real.startsWith(realRoot)) {
                throw new IndexException("image index " + file + " lists " + path + ", which leads outside its"
                        + " folder " + root + " (a symbolic link); refusing it: delete the index and index the folder"
                        + " again");
            }
        } catch (IOException gone) {
            // A file or folder deleted since indexing: nothing would be read through it.
        }
        return path;
    }

    /**
     * The {@code k} images most similar to {@code text} (e.g. {@code "a dog on a beach"}), best first. The text is
     * embedded with the index's model, outside the index's lock.
     *
     * @param text the query, not null; longer texts are truncated to the model's context
     * @param k the number of images wanted, at least 1
     * @return at most {@code k} hits, best first (fewer when the index is smaller)
     * @throws IllegalArgumentException if {@code k < 1}
     * @throws IllegalStateException if the index is closed
     */
    public List<SearchHit> search(String text, int k) {
        return search(text, k, SearchFilter.ANY);
    }

    /**
     * As {@link #search(String, int)}, among the images {@code filter} lets through.
     *
     * @param text the query, not null
     * @param k the number of images wanted, at least 1
     * @param filter which images may be returned, not null ({@link SearchFilter#ANY} for all)
     * @return at most {@code k} hits, best first
     * @throws IllegalArgumentException if {@code k < 1}
     * @throws IllegalStateException if the index is closed
     */
    public List<SearchHit> search(String text, int k, SearchFilter filter) {
        requireNonNull(text, "text");
        requireNonNull(filter, "filter");
        checkK(k);
        return search(model.embedText(text), k, filter);
    }

    /**
     * The {@code k} images most similar to the image file {@code image}, best first (the image itself first, if it
     * is in the index).
     *
     * @param image the example image file, not null; it need not be in the index
     * @param k the number of images wanted, at least 1
     * @return at most {@code k} hits, best first (fewer when the index is smaller)
     * @throws io.github.clip4j.common.ClipException if the image cannot be read
     * @throws IllegalArgumentException if {@code k < 1}
     * @throws IllegalStateException if the index is closed
     */
    public List<SearchHit> search(Path image, int k) {
        return search(image, k, SearchFilter.ANY);
    }

    /**
     * As {@link #search(Path, int)}, among the images {@code filter} lets through.
     *
     * @param image the example image file, not null
     * @param k the number of images wanted, at least 1
     * @param filter which images may be returned, not null
     * @return at most {@code k} hits, best first
     * @throws io.github.clip4j.common.ClipException if the image cannot be read
     * @throws IllegalArgumentException if {@code k < 1}
     * @throws IllegalStateException if the index is closed
     */
    public List<SearchHit> search(Path image, int k, SearchFilter filter) {
        requireNonNull(image, "image");
        requireNonNull(filter, "filter");
        checkK(k);
        return search(model.embedImage(image), k, filter);
    }

    /**
     * The {@code k} images whose embeddings have the highest cosine similarity with {@code query}, best first (fewer
     * when the index is smaller). Exact: every image is compared.
     *
     * @param query an embedding of the index's model, not null, e.g. the mean of several texts' embeddings
     * @param k the number of images wanted, at least 1
     * @return at most {@code k} hits, best first
     * @throws IllegalArgumentException if {@code k < 1} or the query's dimension is not the index's
     * @throws IllegalStateException if the index is closed
     */
    public List<SearchHit> search(Embedding query, int k) {
        return search(query, k, SearchFilter.ANY);
    }

    /**
     * The {@code k} images {@code filter} lets through whose embeddings have the highest cosine similarity with
     * {@code query}, best first. Exact for the exact kind; for the hnsw kind, the graph's candidates re-scored with
     * the stored embeddings (scores are exact cosines; a true neighbour may rarely be missed).
     *
     * @param query an embedding of the index's model, not null
     * @param k the number of images wanted, at least 1
     * @param filter which images may be returned, not null ({@link SearchFilter#ANY} for all)
     * @return at most {@code k} hits, best first
     * @throws IllegalArgumentException if {@code k < 1} or the query's dimension is not the index's
     * @throws IllegalStateException if the index is closed
     */
    public List<SearchHit> search(Embedding query, int k, SearchFilter filter) {
        requireNonNull(query, "query");
        requireNonNull(filter, "filter");
        checkK(k);
        lock.readLock().lock();
        try {
            checkOpen();
            List<IndexTable.Hit> nearest = table.nearest(query, k, filter.toEntryFilter(), roots);
            List<SearchHit> hits = new ArrayList<>(nearest.size());
            for (IndexTable.Hit h : nearest) {
                hits.add(new SearchHit(resolveInsideRoot(h.entry()), h.score()));
            }
            return hits;
        } finally {
            lock.readLock().unlock();
        }
    }

    /**
     * The rule for the number of hits {@link #search(String, int)} and its siblings take, for tools that check their
     * options before loading a model.
     *
     * @param k the number of hits wanted
     * @return {@code k}
     * @throws IllegalArgumentException if {@code k < 1}
     */
    public static int checkK(int k) {
        if (k < 1) {
            throw new IllegalArgumentException("the number of hits must be at least 1, got " + k);
        }
        return k;
    }

    /**
     * Writes the index to its file (atomically: the previous file stays intact until the new one is complete).
     *
     * @throws IndexException if the file cannot be written
     */
    public void save() {
        lock.writeLock().lock();
        try {
            checkOpen();
            saveLocked();
        } finally {
            lock.writeLock().unlock();
        }
    }

    /**
     * Takes the file's write lock before the first change (once; held until {@link #close()}), then reads the file
     * again: another process may have saved it since this index was opened, and its work must not be overwritten.
     * Also removes temporary files a killed save left (safe now: no other writer can be saving).
     */
    private void becomeWriter() {
        if (writeLock != null) {
            return;
        }
        IndexLock acquired = IndexLock.acquire(file);
        try {
            int leftovers = io.github.clip4j.internal.io.AtomicFiles.deleteLeftovers(file);
            if (leftovers > 0) {
                log.info("removed {} temporary file(s) that an interrupted save of {} left", leftovers, file);
            }
            if (!dirty) {
                IndexStores.Opened content = IndexStores.open(file, kind, model.dimension());
                if (content.modelId() == null) {
                    content.store().close(); // still nothing on disk: the empty index stands
                } else {
                    try {
                        checkModel(file, content.modelId(), content.dimension(), model);
                    } catch (IndexException e) {
                        content.store().close();
                        throw e;
                    }
                    table.close();
                    roots.clear();
                    roots.addAll(content.roots());
                    kind = content.kind();
                    useStore(content.store());
                }
            }
        } catch (IOException e) {
            acquired.close();
            throw new IndexException("cannot read image index " + file + ": " + e, e);
        } catch (RuntimeException e) {
            acquired.close();
            throw e;
        }
        writeLock = acquired;
    }

    private void saveLocked() {
        becomeWriter();
        try {
            // Not a copy: the write lock keeps the table still while it is written.
            table.commit(file, model.modelId(), roots);
        } catch (IOException e) {
            throw new IndexException("cannot write image index " + file + ": " + e
                    + "; check the folder exists and is writable", e);
        }
        dirty = false;
        log.debug("saved {} images to {}", table.size(), file);
    }

    /**
     * Saves the index if it changed since it was opened or saved; further use fails. The model is not closed: it
     * belongs to the caller.
     *
     * @throws IndexException if the file cannot be written
     */
    @Override
    public void close() {
        lock.writeLock().lock();
        try {
            if (closed) {
                return;
            }
            try {
                if (dirty) {
                    saveLocked();
                }
            } finally {
                closed = true;
                try {
                    table.close();
                } finally {
                    if (writeLock != null) {
                        writeLock.close();
                        writeLock = null;
                    }
                }
            }
        } finally {
            lock.writeLock().unlock();
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("image index " + file + " is closed");
        }
    }

    @Override
    public String toString() {
        return "ImageIndex[" + file + ", " + size() + " images, model " + model.modelId() + "]";
    }

    /** An image file found by a scan. */
    private record Found(Path path, String relative, long size, long modifiedNanos) {}
}
