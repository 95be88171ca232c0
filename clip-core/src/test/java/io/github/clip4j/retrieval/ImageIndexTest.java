package io.github.clip4j.retrieval;

import io.github.clip4j.SkippedFile;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.github.clip4j.Embedding;
import io.github.clip4j.testing.FakeEmbeddingModel;
import io.github.clip4j.testing.TestImages;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageIndexTest {
    @TempDir
    Path tmp;

    private final FakeEmbeddingModel model = new FakeEmbeddingModel();

    private Path photos() throws Exception {
        Path dir = tmp.resolve("photos");
        TestImages.writePng(dir.resolve("a.png"), 1);
        TestImages.writePng(dir.resolve("b.PNG"), 2);
        TestImages.writePng(dir.resolve("c.jpg.png"), 3);
        TestImages.writePng(dir.resolve("sub/deeper/d.png"), 4);
        Files.writeString(dir.resolve("notes.txt"), "not an image, not a candidate");
        return dir;
    }

    @Test
    void reRunsEmbedOnlyNewAndChangedFilesAndDropRemovedOnes() throws Exception {
        Path dir = photos();
        Path file = tmp.resolve("photos.clipindex");
        try (ImageIndex index = ImageIndex.open(file, model)) {
            assertThat(index.addDirectory(dir)).isEqualTo(new IndexUpdate(4, 0, 0, 0, 4, List.of()));
            assertThat(index.addDirectory(dir)).isEqualTo(new IndexUpdate(0, 0, 0, 4, 4, List.of()));
        }
        assertThat(model.imagesEmbedded()).isEqualTo(4);

        TestImages.writePng(dir.resolve("a.png"), 11);
        Files.setLastModifiedTime(dir.resolve("a.png"), FileTime.from(Instant.parse("2020-01-01T00:00:00Z")));
        Files.delete(dir.resolve("sub/deeper/d.png"));
        TestImages.writePng(dir.resolve("sub/e.png"), 5);
        try (ImageIndex index = ImageIndex.open(file, model)) {
            assertThat(index.size()).isEqualTo(4);
            assertThat(index.addDirectory(dir)).isEqualTo(new IndexUpdate(1, 1, 1, 2, 4, List.of()));
            assertThat(index.paths()).containsExactlyInAnyOrder(dir.resolve("a.png"), dir.resolve("b.PNG"),
                    dir.resolve("c.jpg.png"), dir.resolve("sub/e.png"));
            // The changed file's embedding is the new content's.
            assertThat(index.search(FakeEmbeddingModel.imageEmbedding(dir.resolve("a.png")), 1).get(0).path())
                    .isEqualTo(dir.resolve("a.png"));
        }
        assertThat(model.imagesEmbedded()).isEqualTo(6);
    }

    @Test
    void foldersAreTheAddedFoldersResolvedLikeThePaths() throws Exception {
        Path dir = photos();
        Path other = tmp.resolve("other");
        TestImages.writePng(other.resolve("x.png"), 9);
        Path file = tmp.resolve("photos.clipindex");
        try (ImageIndex index = ImageIndex.open(file, model)) {
            assertThat(index.folders()).isEmpty();
            index.addDirectory(dir);
            index.addDirectory(other);
            index.addDirectory(dir);
            assertThat(index.folders()).containsExactly(dir, other);
            for (Path path : index.paths()) {
                assertThat(index.folders()).anySatisfy(folder -> assertThat(path).startsWith(folder));
            }
        }
        try (ImageIndex reopened = ImageIndex.open(file, model)) {
            assertThat(reopened.folders()).containsExactly(dir, other);
        }
    }

    @Test
    void onlyTheTouchedTimeIsEnoughToReEmbed() throws Exception {
        Path dir = photos();
        try (ImageIndex index = ImageIndex.open(tmp.resolve("i.clipindex"), model)) {
            index.addDirectory(dir);
            Files.setLastModifiedTime(dir.resolve("b.PNG"), FileTime.from(Instant.parse("2021-06-01T12:00:00Z")));
            assertThat(index.addDirectory(dir)).isEqualTo(new IndexUpdate(0, 1, 0, 3, 4, List.of()));
        }
    }

    @Test
    void unreadableImagesAreSkippedWithAReasonAndRetriedNextTime() throws Exception {
        Path dir = photos();
        Path broken = dir.resolve("broken.jpg");
        Files.writeString(broken, "this is not a JPEG");
        Path file = tmp.resolve("photos.clipindex");
        try (ImageIndex index = ImageIndex.open(file, model, 2)) {
            IndexUpdate update = index.addDirectory(dir);
            assertThat(update.added()).isEqualTo(4);
            assertThat(update.total()).isEqualTo(4);
            assertThat(update.skipped()).singleElement().satisfies(s -> {
                assertThat(s.path()).isEqualTo(broken);
                assertThat(s.reason()).contains("broken.jpg");
            });
            IndexUpdate again = index.addDirectory(dir);
            assertThat(again.unchanged()).isEqualTo(4);
            assertThat(again.skipped()).extracting(SkippedFile::path).containsExactly(broken);
        }
    }

    @Test
    void aChangedFileThatBecameUnreadableIsDropped() throws Exception {
        Path dir = photos();
        try (ImageIndex index = ImageIndex.open(tmp.resolve("i.clipindex"), model)) {
            index.addDirectory(dir);
            Files.writeString(dir.resolve("a.png"), "truncated");
            IndexUpdate update = index.addDirectory(dir);
            assertThat(update).extracting(IndexUpdate::added, IndexUpdate::updated, IndexUpdate::removed,
                    IndexUpdate::unchanged, IndexUpdate::total).containsExactly(0, 0, 1, 3, 3);
            assertThat(update.skipped()).extracting(SkippedFile::path).containsExactly(dir.resolve("a.png"));
        }
    }

    @Test
    void progressIsReportedAfterEveryBatch() throws Exception {
        Path dir = photos();
        List<String> events = new ArrayList<>();
        try (ImageIndex index = ImageIndex.open(tmp.resolve("i.clipindex"), model, 3)) {
            index.addDirectory(dir, (done, total) -> events.add(done + "/" + total));
        }
        assertThat(events).containsExactly("3/4", "4/4");
        assertThat(model.imageCalls()).extracting(List::size).containsExactly(3, 1);
    }

    @Test
    void searchRanksLikeBruteForceCosine() throws Exception {
        Path dir = tmp.resolve("many");
        List<Path> files = new ArrayList<>();
        for (int i = 0; i < 25; i++) {
            files.add(TestImages.writePng(dir.resolve("img" + i + ".png"), 100 + i));
        }
        try (ImageIndex index = ImageIndex.open(tmp.resolve("many.clipindex"), model)) {
            index.addDirectory(dir);
            for (String text : List.of("a cat", "a red car", "风景")) {
                Embedding query = FakeEmbeddingModel.textEmbedding(text);
                List<Path> expected = new ArrayList<>(files);
                expected.sort(Comparator.comparingDouble((Path p) -> FakeEmbeddingModel.imageEmbedding(p).dot(query))
                        .reversed());
                List<SearchHit> hits = index.search(text, 7);
                assertThat(hits).extracting(SearchHit::path).containsExactlyElementsOf(expected.subList(0, 7));
                for (SearchHit hit : hits) {
                    assertThat(hit.score()).isCloseTo(FakeEmbeddingModel.imageEmbedding(hit.path()).dot(query),
                            within(1e-6f));
                }
            }
            List<SearchHit> byImage = index.search(files.get(7), 3);
            assertThat(byImage.get(0).path()).isEqualTo(files.get(7));
            assertThat(byImage.get(0).score()).isCloseTo(1f, within(1e-5f));
            assertThat(index.search("anything", 100)).hasSize(25);
        }
    }

    @Test
    void savedIndexReopensWithTheSameResults() throws Exception {
        Path dir = photos();
        Path file = tmp.resolve("photos.clipindex");
        List<SearchHit> before;
        try (ImageIndex index = ImageIndex.open(file, model)) {
            index.addDirectory(dir);
            before = index.search("a dog", 4);
        }
        assertThat(file).exists();
        try (ImageIndex index = ImageIndex.open(file, model)) {
            assertThat(index.search("a dog", 4)).isEqualTo(before);
        }
    }

    @Test
    void anIndexBesideItsImagesCanBeMovedWithThem() throws Exception {
        Path project = tmp.resolve("project");
        Path dir = project.resolve("photos");
        TestImages.writePng(dir.resolve("x.png"), 9);
        try (ImageIndex index = ImageIndex.open(project.resolve("photos.clipindex"), model)) {
            index.addDirectory(dir);
        }
        Path moved = Files.move(project, tmp.resolve("elsewhere"));
        try (ImageIndex index = ImageIndex.open(moved.resolve("photos.clipindex"), model)) {
            assertThat(index.search("x", 1).get(0).path()).isEqualTo(moved.resolve("photos/x.png")).exists();
            assertThat(index.addDirectory(moved.resolve("photos")).unchanged()).isEqualTo(1);
        }
    }

    @Test
    void foldersAreIndexedSeparately() throws Exception {
        Path first = tmp.resolve("first");
        Path second = tmp.resolve("second");
        TestImages.writePng(first.resolve("1.png"), 1);
        TestImages.writePng(second.resolve("2.png"), 2);
        try (ImageIndex index = ImageIndex.open(tmp.resolve("i.clipindex"), model)) {
            index.addDirectory(first);
            assertThat(index.addDirectory(second)).isEqualTo(new IndexUpdate(1, 0, 0, 0, 2, List.of()));
            Files.delete(second.resolve("2.png"));
            assertThat(index.addDirectory(first)).isEqualTo(new IndexUpdate(0, 0, 0, 1, 2, List.of()));
            assertThat(index.addDirectory(second)).isEqualTo(new IndexUpdate(0, 0, 1, 0, 1, List.of()));
        }
    }

    @Test
    void anIndexOfAnotherModelIsRefusedNamingBoth() throws Exception {
        Path file = tmp.resolve("photos.clipindex");
        try (ImageIndex index = ImageIndex.open(file, model)) {
            index.addDirectory(photos());
        }
        FakeEmbeddingModel other = new FakeEmbeddingModel("other-model", 100f);
        assertThatThrownBy(() -> ImageIndex.open(file, other))
                .isInstanceOf(IndexException.class)
                .hasMessageContaining(file.toString())
                .hasMessageContaining("fake-model")
                .hasMessageContaining("other-model")
                .hasMessageContaining("rebuild");
    }

    @Test
    void corruptTruncatedOrForeignFilesAreRefusedNamingTheFile() throws Exception {
        Path file = tmp.resolve("photos.clipindex");
        try (ImageIndex index = ImageIndex.open(file, model)) {
            index.addDirectory(photos());
        }
        byte[] good = Files.readAllBytes(file);

        byte[] flipped = good.clone();
        flipped[good.length / 2] ^= 0x10;
        Files.write(file, flipped);
        assertThatThrownBy(() -> ImageIndex.open(file, model)).isInstanceOf(IndexException.class)
                .hasMessageContaining(file.toString()).hasMessageContaining("corrupt");

        Files.write(file, java.util.Arrays.copyOf(good, good.length - 30));
        assertThatThrownBy(() -> ImageIndex.open(file, model)).isInstanceOf(IndexException.class)
                .hasMessageContaining(file.toString()).hasMessageContaining("truncated");

        Files.writeString(file, "{\"some\": \"json\"}");
        assertThatThrownBy(() -> ImageIndex.open(file, model)).isInstanceOf(IndexException.class)
                .hasMessageContaining(file.toString()).hasMessageContaining("not a clip4j image index");
    }

    @Test
    void nothingIsWrittenUntilThereIsSomethingToWrite() throws Exception {
        Path file = tmp.resolve("never.clipindex");
        try (ImageIndex index = ImageIndex.open(file, model)) {
            assertThat(index.search("x", 3)).isEmpty();
        }
        assertThat(file).doesNotExist();
        Path empty = Files.createDirectories(tmp.resolve("empty"));
        try (ImageIndex index = ImageIndex.open(file, model)) {
            assertThat(index.addDirectory(empty)).isEqualTo(new IndexUpdate(0, 0, 0, 0, 0, List.of()));
        }
        assertThat(file).exists();
        try (ImageIndex index = ImageIndex.open(file, model)) {
            assertThat(index.size()).isZero();
        }
    }

    @Test
    void theBuildingModelCanBeReadBeforeOpening() throws Exception {
        Path file = tmp.resolve("photos.clipindex");
        assertThatThrownBy(() -> ImageIndex.modelIdOf(file)).isInstanceOf(IndexException.class)
                .hasMessageContaining(file.toString());
        try (ImageIndex index = ImageIndex.open(file, new FakeEmbeddingModel("ViT-B/32@abc", 100f))) {
            index.addDirectory(photos());
        }
        assertThat(ImageIndex.modelIdOf(file)).isEqualTo("ViT-B/32@abc");
        Files.writeString(file, "CLIP4J");
        assertThatThrownBy(() -> ImageIndex.modelIdOf(file)).isInstanceOf(IndexException.class)
                .hasMessageContaining("truncated");
    }

    @Test
    void misuseIsRefused() throws Exception {
        ImageIndex index = ImageIndex.open(tmp.resolve("i.clipindex"), model);
        assertThatThrownBy(() -> index.addDirectory(tmp.resolve("missing"))).isInstanceOf(IndexException.class)
                .hasMessageContaining("missing");
        assertThatThrownBy(() -> index.search("x", 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> index.search(Embedding.normalize(new float[] {1, 2}), 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("different models");
        index.close();
        assertThatThrownBy(() -> index.search("x", 1)).isInstanceOf(IllegalStateException.class);
    }
}
