package io.github.clip4j.internal.retrieval;

import io.github.clip4j.retrieval.ImageIndex;
import static java.util.Objects.requireNonNull;

import io.github.clip4j.Embedding;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;

/**
 * Unit vectors in one contiguous row-major {@code float[]}, searched exactly: the {@code k} rows with the highest
 * dot product (cosine similarity) with a query. The storage and search behind {@link ImageIndex}, usable on its own
 * for embeddings kept elsewhere.
 *
 * <pre>{@code
 * EmbeddingMatrix matrix = new EmbeddingMatrix(512);
 * for (Embedding e : embeddings) matrix.add(e);
 * List<EmbeddingMatrix.Match> best = matrix.nearest(clip.embedText("a cat"), 5);
 * }</pre>
 *
 * <p>A search scans every row once (a brute-force scan is exact and, at 100,000 x 512, a few milliseconds) and keeps
 * the best {@code k} in a bounded min-heap. Large matrices are split across the common fork-join pool.
 *
 * <p>Not thread-safe for writes: concurrent {@link #nearest} calls are safe only while no thread modifies it.
 */
public final class EmbeddingMatrix {
    /** Below this many floats a scan is faster on one thread than the cost of forking. */
    private static final long PARALLEL_THRESHOLD = 1L << 21;

    private final int dimension;
    private float[] data;
    private int rows;

    /**
     * An empty matrix of {@code dimension}-sized rows; room for 16 rows is allocated, and grows by half as needed.
     *
     * @param dimension the length of every row: the embedding dimension of the model (512 for ViT-B/32)
     * @throws IllegalArgumentException if {@code dimension < 1}
     */
    public EmbeddingMatrix(int dimension) {
        if (dimension < 1) {
            throw new IllegalArgumentException("dimension must be at least 1, got " + dimension);
        }
        this.dimension = dimension;
        this.data = new float[dimension * 16];
    }

    /**
     * A matrix over {@code rows} rows already laid out in {@code data} (taken, not copied).
     *
     * @throws IllegalArgumentException if {@code data} is shorter than {@code rows * dimension}
     */
    public static EmbeddingMatrix wrap(int dimension, float[] data, int rows) {
        EmbeddingMatrix m = new EmbeddingMatrix(dimension);
        if (rows < 0 || (long) rows * dimension > data.length) {
            throw new IllegalArgumentException(rows + " rows do not fit in " + data.length + " floats");
        }
        m.data = data;
        m.rows = rows;
        return m;
    }

    /**
     * The length of every row.
     *
     * @return the embedding dimension given at construction
     */
    public int dimension() {
        return dimension;
    }

    /**
     * The number of rows, i.e. of embeddings held.
     *
     * @return the number of rows, 0 for a new matrix
     */
    public int size() {
        return rows;
    }

    /**
     * Appends {@code embedding} as the last row; amortized O(dimension).
     *
     * @param embedding the embedding, not null, of {@link #dimension()} components
     * @return the index of the new row, which is the former {@link #size()}
     * @throws IllegalArgumentException if its dimension differs
     * @throws IllegalStateException if the matrix would exceed the largest Java array
     */
    public int add(Embedding embedding) {
        checkDimension(embedding);
        if ((long) (rows + 1) * dimension > data.length) {
            long grown = Math.max((long) (rows + 1) * dimension, (long) data.length * 3 / 2);
            if (grown > Integer.MAX_VALUE - 8) {
                throw new IllegalStateException("an embedding matrix holds at most "
                        + (Integer.MAX_VALUE - 8) / dimension + " rows of " + dimension);
            }
            data = Arrays.copyOf(data, (int) grown);
        }
        System.arraycopy(embedding.toArray(), 0, data, rows * dimension, dimension);
        return rows++;
    }

    /**
     * Replaces row {@code row}, e.g. when an image file changed.
     *
     * @param row the index of the row, from 0 to {@code size() - 1}
     * @param embedding the new embedding, not null, of {@link #dimension()} components
     * @throws IndexOutOfBoundsException if there is no such row
     * @throws IllegalArgumentException if the dimension differs
     */
    public void set(int row, Embedding embedding) {
        checkRow(row);
        checkDimension(embedding);
        System.arraycopy(embedding.toArray(), 0, data, row * dimension, dimension);
    }

    /**
     * Removes row {@code row} by moving the last row into its place (order is not kept; O(dimension)). A caller
     * that maps rows to files must update the mapping of the moved row.
     *
     * @param row the index of the row to remove, from 0 to {@code size() - 1}
     * @return the former index of the row that moved into {@code row}, or {@code -1} if {@code row} was the last
     * @throws IndexOutOfBoundsException if there is no such row
     */
    public int removeSwappingLast(int row) {
        checkRow(row);
        int last = rows - 1;
        rows--;
        if (row == last) {
            return -1;
        }
        System.arraycopy(data, last * dimension, data, row * dimension, dimension);
        return last;
    }

    /**
     * Row {@code row} as an embedding.
     *
     * @param row the index of the row, from 0 to {@code size() - 1}
     * @return a copy of the row (later changes to the matrix do not affect it)
     * @throws IndexOutOfBoundsException if there is no such row
     */
    public Embedding row(int row) {
        checkRow(row);
        return Embedding.ofNormalized(Arrays.copyOfRange(data, row * dimension, (row + 1) * dimension));
    }

    /** The backing array (rows beyond {@link #size()} are garbage), for writing without a copy. Not to be modified. */
    public float[] backingArray() {
        return data;
    }

