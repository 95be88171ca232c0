package io.github.clip4j.retrieval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.clip4j.Embedding;
import io.github.clip4j.EmbeddingModel;
import io.github.clip4j.testing.FakeEmbeddingModel;
import io.github.clip4j.testing.TestImages;
import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The hnsw kind (a Lucene folder) behind the same {@link ImageIndex} API, and filters on both kinds. */
class HnswImageIndexTest {
    @TempDir
    Path tmp;

    private final FakeEmbeddingModel model = new FakeEmbeddingModel();

    private Path photos(int n) throws Exception {
        Path dir = tmp.resolve("photos");
        for (int i = 0; i < n; i++) {
            String folder = i % 3 == 0 ? "2023" : "holidays/2024";
            String ext = i % 2 == 0 ? "png" : "jpg";
            Path file = TestImages.writePng(dir.resolve(folder + "/img" + i + "." + ext), 100 + i);
            Files.setLastModifiedTime(file, FileTime.from(Instant.parse(i % 3 == 0 ? "2023-05-01T00:00:00Z"
                    : "2024-07-01T00:00:00Z").plusSeconds(i)));
        }
        return dir;
    }

    @Test
    void incrementalUpdatesOnTheHnswKind() throws Exception {
        Path dir = photos(6);
        Path index = tmp.resolve("photos.hnsw");
        try (ImageIndex i = ImageIndex.open(index, model, ImageIndex.Kind.HNSW)) {
            assertThat(i.kind()).isEqualTo(ImageIndex.Kind.HNSW);
            assertThat(i.addDirectory(dir)).isEqualTo(new IndexUpdate(6, 0, 0, 0, 6, List.of()));
            assertThat(i.addDirectory(dir)).isEqualTo(new IndexUpdate(0, 0, 0, 6, 6, List.of()));
        }
        assertThat(index).isDirectory();
        assertThat(ImageIndex.modelIdOf(index)).isEqualTo("fake-model");

        Path changed = dir.resolve("2023/img0.png");
        TestImages.writePng(changed, 7);
        Files.setLastModifiedTime(changed, FileTime.from(Instant.parse("2020-01-01T00:00:00Z")));
        Files.delete(dir.resolve("holidays/2024/img1.jpg"));
        TestImages.writePng(dir.resolve("new.png"), 8);
        // Reopened without a kind: the folder on disk says hnsw.
        try (ImageIndex i = ImageIndex.open(index, model)) {
            assertThat(i.kind()).isEqualTo(ImageIndex.Kind.HNSW);
            assertThat(i.size()).isEqualTo(6);
            assertThat(i.addDirectory(dir)).isEqualTo(new IndexUpdate(1, 1, 1, 4, 6, List.of()));
            assertThat(i.paths()).contains(dir.resolve("new.png"), changed)
                    .doesNotContain(dir.resolve("holidays/2024/img1.jpg"));
            SearchHit top = i.search(FakeEmbeddingModel.imageEmbedding(changed), 1).get(0);
            assertThat(top.path()).isEqualTo(changed);
            assertThat(top.score()).isCloseTo(1f, org.assertj.core.data.Offset.offset(1e-5f));
        }
        assertThat(model.imagesEmbedded()).isEqualTo(8);
        try (ImageIndex i = ImageIndex.open(index, model)) {
            assertThat(i.size()).isEqualTo(6);
        }
    }

    @Test
    void hnswAndExactGiveTheSameResultsAndScores() throws Exception {
        Path dir = photos(40);
        try (ImageIndex exact = ImageIndex.open(tmp.resolve("e.clipindex"), model, ImageIndex.Kind.EXACT);
             ImageIndex hnsw = ImageIndex.open(tmp.resolve("h.hnsw"), model, ImageIndex.Kind.HNSW)) {
            exact.addDirectory(dir);
            hnsw.addDirectory(dir);
            assertThat(exact.kind()).isEqualTo(ImageIndex.Kind.EXACT);
            for (String q : List.of("a cat", "a dog", "a red car", "holidays")) {
                assertThat(hnsw.search(q, 5)).isEqualTo(exact.search(q, 5));
            }
        }
    }

