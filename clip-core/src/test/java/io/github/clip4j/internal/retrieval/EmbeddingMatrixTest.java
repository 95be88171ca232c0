package io.github.clip4j.internal.retrieval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.github.clip4j.Embedding;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class EmbeddingMatrixTest {

    private static Embedding random(Random random, int dim) {
        float[] v = new float[dim];
        for (int i = 0; i < dim; i++) {
            v[i] = (float) random.nextGaussian();
        }
        return Embedding.normalize(v);
    }

    private static void assertMatchesBruteForce(int rows, int dim, int k) {
        Random random = new Random(rows);
        EmbeddingMatrix matrix = new EmbeddingMatrix(dim);
        List<Embedding> all = new ArrayList<>();
        for (int i = 0; i < rows; i++) {
            Embedding e = random(random, dim);
            all.add(e);
            assertThat(matrix.add(e)).isEqualTo(i);
        }
        Embedding query = random(random, dim);
        List<Integer> expected = new ArrayList<>();
        for (int i = 0; i < rows; i++) {
            expected.add(i);
        }
        expected.sort(Comparator.comparingDouble((Integer i) -> all.get(i).dot(query)).reversed());

        List<EmbeddingMatrix.Match> top = matrix.nearest(query, k);
        assertThat(top).extracting(EmbeddingMatrix.Match::row).containsExactlyElementsOf(expected.subList(0, k));
        for (EmbeddingMatrix.Match m : top) {
            assertThat(m.score()).isCloseTo(all.get(m.row()).dot(query), within(1e-5f));
        }
    }

    @Test
    void topKEqualsTheBruteForceRanking() {
        assertMatchesBruteForce(1000, 37, 10);
        assertMatchesBruteForce(50, 8, 50);
    }

    @Test
    void theParallelScanEqualsTheBruteForceRankingToo() {
        assertMatchesBruteForce(70_000, 32, 25); // above the threshold for splitting the scan
    }

    @Test
    void equalScoresRankInRowOrder() {
        EmbeddingMatrix matrix = new EmbeddingMatrix(2);
        Embedding a = Embedding.normalize(new float[] {1, 0});
        Embedding b = Embedding.normalize(new float[] {0, 1});
        for (Embedding e : List.of(b, a, b, a, a)) {
            matrix.add(e);
        }
        assertThat(matrix.nearest(a, 3)).extracting(EmbeddingMatrix.Match::row).containsExactly(1, 3, 4);
        assertThat(matrix.nearest(a, 10)).extracting(EmbeddingMatrix.Match::row).containsExactly(1, 3, 4, 0, 2);
    }

    @Test
    void removingMovesTheLastRowIntoTheHole() {
        EmbeddingMatrix matrix = new EmbeddingMatrix(2);
        Embedding[] e = {Embedding.normalize(new float[] {1, 0}), Embedding.normalize(new float[] {0, 1}),
            Embedding.normalize(new float[] {1, 1})};
        for (Embedding x : e) {
            matrix.add(x);
        }
        assertThat(matrix.removeSwappingLast(0)).isEqualTo(2);
        assertThat(matrix.size()).isEqualTo(2);
        assertThat(matrix.row(0)).isEqualTo(e[2]);
        assertThat(matrix.removeSwappingLast(1)).isEqualTo(-1);
        assertThat(matrix.size()).isEqualTo(1);
        matrix.set(0, e[1]);
        assertThat(matrix.row(0)).isEqualTo(e[1]);
        assertThatThrownBy(() -> matrix.row(1)).isInstanceOf(IndexOutOfBoundsException.class);
    }

    @Test
    void dotHandlesDimensionsThatAreNotAMultipleOfTheUnrolling() {
        for (int dim = 1; dim < 20; dim++) {
            float[] q = new float[dim];
            float[] d = new float[dim + 3];
            double expected = 0;
            for (int i = 0; i < dim; i++) {
                q[i] = i + 1;
                d[i + 3] = 2 * i - 5;
                expected += (double) q[i] * d[i + 3];
            }
            assertThat(EmbeddingMatrix.dot(q, d, 3, dim)).as("dim " + dim).isCloseTo((float) expected, within(1e-3f));
        }
    }

    @Test
    void wrongDimensionsAndKAreRefused() {
        EmbeddingMatrix matrix = new EmbeddingMatrix(3);
        assertThatThrownBy(() -> matrix.add(Embedding.normalize(new float[] {1, 0})))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("2 dimensions");
        assertThatThrownBy(() -> matrix.nearest(Embedding.normalize(new float[] {1, 0, 0}), 0))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(matrix.nearest(Embedding.normalize(new float[] {1, 0, 0}), 5)).isEmpty();
        assertThatThrownBy(() -> new EmbeddingMatrix(0)).isInstanceOf(IllegalArgumentException.class);
    }
}
