package io.github.clip4j.internal.retrieval;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.clip4j.Embedding;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.Collectors;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.KnnFloatVectorField;
import org.apache.lucene.document.StoredField;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.SerialMergeScheduler;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.KnnFloatVectorQuery;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.knn.MultiLeafKnnCollector;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FSDirectory;
import org.apache.lucene.store.IOContext;
import org.apache.lucene.store.IndexInput;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The store's file layout (what is mapped, what is read) and the candidates knob. */
class LuceneStoreTest {
    @TempDir
    Path tmp;

    private static float[] random(Random random, int dim) {
        float[] v = new float[dim];
        for (int i = 0; i < dim; i++) {
            v[i] = (float) random.nextGaussian();
        }
        return Embedding.normalize(v).toArray();
    }

    private Path storeOf(int n, int dim, List<float[]> vectors) throws Exception {
        Path folder = tmp.resolve("store");
        Random random = new Random(7);
        LuceneStore store = LuceneStore.open(folder, dim).store();
        store.useRoots(List.of(""));
        for (int i = 0; i < n; i++) {
            float[] v = random(random, dim);
            vectors.add(v);
            store.put(new IndexEntry(0, "img" + i + ".jpg", i, i), Embedding.ofNormalized(v));
        }
        store.commit(folder, "m", List.of(""));
        store.close();
        return folder;
    }

    @Test
    void floatVectorsAreReadNotMappedAndNoCompoundFileHoldsThem() throws Exception {
        Path folder = storeOf(50, 8, new ArrayList<>());
        List<String> names;
        try (Stream<Path> files = Files.list(folder)) {
            names = files.map(f -> f.getFileName().toString()).toList();
        }
        // A compound file would carry the float vectors into a memory map.
        assertThat(names).noneMatch(n -> n.endsWith(".cfs")).anyMatch(n -> n.endsWith(".vec"))
                .anyMatch(n -> n.endsWith(".veq")).anyMatch(n -> n.endsWith(".vex"));
        String vec = names.stream().filter(n -> n.endsWith(".vec")).findFirst().orElseThrow();
        String veq = names.stream().filter(n -> n.endsWith(".veq")).findFirst().orElseThrow();
        try (Directory dir = LuceneStore.openDirectory(folder);
                IndexInput floats = dir.openInput(vec, IOContext.DEFAULT);
                IndexInput quantized = dir.openInput(veq, IOContext.DEFAULT)) {
            assertThat(floats.getClass().getName()).contains("NIOFS");
            assertThat(quantized.getClass().getName()).doesNotContain("NIOFS");
        }
    }

    @Test
    void asManyCandidatesAsVectorsGiveTheExactAnswer() throws Exception {
        int n = 300;
        int dim = 16;
        List<float[]> vectors = new ArrayList<>();
        Path folder = storeOf(n, dim, vectors);
        LuceneStore store = LuceneStore.open(folder, dim).store();
        try {
            Random random = new Random(11);
            for (int q = 0; q < 20; q++) {
                float[] query = random(random, dim);
                List<Integer> order = new ArrayList<>();
                for (int i = 0; i < n; i++) {
                    order.add(i);
                }
                order.sort(Comparator.comparingDouble(
                        (Integer i) -> EmbeddingMatrix.dot(query, vectors.get(i), 0, dim)).reversed());
                List<String> expected = order.subList(0, 5).stream().map(i -> "img" + i + ".jpg").toList();
                List<IndexTable.Hit> hits = store.nearest(Embedding.ofNormalized(query), 5, EntryFilter.ALL,
                        List.of(""), n);
                assertThat(hits).extracting(h -> h.entry().path()).containsExactlyElementsOf(expected);
            }
        } finally {
            store.close();
        }
    }

    @Test
    void aHitAfterAnUpdateCarriesTheNewEntryNotACachedOne() throws Exception {
        int dim = 8;
        List<float[]> vectors = new ArrayList<>();
        Path folder = storeOf(40, dim, vectors);
        LuceneStore store = LuceneStore.open(folder, dim).store();
        try {
            store.useRoots(List.of(""));
            Embedding query = Embedding.ofNormalized(vectors.get(3));
            // Opened: the entry comes from the segment's array filled at open.
            assertThat(store.nearest(query, 1, EntryFilter.ALL, List.of("")).get(0).entry())
                    .isEqualTo(new IndexEntry(0, "img3.jpg", 3, 3));
            assertThat(store.cachedSegments()).isEqualTo(1);
            // Changed in place (a new document in a new segment, the old one deleted), searched before and after
            // the commit: never the old size and time.
            store.put(new IndexEntry(0, "img3.jpg", 999, 1234), Embedding.ofNormalized(vectors.get(3)));
            assertThat(store.nearest(query, 1, EntryFilter.ALL, List.of("")).get(0).entry())
                    .isEqualTo(new IndexEntry(0, "img3.jpg", 999, 1234));
            // The opened segment's array survives the writer's reader (same segment, same id) beside the new one's.
            assertThat(store.cachedSegments()).isEqualTo(2);
            store.commit(folder, "m", List.of(""));
            store.forceMerge(1);
            store.put(new IndexEntry(0, "img5.jpg", 5, 5), Embedding.ofNormalized(vectors.get(5)));
            assertThat(store.nearest(query, 2, EntryFilter.ALL, List.of(""))).extracting(IndexTable.Hit::entry)
                    .first().isEqualTo(new IndexEntry(0, "img3.jpg", 999, 1234));
            // At most the two live segments (the merged one and the new one): the arrays of the segments merged away
            // are gone.
            assertThat(store.cachedSegments()).isBetween(1, 2);
        } finally {
            store.close();
        }
    }

