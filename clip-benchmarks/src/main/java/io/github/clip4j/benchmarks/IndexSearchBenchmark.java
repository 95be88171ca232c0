package io.github.clip4j.benchmarks;

import io.github.clip4j.Embedding;
import io.github.clip4j.internal.retrieval.EmbeddingMatrix;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import java.util.Locale;
import java.util.Random;

/**
 * Times exact top-k search over 100,000 random normalized 512-dimensional embeddings (a large photo collection
 * indexed with ViT-B/32), the scan behind {@code ImageIndex.search}. A program, not a test:
 *
 * <pre>
 * mvn -B -DskipTests package -pl clip-benchmarks -am
 * java -cp clip-benchmarks/target/benchmarks.jar io.github.clip4j.benchmarks.IndexSearchBenchmark [rows=100000] [dimension=512] [k=10] [queries=200]
 * </pre>
 *
 * <p>It warms the JIT up first, then prints the median, 90th-percentile and fastest wall time per query (the scan
 * uses the common fork-join pool plus the calling thread), and the calling thread's CPU time. On a busy machine the
 * wall time measures the contention; run with {@code -XX:ActiveProcessorCount=1} for a one-thread scan, whose CPU
 * time is then the whole cost of a query.
 */
public final class IndexSearchBenchmark {
    private IndexSearchBenchmark() {}

    public static void main(String[] args) {
        int rows = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        int dim = args.length > 1 ? Integer.parseInt(args[1]) : 512;
        int k = args.length > 2 ? Integer.parseInt(args[2]) : 10;
        int queries = args.length > 3 ? Integer.parseInt(args[3]) : 200;

        Random random = new Random(42);
        EmbeddingMatrix matrix = new EmbeddingMatrix(dim);
        for (int i = 0; i < rows; i++) {
            matrix.add(randomUnit(random, dim));
        }
        Embedding[] query = new Embedding[queries];
        for (int i = 0; i < queries; i++) {
            query[i] = randomUnit(random, dim);
        }

        long sink = 0;
        for (int i = 0; i < 50; i++) { // warm-up: let C2 compile the scan
            sink += matrix.nearest(query[i % queries], k).get(0).row();
        }
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long[] nanos = new long[queries];
        long[] cpu = new long[queries];
        for (int i = 0; i < queries; i++) {
            long cpuStart = threads.getCurrentThreadCpuTime();
            long start = System.nanoTime();
            sink += matrix.nearest(query[i], k).get(0).row();
            nanos[i] = System.nanoTime() - start;
            cpu[i] = threads.getCurrentThreadCpuTime() - cpuStart;
        }
        Arrays.sort(nanos);
        Arrays.sort(cpu);
        System.out.printf(Locale.ROOT,
                "%,d x %d embeddings, top-%d, %d queries, %d fork-join threads: median %.2f ms, p90 %.2f ms, "
                        + "min %.2f ms (%.1f GB/s scanned at the median); calling thread's CPU time: median %.2f ms; "
                        + "load average %.1f on %d cores [%d]%n",
                rows, dim, k, queries, java.util.concurrent.ForkJoinPool.getCommonPoolParallelism(),
                nanos[queries / 2] / 1e6, nanos[queries * 9 / 10] / 1e6, nanos[0] / 1e6,
                (double) rows * dim * 4 / nanos[queries / 2], cpu[queries / 2] / 1e6,
                ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage(),
                Runtime.getRuntime().availableProcessors(), sink % 10);
    }

    private static Embedding randomUnit(Random random, int dim) {
        float[] v = new float[dim];
        for (int i = 0; i < dim; i++) {
            v[i] = (float) random.nextGaussian();
        }
        return Embedding.normalize(v);
    }
}
