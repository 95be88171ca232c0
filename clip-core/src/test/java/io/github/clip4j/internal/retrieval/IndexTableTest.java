package io.github.clip4j.internal.retrieval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.clip4j.Embedding;
import java.util.List;
import org.junit.jupiter.api.Test;

class IndexTableTest {
    private static Embedding axis(int i) {
        float[] v = new float[4];
        v[i] = 1;
        return Embedding.ofNormalized(v);
    }

    private static IndexEntry entry(String path, long size) {
        return new IndexEntry(0, path, size, 7);
    }

    @Test
    void putAddsThenReplacesAndRemoveKeepsEntriesAndRowsInStep() {
        IndexTable table = IndexTable.empty(4);
        assertThat(table.put(entry("a.png", 1), axis(0))).isTrue();
        assertThat(table.put(entry("b.png", 1), axis(1))).isTrue();
        assertThat(table.put(entry("c.png", 1), axis(2))).isTrue();
        assertThat(table.put(entry("a.png", 2), axis(3))).isFalse();
        assertThat(table.size()).isEqualTo(3);
        assertThat(table.get(0, "a.png").size()).isEqualTo(2);
        assertThat(table.get(1, "a.png")).isNull();

        // Removing the first row moves the last one into its place: its lookup and embedding must follow.
        assertThat(table.remove(0, "a.png")).isTrue();
        assertThat(table.remove(0, "a.png")).isFalse();
        assertThat(table.get(0, "a.png")).isNull();
        assertThat(table.nearest(axis(2), 1)).containsExactly(new IndexTable.Hit(entry("c.png", 1), 1f));
        assertThat(table.nearest(axis(1), 1)).containsExactly(new IndexTable.Hit(entry("b.png", 1), 1f));
        assertThat(table.entries()).containsExactlyInAnyOrder(entry("b.png", 1), entry("c.png", 1));
    }

    @Test
    void aRefusedEmbeddingChangesNothing() {
        IndexTable table = IndexTable.empty(4);
        assertThatThrownBy(() -> table.put(entry("a.png", 1), Embedding.ofNormalized(new float[] {1, 0})))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(table.size()).isZero();
        assertThat(table.get(0, "a.png")).isNull();
    }

    @Test
    void snapshotRoundTripsThroughTheContent() {
        IndexTable table = IndexTable.empty(4);
        table.put(entry("a.png", 1), axis(0));
        table.put(entry("b.png", 1), axis(1));
        IndexFile.Content content = table.snapshot("m", List.of("photos"));
        IndexTable copy = IndexTable.of(content);
        assertThat(copy.entries()).isEqualTo(table.entries());
        assertThat(copy.nearest(axis(1), 2)).isEqualTo(table.nearest(axis(1), 2));
    }

    @Test
    void aContentListingAFileTwiceIsRefused() {
        IndexFile.Content content = new IndexFile.Content("m", 4, List.of("photos"),
                List.of(entry("a.png", 1), entry("a.png", 2)), new float[8]);
        assertThatThrownBy(() -> IndexTable.of(content)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("a.png");
    }
}