    @Test
    void segmentsSearchedInParallelEachGiveTheirOwnBestAsIfAlone() throws Exception {
        int dim = 16;
        int k = 20;
        Path folder = tmp.resolve("segments");
        Random random = new Random(5);
        LuceneStore store = LuceneStore.open(folder, dim).store();
        store.useRoots(List.of(""));
        for (int s = 0; s < 4; s++) {
            for (int i = 0; i < 400; i++) {
                store.put(new IndexEntry(0, "s" + s + "/img" + i + ".jpg", i, i),
                        Embedding.ofNormalized(random(random, dim)));
            }
            store.commit(folder, "m", List.of("")); // a segment per commit
        }
        store.close();
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try (Directory dir = LuceneStore.openDirectory(folder); DirectoryReader reader = DirectoryReader.open(dir)) {
            assertThat(reader.leaves()).hasSize(4);
            IndexSearcher parallel = new IndexSearcher(reader, pool);
            for (int q = 0; q < 10; q++) {
                float[] target = random(random, dim);
                LuceneStore.SegmentKnnQuery query = new LuceneStore.SegmentKnnQuery(LuceneStore.VECTOR, target, k,
                        null);
                // No collector that stops a segment's search at the scores other segments found (on data this
                // small Lucene's shared bound rarely changes an answer, so the comparison below alone would not
                // tell the two searches apart; at 1M it cost recall: see LuceneStore.SegmentKnnQuery).
                for (LeafReaderContext leaf : reader.leaves()) {
                    assertThat(query.getKnnCollectorManager(k, parallel).newCollector(Integer.MAX_VALUE, leaf))
                            .isNotInstanceOf(MultiLeafKnnCollector.class);
                }
                List<ScoreDoc> alone = new ArrayList<>();
                for (LeafReaderContext leaf : reader.leaves()) {
                    for (ScoreDoc d : new IndexSearcher(leaf.reader())
                            .search(new KnnFloatVectorQuery(LuceneStore.VECTOR, target, k), k).scoreDocs) {
                        alone.add(new ScoreDoc(d.doc + leaf.docBase, d.score));
                    }
                }
                alone.sort((a, b) -> Float.compare(b.score, a.score));
                Set<Integer> expected = alone.subList(0, k).stream().map(d -> d.doc).collect(Collectors.toSet());
                for (int run = 0; run < 3; run++) {
                    Set<Integer> together = Stream.of(parallel.search(query, k).scoreDocs).map(d -> d.doc)
                            .collect(Collectors.toSet());
                    assertThat(together).isEqualTo(expected);
                }
            }
        } finally {
            pool.shutdown();
        }
    }

    /** Segment sizes (documents) after writing {@code n} vectors in flushes of 100 with merges capped at {@code cap}. */
    private List<Integer> segmentsAfterMerges(String name, int n, int dim, int cap) throws Exception {
        Random random = new Random(11);
        try (Directory dir = FSDirectory.open(tmp.resolve(name))) {
            IndexWriterConfig config = new IndexWriterConfig().setCodec(LuceneStore.codec())
                    .setMergePolicy(LuceneStore.mergePolicy(dim, cap))
                    .setMergeScheduler(new SerialMergeScheduler()) // merges done when addDocument returns
                    .setMaxBufferedDocs(100)
                    .setRAMBufferSizeMB(IndexWriterConfig.DISABLE_AUTO_FLUSH);
            try (IndexWriter writer = new IndexWriter(dir, config)) {
                for (int i = 0; i < n; i++) {
                    Document doc = new Document();
                    doc.add(new StoredField(LuceneStore.PATH, "holidays/2024/img" + i + ".jpg"));
                    doc.add(new KnnFloatVectorField(LuceneStore.VECTOR, random(random, dim),
                            VectorSimilarityFunction.DOT_PRODUCT));
                    writer.addDocument(doc);
                }
                writer.commit();
            }
            try (DirectoryReader reader = DirectoryReader.open(dir)) {
                return reader.leaves().stream().map(leaf -> leaf.reader().maxDoc()).toList();
            }
        }
    }

    @Test
    void mergesStopAtAboutTheCappedNumberOfVectors() throws Exception {
        // The cap is given in vectors and enforced by Lucene in bytes: the byte estimate must track what Lucene writes.
        List<Integer> capped = segmentsAfterMerges("capped", 3_000, 256, 300);
        assertThat(capped.stream().mapToInt(Integer::intValue).sum()).isEqualTo(3_000);
        assertThat(capped).allSatisfy(docs -> assertThat(docs).isLessThanOrEqualTo(360));
        assertThat(capped).anySatisfy(docs -> assertThat(docs).isGreaterThan(150)); // merges did happen
        // The same input under a large cap merges past it: the cap, not the input, bounded the segments above.
        assertThat(segmentsAfterMerges("uncapped", 3_000, 256, 100_000)).anySatisfy(
                docs -> assertThat(docs).isGreaterThan(360));
    }
}