    /**
     * The {@code k} rows closest to {@code query}, best (highest dot product) first; rows of equal score in row
     * order. Fewer than {@code k} when the matrix is smaller.
     *
     * @param query the query embedding, not null, of {@link #dimension()} components
     * @param k the number of matches wanted, at least 1
     * @return at most {@code k} matches, best first; empty for an empty matrix
     * @throws IllegalArgumentException if {@code k < 1} or the dimension differs
     */
    public List<Match> nearest(Embedding query, int k) {
        checkDimension(query);
        if (k < 1) {
            throw new IllegalArgumentException("k must be at least 1, got " + k);
        }
        float[] q = query.toArray();
        int want = Math.min(k, rows);
        if (want == 0) {
            return List.of();
        }
        // The calling thread scans one share itself, so a pool of n threads gives n + 1 scanners.
        int chunks = ForkJoinPool.getCommonPoolParallelism() + 1;
        TopK top;
        if (Runtime.getRuntime().availableProcessors() > 1 && (long) rows * dimension >= PARALLEL_THRESHOLD) {
            List<ForkJoinTask<TopK>> tasks = new ArrayList<>(chunks - 1);
            for (int c = 1; c < chunks; c++) {
                int from = (int) ((long) rows * c / chunks);
                int to = (int) ((long) rows * (c + 1) / chunks);
                tasks.add(ForkJoinPool.commonPool().submit(() -> scan(q, want, from, to)));
            }
            top = scan(q, want, 0, (int) ((long) rows / chunks));
            for (ForkJoinTask<TopK> task : tasks) {
                top.addAll(task.join());
            }
        } else {
            top = scan(q, want, 0, rows);
        }
        return top.toSortedList();
    }

    private TopK scan(float[] q, int k, int from, int to) {
        TopK top = new TopK(k);
        float[] d = data;
        int dim = dimension;
        for (int r = from; r < to; r++) {
            top.offer(r, dot(q, d, r * dim, dim));
        }
        return top;
    }

    /**
     * The dot product of {@code q} and the row at {@code offset}, with eight independent accumulators so the CPU
     * can keep several multiply-adds in flight (a single running sum serializes on its own latency).
     */
    static float dot(float[] q, float[] d, int offset, int dim) {
        float s0 = 0, s1 = 0, s2 = 0, s3 = 0, s4 = 0, s5 = 0, s6 = 0, s7 = 0;
        int j = 0;
        for (; j + 7 < dim; j += 8) {
            int o = offset + j;
            s0 += q[j] * d[o];
            s1 += q[j + 1] * d[o + 1];
            s2 += q[j + 2] * d[o + 2];
            s3 += q[j + 3] * d[o + 3];
            s4 += q[j + 4] * d[o + 4];
            s5 += q[j + 5] * d[o + 5];
            s6 += q[j + 6] * d[o + 6];
            s7 += q[j + 7] * d[o + 7];
        }
        for (; j < dim; j++) {
            s0 += q[j] * d[offset + j];
        }
        return ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7));
    }

    private void checkRow(int row) {
        if (row < 0 || row >= rows) {
            throw new IndexOutOfBoundsException("row " + row + " of " + rows);
        }
    }

    private void checkDimension(Embedding embedding) {
        requireNonNull(embedding, "embedding");
        if (embedding.dimension() != dimension) {
            throw new IllegalArgumentException("embedding of " + embedding.dimension() + " dimensions in a matrix of "
                    + dimension + " (embeddings of different models?)");
        }
    }

    /**
     * A row and its score.
     *
     * @param row the row index in the matrix
     * @param score its dot product with the query
     */
    public record Match(int row, float score) {}

    /** A bounded min-heap: the root is the worst of the best {@code k} seen, evicted by anything better. */
    private static final class TopK {
        private final int capacity;
        private final int[] rows;
        private final float[] scores;
        private int size;

        TopK(int capacity) {
            this.capacity = capacity;
            this.rows = new int[capacity];
            this.scores = new float[capacity];
        }

        void offer(int row, float score) {
            if (size < capacity) {
                rows[size] = row;
                scores[size] = score;
                siftUp(size++);
            } else if (better(score, row, scores[0], rows[0])) {
                rows[0] = row;
                scores[0] = score;
                siftDown(0);
            }
        }

        void addAll(TopK other) {
            for (int i = 0; i < other.size; i++) {
                offer(other.rows[i], other.scores[i]);
            }
        }

        List<Match> toSortedList() {
            Match[] out = new Match[size];
            for (int i = 0; i < size; i++) {
                out[i] = new Match(rows[i], scores[i]);
            }
            Arrays.sort(out, (a, b) -> better(a.score(), a.row(), b.score(), b.row()) ? -1
                    : better(b.score(), b.row(), a.score(), a.row()) ? 1 : 0);
            return List.of(out);
        }

        /** Higher score wins; on a tie the lower row, so results do not depend on the scan's split. */
        private static boolean better(float score, int row, float otherScore, int otherRow) {
            return score > otherScore || (score == otherScore && row < otherRow);
        }

        private void siftUp(int i) {
            while (i > 0) {
                int parent = (i - 1) >>> 1;
                if (!better(scores[parent], rows[parent], scores[i], rows[i])) {
                    break;
                }
                swap(i, parent);
                i = parent;
            }
        }

        private void siftDown(int i) {
            while (true) {
                int worst = i;
                int left = 2 * i + 1;
                int right = left + 1;
                if (left < size && better(scores[worst], rows[worst], scores[left], rows[left])) {
                    worst = left;
                }
                if (right < size && better(scores[worst], rows[worst], scores[right], rows[right])) {
                    worst = right;
                }
                if (worst == i) {
                    return;
                }
                swap(i, worst);
                i = worst;
            }
        }

        private void swap(int a, int b) {
            int r = rows[a];
            rows[a] = rows[b];
            rows[b] = r;
            float s = scores[a];
            scores[a] = scores[b];
            scores[b] = s;
        }
    }
}
