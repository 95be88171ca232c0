package io.github.clip4j.internal.retrieval;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.clip4j.Embedding;
import io.github.clip4j.retrieval.IndexException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.apache.lucene.codecs.KnnVectorsFormat;
import org.apache.lucene.codecs.lucene912.Lucene912Codec;
import org.apache.lucene.codecs.lucene99.Lucene99HnswScalarQuantizedVectorsFormat;
import org.apache.lucene.codecs.lucene99.Lucene99HnswVectorsFormat;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.KnnFloatVectorField;
import org.apache.lucene.document.LongPoint;
import org.apache.lucene.document.StoredField;
import org.apache.lucene.document.StringField;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.FloatVectorValues;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.ReaderUtil;
import org.apache.lucene.index.SegmentInfos;
import org.apache.lucene.index.StoredFields;
import org.apache.lucene.index.Term;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.apache.lucene.search.BooleanClause.Occur;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.KnnFloatVectorQuery;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.ReferenceManager;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.SearcherFactory;
import org.apache.lucene.search.SearcherManager;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.search.TopKnnCollector;
import org.apache.lucene.search.knn.KnnCollectorManager;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FSDirectory;
import org.apache.lucene.store.FileSwitchDirectory;
import org.apache.lucene.store.MMapDirectory;
import org.apache.lucene.store.NIOFSDirectory;
import org.apache.lucene.store.LockObtainFailedException;
import org.apache.lucene.util.Bits;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The hnsw kind of image index: a Lucene index folder with one document per image. Approximate nearest neighbours
 * come from Lucene's HNSW graph over scalar-quantized (int8) vectors; the candidates are then re-scored with the
 * stored float32 embeddings, so scores are the same exact cosines the exact kind gives.
 *
 * <pre>
 * key          StringField   "root:path", the document's identity (updates and deletes by term)
 * root, path   stored        the entry's folder number and relative path
 * size, mtime  stored        bytes; last-modified time in ns (the incremental diff compares both)
 * modified_ms  LongPoint     last-modified time in ms, for "modified after" filters
 * type         StringField   normalized extension (jpg, png, ...), for type filters
 * dir          StringField   every folder the file is under (relative and as stored), for folder filters
 * embedding    KnnFloatVectorField, DOT_PRODUCT (the embeddings are unit vectors)
 * commit user data: clip4j.format, clip4j.model_id, clip4j.dimension, clip4j.roots (JSON array)
 * </pre>
 *
 * <p>Changes are durable only at {@link #commit}: a process killed while indexing leaves the previous commit, which
 * the next open reads (Lucene drops the unreferenced files). The writer, and Lucene's write lock, are taken on the
 * first change only, so searching an index does not block another process from updating it.
 */
public final class LuceneStore implements EntryStore {
    private static final Logger log = LoggerFactory.getLogger(LuceneStore.class);

    /** The version of the document layout above, in the commit user data. */
    public static final int FORMAT_VERSION = 1;
    static final String FORMAT = "clip4j.format";
    static final String MODEL_ID = "clip4j.model_id";
    static final String DIMENSION = "clip4j.dimension";
    static final String ROOTS = "clip4j.roots";

    static final String KEY = "key";
    static final String ROOT = "root";
    static final String PATH = "path";
    static final String SIZE = "size";
    static final String MTIME = "mtime";
    static final String MODIFIED_MS = "modified_ms";
    static final String TYPE = "type";
    static final String DIR = "dir";
    static final String VECTOR = "embedding";

    /** HNSW graph: neighbours per node (Lucene's default). */
    static final int MAX_CONN = Integer.getInteger("clip4j.hnsw.m", 16);
    /** HNSW graph: candidates while building (Lucene's default). */
    static final int BEAM_WIDTH = Integer.getInteger("clip4j.hnsw.beam", 100);
    /** Candidates taken from the graph per search and re-scored exactly; recall rises with it (see README). */
    static final int CANDIDATES = Integer.getInteger("clip4j.hnsw.candidates", 100);
    /** Whether the int7 vectors and the graph are preloaded when a segment is opened (see {@link #openDirectory}). */
    static final boolean PRELOAD = !"false".equals(System.getProperty("clip4j.hnsw.preload"));
    /** Whether the float32 vectors are read with positional reads instead of a memory map (see {@link #openDirectory}). */
    static final boolean READ_FLOATS = !"false".equals(System.getProperty("clip4j.hnsw.readFloats"));
    /**
     * The largest segment a merge may produce, in vectors. One graph over a merged 1M-vector segment of clustered
     * embeddings left ~5% of each cluster unreachable (recall@10 0.94 whatever the number of candidates), while the
     * same vectors in segments of ~250k, searched side by side, gave 0.99 and more (README, "Retrieval at scale"); so
     * Lucene's merges stop at about this size ({@link #mergePolicy}) and a larger index stays in several segments.
     */
    static final String MAX_SEGMENT_VECTORS = "clip4j.hnsw.maxSegmentVectors";

    /** Whether vectors are scalar-quantized to int7 in the graph ({@code -Dclip4j.hnsw.quantized=false}: float32). */
    static final boolean QUANTIZED = !"false".equals(System.getProperty("clip4j.hnsw.quantized"));

    /**
     * Threads that merge one HNSW graph concurrently (Lucene's concurrent merge) and search segments in parallel: the
     * machine's cores, because a merge or a multi-segment search otherwise runs on one of them.
     */
    static final int WORKERS = Integer.getInteger("clip4j.hnsw.workers",
            Math.max(1, Runtime.getRuntime().availableProcessors()));

    /** Shared daemon pool for both (created on first use; idle threads end after a minute). */
    private static final class Pool {
        static final ExecutorService INSTANCE = newPool();

        private static ExecutorService newPool() {
            java.util.concurrent.ThreadPoolExecutor pool = new java.util.concurrent.ThreadPoolExecutor(WORKERS,
                    WORKERS, 60, java.util.concurrent.TimeUnit.SECONDS,
                    new java.util.concurrent.LinkedBlockingQueue<>(), r -> {
                        Thread t = new Thread(r, "clip4j-hnsw");
                        t.setDaemon(true);
                        return t;
                    });
            pool.allowCoreThreadTimeOut(true);
            return pool;
        }
    }

    /** Searchers that search an index's segments in parallel on {@link Pool} (one segment: on the caller). */
    private static final SearcherFactory SEARCHERS = new SearcherFactory() {
        @Override
        public IndexSearcher newSearcher(org.apache.lucene.index.IndexReader reader,
                org.apache.lucene.index.IndexReader previous) {
            return reader.leaves().size() > 1 && WORKERS > 1 ? new IndexSearcher(reader, Pool.INSTANCE)
                    : new IndexSearcher(reader);
        }
    };

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path folder;
    private final Directory directory;
    private final int dimension;
    private final Map<Key, IndexEntry> entries;
    private IndexWriter writer;
    private ReferenceManager<IndexSearcher> searchers;
    private volatile boolean stale;

    /** What a store folder's last commit says. */
    public record Header(String modelId, int dimension, List<String> roots) {}

    private LuceneStore(Path folder, Directory directory, int dimension, Map<Key, IndexEntry> entries,
            ReferenceManager<IndexSearcher> searchers) {
        this.folder = folder;
        this.directory = directory;
        this.dimension = dimension;
        this.entries = entries;
        this.searchers = searchers;
        this.byCore = new ConcurrentHashMap<>();
    }

    /** {@return true if {@code folder} holds a Lucene index (of any kind)} */
    public static boolean isStore(Path folder) {
        if (!Files.isDirectory(folder)) {
            return false;
        }
        try (var files = Files.list(folder)) {
            return files.anyMatch(f -> f.getFileName().toString().startsWith("segments"));
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Reads the header of the last commit in {@code folder}.
     *
     * @throws IndexException if it is not a clip4j hnsw index, or of another format version
     */
    public static Header readHeader(Path folder) throws IOException {
        try (Directory dir = FSDirectory.open(folder)) {
            return header(folder, dir);
        }
    }

    private static Header header(Path folder, Directory dir) throws IOException {
        Map<String, String> data;
        try {
            data = SegmentInfos.readLatestCommit(dir).getUserData();
        } catch (IOException e) {
            throw new IndexException("cannot read image index " + folder + " (a Lucene folder): " + e
                    + "; rebuild it (delete the folder and index the images again)", e);
        }
        String format = data.get(FORMAT);
        if (format == null || data.get(MODEL_ID) == null || data.get(DIMENSION) == null) {
            throw new IndexException(folder + " is a Lucene index but not a clip4j image index (its commit has no "
                    + FORMAT + "); give the path of a clip4j index, or a new path");
        }
        if (!format.equals(Integer.toString(FORMAT_VERSION))) {
            throw new IndexException("image index " + folder + " has format version " + format + "; this clip4j reads "
                    + FORMAT_VERSION + ": rebuild it with this version (or export it with the version that built it)");
        }
        List<String> roots;
        int dimension;
        try {
            roots = data.get(ROOTS) == null ? List.of()
                    : JSON.readValue(data.get(ROOTS), new TypeReference<List<String>>() {});
            dimension = Integer.parseInt(data.get(DIMENSION));
        } catch (IOException | RuntimeException e) {
            throw corrupt(folder, "its commit's folders or dimension cannot be read");
        }
        if (dimension < 1 || dimension > 65_536) {
            throw corrupt(folder, "dimension " + dimension);
        }
        for (String root : roots) {
            String problem = root == null ? "is missing" : IndexFile.rootProblem(root);
            if (problem != null) {
                throw corrupt(folder, "an indexed folder " + problem);
            }
        }
        return new Header(data.get(MODEL_ID), dimension, roots);
    }

    /**
     * Opens the store in {@code folder}, or an empty one if the folder does not exist or is empty (created at the
     * first {@link #commit}).
     *
     * @param dimension the embedding dimension of a new store (an existing one says its own)
     * @return the store and what its last commit says ({@code modelId} null for a new store)
     */
    public static Opened open(Path folder, int dimension) throws IOException {
        requireNonNull(folder, "folder");
        if (!isStore(folder)) {
            // A folder with Lucene's write.lock but no commit yet: a first run still writing, or killed before
            // its first commit; there is no index in it yet (the next writer starts it afresh).
            boolean uncommitted = Files.isDirectory(folder) && Files.exists(folder.resolve("write.lock"));
            if (Files.exists(folder) && !(Files.isDirectory(folder) && (isEmpty(folder) || uncommitted))) {
                throw new IndexException("cannot create an hnsw image index at " + folder + ": it exists and is not an"
                        + " index folder; give a new path (an hnsw index is a folder)");
            }
            return new Opened(new LuceneStore(folder, null, dimension, new ConcurrentHashMap<>(), null), null);
        }
        Directory dir = openDirectory(folder);
        try {
            Header header = header(folder, dir);
            DirectoryReader reader = DirectoryReader.open(dir);
            Map<Key, IndexEntry> entries = new ConcurrentHashMap<>(Math.max(16, reader.numDocs() * 4 / 3 + 1));
            LuceneStore store = new LuceneStore(folder, dir, header.dimension(), entries, null);
            try {
                for (LeafReaderContext leaf : reader.leaves()) {
                    Bits live = leaf.reader().getLiveDocs();
                    StoredFields stored = leaf.reader().storedFields();
                    IndexEntry[] byDoc = new IndexEntry[leaf.reader().maxDoc()];
                    for (int doc = 0; doc < leaf.reader().maxDoc(); doc++) {
                        if (live == null || live.get(doc)) {
                            IndexEntry e = checkedEntry(folder, stored.document(doc), header.roots().size());
                            entries.put(new Key(e.root(), e.path()), e);
                            byDoc[doc] = e;
                        }
                    }
                    store.remember(leaf, byDoc);
                }
            } catch (IOException | RuntimeException e) {
                reader.close();
                throw e;
            }
            store.searchers = new SearcherManager(reader, SEARCHERS);
            log.debug("opened hnsw index {}: {} images", folder, entries.size());
            return new Opened(store, header);
        } catch (IOException | RuntimeException e) {
            dir.close();
            throw e;
        }
    }

    /** An opened store and its last commit's header (null for a new store). */
    public record Opened(LuceneStore store, Header header) {}

    private static boolean isEmpty(Path folder) {
        try (var files = Files.list(folder)) {
            return files.findAny().isEmpty();
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * A stored document as an entry, checked as {@link IndexFile} checks its entries (the folder is untrusted input:
     * a relative, normalized path inside a known root), so a crafted index cannot point search results elsewhere.
     */
    private static IndexEntry checkedEntry(Path folder, Document d, int rootCount) {
        IndexEntry e;
        try {
            e = entryOf(d);
        } catch (RuntimeException missing) {
            throw corrupt(folder, "a document lacks its root, path, size or time");
        }
        if (e.root() < 0 || e.root() >= rootCount) {
            throw corrupt(folder, "an entry refers to folder " + e.root());
        }
        String problem = IndexFile.entryProblem(e.path());
        if (problem != null) {
            throw corrupt(folder, "an entry " + problem);
        }
        return e;
    }

    private static IndexException corrupt(Path folder, String what) {
        return new IndexException("image index " + folder + " is corrupt (" + what
                + "); delete the folder and index the images again");
    }

    private static IndexEntry entryOf(Document d) {
        return new IndexEntry(d.getField(ROOT).numericValue().intValue(), d.get(PATH),
                d.getField(SIZE).numericValue().longValue(), d.getField(MTIME).numericValue().longValue());
    }

    /**
     * Opens a store folder for reading and writing. The float32 embeddings ({@code .vec}, 2 KB each at 512
     * dimensions: 2 GB at a million images) are read with positional reads, never memory-mapped: a query re-scores
     * only its candidates, and a merge reads them once in order, so mapping them would only make the process's
     * resident set grow by the whole file (page cache the kernel keeps anyway, but counted as ours). Everything
     * else is memory-mapped, and the int7 vectors and the graph ({@code .veq}, {@code .vex}: what every query walks,
     * a quarter of the float size) are preloaded, so a query does not pay a page fault per graph node it visits.
     */
    static Directory openDirectory(Path folder) throws IOException {
        MMapDirectory mapped = new MMapDirectory(folder);
        if (PRELOAD) {
            // Not for a merge: it reads each vector once (and the new segment is preloaded when a reader opens it).
            mapped.setPreload((name, context) -> context.context != org.apache.lucene.store.IOContext.Context.MERGE
                    && (name.endsWith(".veq") || name.endsWith(".vex")));
        }
        if (!READ_FLOATS) {
            return mapped;
        }
        // Both share one lock factory: the primary's (FileSwitchDirectory takes locks from the primary).
        return new FileSwitchDirectory(Set.of("vec"), new NIOFSDirectory(folder), mapped, true);
    }

    /** The codec: Lucene's default, with the HNSW format (quantized or not) for the embedding field. */
    static Lucene912Codec codec() {
        ExecutorService mergeExec = WORKERS > 1 ? Pool.INSTANCE : null;
        KnnVectorsFormat format = QUANTIZED
                ? new Lucene99HnswScalarQuantizedVectorsFormat(MAX_CONN, BEAM_WIDTH, WORKERS, 7, false, null, mergeExec)
                : new Lucene99HnswVectorsFormat(MAX_CONN, BEAM_WIDTH, WORKERS, mergeExec);
        return new Lucene912Codec() {
            @Override
            public KnnVectorsFormat getKnnVectorsFormatForField(String field) {
                return format;
            }
        };
    }

    /**
     * Lucene's tiered merges, capped so that a merged segment holds about {@code maxVectors} vectors of
     * {@code dimension} (see {@link #MAX_SEGMENT_VECTORS}). Lucene caps merges by bytes, so the cap is the vectors'
     * bytes on disk: float32 and int7 copies, the int7 correction, the bottom layer's neighbour lists and the stored
     * fields. An explicit {@link #forceMerge} still merges past it.
     */
    static org.apache.lucene.index.TieredMergePolicy mergePolicy(int dimension, int maxVectors) {
        if (maxVectors < 1) {
            throw new IllegalArgumentException(MAX_SEGMENT_VECTORS + " must be at least 1, got " + maxVectors);
        }
        long bytesPerVector = 4L * dimension + (QUANTIZED ? dimension + 4 : 0) + 8L * MAX_CONN + 128;
        org.apache.lucene.index.TieredMergePolicy merges = new org.apache.lucene.index.TieredMergePolicy();
        merges.setMaxMergedSegmentMB(bytesPerVector * (double) maxVectors / (1 << 20));
        // No compound files: a compound file holds the float vectors too, and would be memory-mapped whole.
        merges.setNoCFSRatio(0.0);
        return merges;
    }

    private synchronized IndexWriter writer() {
        if (writer != null) {
            return writer;
        }
        try {
            Directory dir = directory != null ? directory : openDirectory(Files.createDirectories(folder));
            org.apache.lucene.index.TieredMergePolicy merges = mergePolicy(dimension,
                    Integer.getInteger(MAX_SEGMENT_VECTORS, 250_000));
            IndexWriterConfig config = new IndexWriterConfig()
                    .setCodec(codec())
                    .setUseCompoundFile(false)
                    .setMergePolicy(merges)
                    .setCommitOnClose(false)
                    .setRAMBufferSizeMB(Double.parseDouble(System.getProperty("clip4j.hnsw.ramBufferMb", "256")))
                    .setOpenMode(IndexWriterConfig.OpenMode.CREATE_OR_APPEND);
            IndexWriter w;
            try {
                w = new IndexWriter(dir, config);
            } catch (LockObtainFailedException e) {
                throw new IndexException("image index " + folder + " is being written by another process (Lucene's "
                        + "write.lock is held); wait for it to finish", e);
            }
            ReferenceManager<IndexSearcher> old = searchers;
            searchers = new SearcherManager(w, SEARCHERS);
            if (old != null) {
                old.close();
            }
            writer = w;
            if (directory == null) {
                directoryHolder = dir;
            }
            return w;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open image index " + folder + " for writing", e);
        }
    }

    private Directory directoryHolder;

    /**
     * Each live segment's entries by document number, filled when the store opens (it reads every entry then) or on
     * a segment's first hit: a hit's path and times then cost an array lookup instead of decompressing a block of
     * stored fields per hit (a third of a query's CPU at 1M). Keyed by the segment's unique id, not by its reader:
     * the writer's near-real-time readers open the same segments anew, and a segment is immutable (a deleted document
     * is never a hit, an updated one is a new document in a new segment). Arrays of segments that are no longer in
     * the searched reader (merged away) are dropped at the next search.
     */
    private final Map<String, IndexEntry[]> byCore;

    /** The unique id of {@code leaf}'s segment, or null if it is not a plain segment. */
    private static String segmentId(LeafReaderContext leaf) {
        org.apache.lucene.index.LeafReader reader = org.apache.lucene.index.FilterLeafReader.unwrap(leaf.reader());
        return reader instanceof org.apache.lucene.index.SegmentReader segment
                ? org.apache.lucene.util.StringHelper.idToString(segment.getSegmentInfo().info.getId()) : null;
    }

    private void remember(LeafReaderContext leaf, IndexEntry[] byDoc) {
        String id = segmentId(leaf);
        if (id != null) {
            byCore.putIfAbsent(id, byDoc);
        }
    }

    /** How many segments' entry arrays are held (tests: arrays of merged-away segments are dropped). */
    int cachedSegments() {
        return byCore.size();
    }

    /** Drops the arrays of segments {@code leaves} no longer has. */
    private void forgetGone(List<LeafReaderContext> leaves) {
        if (byCore.size() > leaves.size()) {
            Set<String> live = new java.util.HashSet<>();
            for (LeafReaderContext leaf : leaves) {
                live.add(segmentId(leaf));
            }
            byCore.keySet().retainAll(live);
        }
    }

    /** The entries of {@code leaf}'s documents by document number (null where deleted), or null if not cacheable. */
    private IndexEntry[] entriesOf(LeafReaderContext leaf) throws IOException {
        String id = segmentId(leaf);
        if (id == null) {
            return null;
        }
        IndexEntry[] known = byCore.get(id);
        if (known != null) {
            return known;
        }
        Bits live = leaf.reader().getLiveDocs();
        StoredFields stored = leaf.reader().storedFields();
        IndexEntry[] byDoc = new IndexEntry[leaf.reader().maxDoc()];
        for (int doc = 0; doc < byDoc.length; doc++) {
            if (live == null || live.get(doc)) {
                byDoc[doc] = entryOf(stored.document(doc, Set.of(ROOT, PATH, SIZE, MTIME)));
            }
        }
        remember(leaf, byDoc);
        return byDoc;
    }

    @Override
    public int size() {
        return entries.size();
    }

    @Override
    public int dimension() {
        return dimension;
    }

    @Override
    public Collection<IndexEntry> entries() {
        return Collections.unmodifiableCollection(entries.values());
    }

    @Override
    public IndexEntry get(int root, String path) {
        return entries.get(new Key(root, requireNonNull(path, "path")));
    }

    private List<String> roots = List.of();

    /**
     * The index's folders as stored, a live list the owner appends to: {@link #put} indexes the folder terms of an
     * entry's folder from it.
     */
    public void useRoots(List<String> liveRoots) {
        this.roots = requireNonNull(liveRoots, "liveRoots");
    }

    @Override
    public boolean put(IndexEntry entry, Embedding embedding) {
        requireNonNull(entry, "entry");
        String storedRoot = entry.root() >= 0 && entry.root() < roots.size() ? roots.get(entry.root()) : "";
        float[] vector = embedding.toArray();
        if (vector.length != dimension) {
            throw new IllegalArgumentException("embedding has " + vector.length + " dimensions, the index " + dimension);
        }
        Key key = new Key(entry.root(), entry.path());
        Document doc = new Document();
        doc.add(new StringField(KEY, key.term(), Field.Store.NO));
        doc.add(new StoredField(ROOT, entry.root()));
        doc.add(new StoredField(PATH, entry.path()));
        doc.add(new StoredField(SIZE, entry.size()));
        doc.add(new StoredField(MTIME, entry.modifiedNanos()));
        doc.add(new LongPoint(MODIFIED_MS, Math.floorDiv(entry.modifiedNanos(), 1_000_000L)));
        doc.add(new StringField(TYPE, EntryFilter.typeOf(entry.path()), Field.Store.NO));
        for (String dir : EntryFilter.foldersOf(storedRoot, entry.path())) {
            doc.add(new StringField(DIR, dir, Field.Store.NO));
        }
        doc.add(new KnnFloatVectorField(VECTOR, vector, VectorSimilarityFunction.DOT_PRODUCT));
        boolean isNew = !entries.containsKey(key);
        try {
            if (isNew) {
                writer().addDocument(doc);
            } else {
                writer().updateDocument(new Term(KEY, key.term()), doc);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot add " + entry.path() + " to image index " + folder, e);
        }
        entries.put(key, entry);
        stale = true;
        return isNew;
    }

    @Override
    public boolean remove(int root, String path) {
        Key key = new Key(root, requireNonNull(path, "path"));
        if (entries.remove(key) == null) {
            return false;
        }
        try {
            writer().deleteDocuments(new Term(KEY, key.term()));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove " + path + " from image index " + folder, e);
        }
        stale = true;
        return true;
    }

    @Override
    public List<IndexTable.Hit> nearest(Embedding query, int k, EntryFilter filter, List<String> roots) {
        return nearest(query, k, filter, roots, CANDIDATES);
    }

    /**
     * {@link #nearest(Embedding, int, EntryFilter, List)} with {@code candidates} taken from the graph (per segment)
     * and re-scored exactly instead of the default {@code clip4j.hnsw.candidates}: recall against time (AnnBenchmark
     * sweeps it on one index).
     */
    public List<IndexTable.Hit> nearest(Embedding query, int k, EntryFilter filter, List<String> roots,
            int candidates) {
        return nearest(query, k, filter, roots, candidates, false);
    }

    /**
     * {@link #nearest(Embedding, int, EntryFilter, List, int)}, with {@code sharedBound} true: Lucene's default
     * search of several segments, in which the segments share their best scores (see {@link SegmentKnnQuery}); for
     * AnnBenchmark's side-by-side comparison only.
     */
    public List<IndexTable.Hit> nearest(Embedding query, int k, EntryFilter filter, List<String> roots,
            int candidates, boolean sharedBound) {
        if (k < 1) {
            throw new IllegalArgumentException("k must be at least 1, got " + k);
        }
        float[] q = query.toArray();
        if (q.length != dimension) {
            throw new IllegalArgumentException("query has " + q.length + " dimensions, the index " + dimension);
        }
        if (searchers == null || entries.isEmpty()) {
            return List.of();
        }
        try {
            if (stale) {
                stale = false;
                searchers.maybeRefreshBlocking();
            }
            IndexSearcher searcher = searchers.acquire();
            try {
                return nearest(searcher, q, k, filter, candidates, sharedBound);
            } finally {
                searchers.release(searcher);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot search image index " + folder, e);
        }
    }

    private List<IndexTable.Hit> nearest(IndexSearcher searcher, float[] q, int k, EntryFilter filter,
            int perSegment, boolean sharedBound) throws IOException {
        int candidates = Math.max(k, perSegment);
        Query knn = sharedBound ? new KnnFloatVectorQuery(VECTOR, q, candidates, luceneFilter(filter))
                : new SegmentKnnQuery(VECTOR, q, candidates, luceneFilter(filter));
        TopDocs top = searcher.search(knn, candidates);
        ScoreDoc[] docs = top.scoreDocs.clone();
        Arrays.sort(docs, Comparator.comparingInt(d -> d.doc));
        List<LeafReaderContext> leaves = searcher.getIndexReader().leaves();
        List<Scored> scored = new ArrayList<>(docs.length);
        int leafIndex = -1;
        FloatVectorValues vectors = null;
        LeafReaderContext leaf = null;
        for (ScoreDoc d : docs) {
            int li = ReaderUtil.subIndex(d.doc, leaves);
            if (li != leafIndex) {
                leafIndex = li;
                leaf = leaves.get(li);
                vectors = leaf.reader().getFloatVectorValues(VECTOR);
            }
            int local = d.doc - leaf.docBase;
            if (vectors.docID() < local) {
                vectors.advance(local);
            }
            float score = EmbeddingMatrix.dot(q, vectors.vectorValue(), 0, dimension);
            if (!Float.isFinite(score)) {
                throw corrupt(folder, "an embedding is not finite");
            }
            scored.add(new Scored(d.doc, score));
        }
        scored.sort((a, b) -> a.score != b.score ? Float.compare(b.score, a.score) : Integer.compare(a.doc, b.doc));
        StoredFields stored = null;
        List<IndexTable.Hit> hits = new ArrayList<>(Math.min(k, scored.size()));
        for (Scored s : scored.subList(0, Math.min(k, scored.size()))) {
            LeafReaderContext hitLeaf = leaves.get(ReaderUtil.subIndex(s.doc, leaves));
            IndexEntry[] byDoc = entriesOf(hitLeaf);
            IndexEntry entry = byDoc != null ? byDoc[s.doc - hitLeaf.docBase] : null;
            if (entry == null) {
                if (stored == null) {
                    stored = searcher.storedFields();
                }
                entry = entryOf(stored.document(s.doc, Set.of(ROOT, PATH, SIZE, MTIME)));
            }
            hits.add(new IndexTable.Hit(entry, s.score));
        }
        forgetGone(leaves);
        return hits;
    }

    private record Scored(int doc, float score) {}

    /**
     * Lucene's kNN query with each segment's graph searched on its own: every segment returns its best
     * {@code k} as if it were the only one. Lucene's default ({@code MultiLeafKnnCollector}) shares the best scores
     * found so far between the segments searched in parallel and stops a segment's search once it cannot beat them.
     * That saves visits when every segment's search is on track, but a segment whose search is still walking
     * through the wrong region of its graph is stopped by another segment's good scores before it reaches its own
     * part of the answer (its part of the true neighbours is then lost), and which segment stops whom depends on the
     * threads' timing, so recall varied from run to run by 0.01 at 1M. Searched on their own, the segments are
     * independent tries of the same query, and a query's hits depend only on the index.
     */
    static final class SegmentKnnQuery extends KnnFloatVectorQuery {
        SegmentKnnQuery(String field, float[] target, int k, Query filter) {
            super(field, target, k, filter);
        }

        @Override
        protected KnnCollectorManager getKnnCollectorManager(int k, IndexSearcher searcher) {
            return (visitedLimit, context) -> new TopKnnCollector(k, visitedLimit);
        }
    }

    private static Query luceneFilter(EntryFilter filter) {
        if (filter == null || filter.isAll()) {
            return null;
        }
        BooleanQuery.Builder all = new BooleanQuery.Builder();
        if (filter.folder() != null) {
            all.add(new TermQuery(new Term(DIR, filter.folder())), Occur.FILTER);
        }
        if (filter.modifiedFromMillis() != null) {
            all.add(LongPoint.newRangeQuery(MODIFIED_MS, filter.modifiedFromMillis(), Long.MAX_VALUE), Occur.FILTER);
        }
        if (filter.types() != null) {
            BooleanQuery.Builder any = new BooleanQuery.Builder();
            for (String type : filter.types()) {
                any.add(new TermQuery(new Term(TYPE, type)), Occur.SHOULD);
            }
            all.add(any.build(), Occur.FILTER);
        }
        return all.build();
    }

    @Override
    public void forEach(EntryVisitor visitor) throws IOException {
        if (searchers == null) {
            return;
        }
        if (stale) {
            stale = false;
            searchers.maybeRefreshBlocking();
        }
        IndexSearcher searcher = searchers.acquire();
        try {
            for (LeafReaderContext leaf : searcher.getIndexReader().leaves()) {
                Bits live = leaf.reader().getLiveDocs();
                StoredFields stored = leaf.reader().storedFields();
                FloatVectorValues vectors = leaf.reader().getFloatVectorValues(VECTOR);
                if (vectors == null) {
                    continue;
                }
                for (int doc = vectors.nextDoc(); doc != FloatVectorValues.NO_MORE_DOCS; doc = vectors.nextDoc()) {
                    if (live == null || live.get(doc)) {
                        float[] v = vectors.vectorValue().clone();
                        for (float x : v) {
                            if (!Float.isFinite(x)) {
                                throw corrupt(folder, "an embedding is not finite");
                            }
                        }
                        visitor.visit(entryOf(stored.document(doc)), v);
                    }
                }
            }
        } finally {
            searchers.release(searcher);
        }
    }

    /** Commits every change with the header in the commit's user data (Lucene: fsync, then the new segments file). */
    @Override
    public void commit(Path location, String modelId, List<String> roots) throws IOException {
        IndexWriter w = writer();
        Map<String, String> data = new LinkedHashMap<>();
        data.put(FORMAT, Integer.toString(FORMAT_VERSION));
        data.put(MODEL_ID, modelId);
        data.put(DIMENSION, Integer.toString(dimension));
        data.put(ROOTS, JSON.writeValueAsString(roots));
        w.setLiveCommitData(data.entrySet());
        w.commit();
        log.debug("committed {} images to {}", entries.size(), folder);
    }

    /** Merges the committed index down to at most {@code segments} segments and commits (search cost grows with them). */
    public void forceMerge(int segments) throws IOException {
        IndexWriter w = writer();
        w.forceMerge(segments);
        w.commit();
    }

    /** Closes the writer without committing (uncommitted changes are dropped), the searchers and the folder. */
    @Override
    public void close() {
        try {
            if (searchers != null) {
                searchers.close();
            }
            if (writer != null) {
                writer.rollback();
            }
            if (directory != null) {
                directory.close();
            }
            if (directoryHolder != null) {
                directoryHolder.close();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot close image index " + folder, e);
        }
    }

    /** A document's identity. */
    private record Key(int root, String path) {
        String term() {
            return root + ":" + path;
        }
    }
}