    @Test
    void filtersOnBothKinds() throws Exception {
        Path dir = photos(30);
        SearchFilter holidays = SearchFilter.ANY.folder("holidays/2024");
        SearchFilter after = SearchFilter.ANY.modifiedAfter(Instant.parse("2024-01-01T00:00:00Z"));
        SearchFilter jpg = SearchFilter.ANY.types("JPEG");
        SearchFilter all = SearchFilter.ANY.with("dir=photos/2023").with("type=png").with("after=2023-01-01");
        Embedding query = FakeEmbeddingModel.textEmbedding("a beach");
        for (ImageIndex.Kind kind : List.of(ImageIndex.Kind.EXACT, ImageIndex.Kind.HNSW)) {
            try (ImageIndex index = ImageIndex.open(tmp.resolve("i-" + kind), model, kind)) {
                index.addDirectory(dir);
                List<SearchHit> h = index.search(query, 50, holidays);
                assertThat(h).hasSize(20).allMatch(x -> x.path().startsWith(dir.resolve("holidays/2024")));
                assertThat(index.search(query, 50, after)).hasSize(20);
                assertThat(index.search(query, 50, jpg)).hasSize(15)
                        .allMatch(x -> x.path().toString().endsWith(".jpg"));
                assertThat(index.search(query, 50, all)).hasSize(5)
                        .allMatch(x -> x.path().startsWith(dir.resolve("2023")) && x.path().toString().endsWith(".png"));
                assertThat(index.search(query, 3, SearchFilter.ANY.folder("nowhere"))).isEmpty();
                assertThat(index.search(query, 3, jpg)).extracting(SearchHit::path)
                        .isEqualTo(bruteForce(index, query, 3, ".jpg").stream().map(SearchHit::path).toList());
            }
        }
        assertThatThrownBy(() -> SearchFilter.ANY.with("size=3")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("size=3").hasMessageContaining("dir=");
        assertThatThrownBy(() -> SearchFilter.ANY.with("after=yesterday"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("yesterday");
    }

    private static List<SearchHit> bruteForce(ImageIndex index, Embedding query, int k, String suffix) {
        List<SearchHit> all = new ArrayList<>();
        for (Path p : index.paths()) {
            if (p.toString().endsWith(suffix)) {
                all.add(new SearchHit(p, FakeEmbeddingModel.imageEmbedding(p).dot(query)));
            }
        }
        all.sort((a, b) -> Float.compare(b.score(), a.score()));
        return all.subList(0, k);
    }

    @Test
    void aForeignModelOrAnotherKindIsRefused() throws Exception {
        Path index = tmp.resolve("photos.hnsw");
        try (ImageIndex i = ImageIndex.open(index, model, ImageIndex.Kind.HNSW)) {
            i.addDirectory(photos(2));
        }
        assertThatThrownBy(() -> ImageIndex.open(index, new FakeEmbeddingModel("other-model", 100f)))
                .isInstanceOf(IndexException.class).hasMessageContaining(index.toString())
                .hasMessageContaining("fake-model").hasMessageContaining("other-model");
        assertThatThrownBy(() -> ImageIndex.open(index, model, ImageIndex.Kind.EXACT))
                .isInstanceOf(IndexException.class).hasMessageContaining("hnsw").hasMessageContaining("export");
        // The refused opens released the folder: it still opens.
        try (ImageIndex i = ImageIndex.open(index, model)) {
            assertThat(i.size()).isEqualTo(2);
        }
    }

    /** Issue 18's writer lock holds for the hnsw kind and for imports: one writer at a time, the other fails at once. */
    @Test
    void oneWriterAtATimeOnAnHnswIndexAndForImports() throws Exception {
        Path dir = photos(2);
        Path index = tmp.resolve("photos.hnsw");
        try (ImageIndex writer = ImageIndex.open(index, model, ImageIndex.Kind.HNSW)) {
            writer.addDirectory(dir);
            writer.save(); // a commit: others see it, and the writer still holds the lock
            try (ImageIndex other = ImageIndex.open(index, model)) {
                assertThatThrownBy(() -> other.addDirectory(dir)).isInstanceOf(IndexException.class)
                        .hasMessageContaining(index.toString());
                assertThat(other.search("a cat", 1)).hasSize(1); // searching takes no lock
            }
            List<io.github.clip4j.internal.retrieval.IndexRows.Row> rows = List.of(
                    new io.github.clip4j.internal.retrieval.IndexRows.Row("x.png", unit(0), 1, 1));
            assertThatThrownBy(() -> io.github.clip4j.internal.retrieval.IndexRows.importRows(index,
                    ImageIndex.Kind.HNSW, "fake-model", model.dimension(), rows, 1, "rows.parquet"))
                    .isInstanceOf(IndexException.class).hasMessageContaining(index.toString());
        }
        try (ImageIndex i = ImageIndex.open(index, model)) {
            assertThat(i.size()).isEqualTo(2);
        }
    }

    /** Imported rows are untrusted: a path that leaves the index's folder or is not normalized is skipped, reported. */
    @Test
    void importSkipsRowsWhosePathsCannotBeEntries() throws Exception {
        Path index = tmp.resolve("imported.hnsw");
        Path outside = tmp.resolve("elsewhere/pic.png").toAbsolutePath();
        List<io.github.clip4j.internal.retrieval.IndexRows.Row> rows = new ArrayList<>();
        int n = 0;
        for (String path : List.of("a/good.png", "../escape.png", "a/./b.png", "/etc/../etc/passwd", "", "nul\0.png",
                outside.toString())) {
            rows.add(new io.github.clip4j.internal.retrieval.IndexRows.Row(path, unit(n++),
                    10, 1_700_000_000_000L));
        }
        IndexUpdate update = io.github.clip4j.internal.retrieval.IndexRows.importRows(index, ImageIndex.Kind.HNSW,
                "fake-model", model.dimension(), rows, rows.size(), "rows.parquet");
        assertThat(update.added()).isEqualTo(2);
        assertThat(update.skipped()).hasSize(5);
        assertThat(update.skipped()).allSatisfy(s -> assertThat(s.reason()).contains("rows.parquet, row"));
        try (ImageIndex i = ImageIndex.open(index, model)) {
            assertThat(i.paths()).containsExactlyInAnyOrder(tmp.resolve("a/good.png"), outside);
        }
    }

    /** A crafted hnsw folder whose entry leaves its folder is refused on open, like a crafted index file. */
    @Test
    void aCraftedHnswFolderWithAnEscapingEntryIsRefused() throws Exception {
        Path index = tmp.resolve("crafted.hnsw");
        io.github.clip4j.internal.retrieval.LuceneStore store =
                io.github.clip4j.internal.retrieval.LuceneStore.open(index, model.dimension()).store();
        store.useRoots(List.of(""));
        store.put(new io.github.clip4j.internal.retrieval.IndexEntry(0, "../../etc/passwd.png", 1, 1),
                Embedding.ofNormalized(unit(0)));
        store.commit(index, "fake-model", List.of(""));
        store.close();
        assertThatThrownBy(() -> ImageIndex.open(index, model)).isInstanceOf(IndexException.class)
                .hasMessageContaining("corrupt").hasMessageContaining(index.toString());
    }

    private float[] unit(int axis) {
        float[] v = new float[model.dimension()];
        v[axis % v.length] = 1;
        return v;
    }

    @Test
    void autoStaysExactForASmallFolder() throws Exception {
        Path file = tmp.resolve("auto.clipindex");
        try (ImageIndex i = ImageIndex.open(file, model)) {
            assertThat(i.kind()).isEqualTo(ImageIndex.Kind.AUTO);
            i.addDirectory(photos(3));
            assertThat(i.kind()).isEqualTo(ImageIndex.Kind.EXACT);
        }
        assertThat(file).isRegularFile();
    }

    /**
     * kill -9 of a JVM while it indexes (after it flushed uncommitted segments to disk) leaves the previous commit:
     * the index opens with the images of the last save, and indexing can resume.
     */
    @Test
    void aKilledIndexerLeavesThePreviousCommitUsable() throws Exception {
        Path dir = photos(4);
        Path index = tmp.resolve("photos.hnsw");
        try (ImageIndex i = ImageIndex.open(index, model, ImageIndex.Kind.HNSW)) {
            i.addDirectory(dir);
        }
        for (int n = 0; n < 30; n++) {
            TestImages.writePng(dir.resolve("more/m" + n + ".png"), 1000 + n);
        }
        String classPath = System.getProperty("java.class.path") + File.pathSeparator
                + System.getProperty("jdk.module.path", "");
        Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", classPath, "-Dclip4j.hnsw.ramBufferMb=0.001", SlowIndexer.class.getName(),
                index.toString(), dir.toString()).redirectErrorStream(true).start();
        List<String> output = new ArrayList<>();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(),
                StandardCharsets.UTF_8))) {
            for (String line = out.readLine(); line != null; line = out.readLine()) {
                output.add(line);
                if (line.equals("batch 5")) {
                    break;
                }
            }
            assertThat(output).as("child output").contains("batch 5");
            child.destroyForcibly(); // SIGKILL
            assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
        }
        try (var files = Files.list(index)) {
            assertThat(files.filter(f -> f.toString().endsWith(".cfs") || f.toString().endsWith(".vec")).count())
                    .as("segments the killed writer flushed but never committed").isGreaterThan(1);
        }
        try (ImageIndex i = ImageIndex.open(index, model)) {
            assertThat(i.size()).isEqualTo(4);
            assertThat(i.search("a cat", 10)).hasSize(4);
            assertThat(i.addDirectory(dir)).isEqualTo(new IndexUpdate(30, 0, 0, 4, 34, List.of()));
        }
        try (ImageIndex i = ImageIndex.open(index, model)) {
            assertThat(i.size()).isEqualTo(34);
        }
    }

    /** Indexes a folder two images per batch, saying so, and waits to be killed after the fifth batch. */
    public static final class SlowIndexer {
        public static void main(String[] args) throws Exception {
            FakeEmbeddingModel fake = new FakeEmbeddingModel();
            int[] batches = {0};
            EmbeddingModel slow = new EmbeddingModel() {
                @Override public String modelId() { return fake.modelId(); }
                @Override public int dimension() { return fake.dimension(); }
                @Override public float logitScale() { return fake.logitScale(); }
                @Override public List<Embedding> embedTexts(List<String> texts) { return fake.embedTexts(texts); }
                @Override public List<Embedding> embedImages(List<Path> images) {
                    if (++batches[0] > 5) {
                        try {
                            Thread.sleep(Long.MAX_VALUE);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    }
                    return fake.embedImages(images);
                }
            };
            try (ImageIndex index = ImageIndex.open(Path.of(args[0]), slow, 2)) {
                index.addDirectory(Path.of(args[1]), (done, total) -> {
                    System.out.println("batch " + done / 2);
                    System.out.flush();
                });
            }
        }
    }
}
