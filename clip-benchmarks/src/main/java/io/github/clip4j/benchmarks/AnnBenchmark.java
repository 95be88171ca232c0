package io.github.clip4j.benchmarks;

import io.github.clip4j.Embedding;
import io.github.clip4j.internal.retrieval.EmbeddingMatrix;
import io.github.clip4j.internal.retrieval.EntryFilter;
import io.github.clip4j.internal.retrieval.IndexEntry;
import io.github.clip4j.internal.retrieval.IndexTable;
import io.github.clip4j.internal.retrieval.LuceneStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.stream.Stream;

/**
 * Approximate (hnsw, Lucene) against exact search on N clustered random unit vectors, like real embeddings: a mixture
 * of a few thousand centres with Gaussian noise (cosine to the own centre about 0.75), not uniform on the sphere.
 *
 * <pre>
 * java -Xmx2g -cp clip-benchmarks/target/benchmarks.jar io.github.clip4j.benchmarks.AnnBenchmark \
 *     --vectors 100000 --dim 512 --queries 200 --k 10 [--centres 2000] [--noise 0.9] [--rank R] [--index DIR]
 *     [--keep | --reuse] [--threads T] [--segments S] [--candidates C1,C2s,...] [--probe C]
 * </pre>
 *
 * <p>Phase 1 builds the hnsw index through {@code LuceneStore} (the store behind {@code ImageIndex}'s hnsw kind:
 * the same documents, codec and re-scoring), commits it, reopens it and runs the queries; {@code peak_rss_mb} is the
 * process's peak resident set at the end of this phase ({@code build_peak_rss_mb}: the peak when the build ended).
 * Phase 2 loads the same vectors into the exact kind's matrix and runs the same queries: the exact answers (for
 * recall@K) and the exact latency ({@code exact_peak_rss_mb} is the peak after it). Vector {@code i} is a function of the seed and {@code i}, so neither phase keeps the other's data.
 * Prints progress on stderr and one JSON line last on stdout.
 *
 * <p>{@code --candidates 300,200,300s} runs one pass per entry (the JSON line reports the last): C candidates per
 * segment with the segments searched independently (the store's search), {@code Cs} with Lucene's default search
 * in which segments searched in parallel share their best scores. {@code --probe C} searches the last pass's queries
 * that missed a true neighbour again with C candidates (was it reachable in the graph, or cut off).
 */
public final class AnnBenchmark {
    private static final com.sun.management.OperatingSystemMXBean OS =
            (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
                    .getOperatingSystemMXBean();

    private static final java.lang.management.ThreadMXBean THREADS =
            java.lang.management.ManagementFactory.getThreadMXBean();

    /** CPU time of the whole process (all threads: indexing, merges, parallel segment search, GC), ns; 10 ms steps. */
    private static long cpuNanos() {
        return OS.getProcessCpuTime();
    }

    /** CPU time of every live Java thread (the caller and the pool's segment searchers), ns, fine-grained. */
    private static long threadsCpuNanos() {
        long sum = 0;
        for (long id : THREADS.getAllThreadIds()) {
            long t = THREADS.getThreadCpuTime(id);
            if (t > 0) {
                sum += t;
            }
        }
        return sum;
    }

    private AnnBenchmark() {}

    public static void main(String[] args) throws IOException {
        int n = 100_000;
        int dim = 512;
        int queries = 200;
        int k = 10;
        int centres = 2000;
        double noise = 0.9;
        Path folder = null;
        boolean keep = false;
        int threads = 1;
        int segments = 0;
        boolean reuse = false;
        int rank = 0;
        int[] sweep = {Integer.getInteger("clip4j.hnsw.candidates", 100)};
        boolean[] sharedBy = {false};
        int probe = 0;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--vectors" -> n = Integer.parseInt(args[++i]);
                case "--dim" -> dim = Integer.parseInt(args[++i]);
                case "--queries" -> queries = Integer.parseInt(args[++i]);
                case "--k" -> k = Integer.parseInt(args[++i]);
                case "--centres" -> centres = Integer.parseInt(args[++i]);
                case "--noise" -> noise = Double.parseDouble(args[++i]);
                case "--index" -> folder = Path.of(args[++i]);
                case "--keep" -> keep = true;
                case "--threads" -> threads = Integer.parseInt(args[++i]);
                case "--segments" -> segments = Integer.parseInt(args[++i]);
                case "--reuse" -> reuse = true;
                case "--rank" -> rank = Integer.parseInt(args[++i]);
                case "--candidates" -> {
                    // C: segments searched independently (the store's search); Cs: Lucene's shared-bound search.
                    String[] parts = args[++i].split(",");
                    sweep = new int[parts.length];
                    sharedBy = new boolean[parts.length];
                    for (int p = 0; p < parts.length; p++) {
                        sharedBy[p] = parts[p].endsWith("s");
                        sweep[p] = Integer.parseInt(sharedBy[p] ? parts[p].substring(0, parts[p].length() - 1)
                                : parts[p]);
                    }
                }
                case "--probe" -> probe = Integer.parseInt(args[++i]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]
                        + "; use --vectors N --dim D --queries Q --k K [--centres C] [--noise S] [--index DIR] [--keep]"
                        + " [--threads T] [--segments S] [--reuse] [--candidates C1,C2s,...] [--rank R] [--probe C]");
            }
        }
        Vectors vectors = new Vectors(dim, centres, noise, 42, rank);
        if (rank > 0) {
            log("data: noise of rank %d per cluster (plus a 10%% isotropic floor), not the default isotropic noise", rank);
        }
        Path dir = folder != null ? folder : Files.createTempDirectory("ann-benchmark");
        reuse = reuse && LuceneStore.isStore(dir);
        if (!reuse) {
            deleteTree(dir);
        }
        ProcessMemory.Sampler sampler = ProcessMemory.Sampler.start();

        // Phase 1: hnsw.
        log("building hnsw index of %d x %d in %s (load average %s)", n, dim, dir, ProcessMemory.loadAverage());
        long start = System.nanoTime();
        long buildCpu = cpuNanos();
        if (!reuse) {
        LuceneStore.Opened created = LuceneStore.open(dir, dim);
        LuceneStore store = created.store();
        store.useRoots(List.of(""));
        // T indexing threads: Lucene gives each its own in-memory segment, so graph building uses T cores.
        final int total = n;
        final int stride = threads;
        java.util.concurrent.atomic.AtomicInteger added = new java.util.concurrent.atomic.AtomicInteger();
        List<Thread> workers = new ArrayList<>();
        List<Throwable> failures = java.util.Collections.synchronizedList(new ArrayList<>());
        for (int t = 0; t < threads; t++) {
            final int first = t;
            Thread worker = new Thread(() -> {
                try {
                    for (int i = first; i < total; i += stride) {
                        store.put(new IndexEntry(0, i + ".jpg", 0, 0), Embedding.ofNormalized(vectors.get(i)));
                        int done = added.incrementAndGet();
                        if (done % 100_000 == 0) {
                            log("  %d added, %.0f s, load average %s", done, (System.nanoTime() - start) / 1e9,
                                    ProcessMemory.loadAverage());
                        }
                    }
                } catch (Throwable e) {
                    failures.add(e);
                }
            }, "indexer-" + t);
            worker.start();
            workers.add(worker);
        }
        for (Thread worker : workers) {
            try {
                worker.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted", e);
            }
        }
        if (!failures.isEmpty()) {
            throw new IOException("indexing failed", failures.get(0));
        }
        store.commit(dir, "benchmark#0", List.of(""));
        double addSeconds = (System.nanoTime() - start) / 1e9;
        if (segments > 0) {
            log("  committed in %.0f s; merging to %d segment(s)", addSeconds, segments);
            store.forceMerge(segments);
        }
        store.close();
        } else if (segments > 0) {
            // A kept index merged afterwards: the build time is then the merge's alone.
            LuceneStore kept = LuceneStore.open(dir, dim).store();
            log("merging the kept index to %d segment(s)", segments);
            kept.forceMerge(segments);
            kept.close();
        }
        double buildSeconds = (System.nanoTime() - start) / 1e9;
        // The process's peak so far: the build's own (the query phase below preloads the graph on top of the heap
        // the build left, which a separate search process would not carry).
        long buildPeakKb = ProcessMemory.peakResidentKb();
        double buildCpuSeconds = (cpuNanos() - buildCpu) / 1e9;
        long disk = sizeOf(dir);
        int segmentCount = segmentCount(dir);
        log("built in %.1f s (%.1f s CPU of the process), %d bytes on disk, %d segment(s), peak RSS so far %d MB",
                buildSeconds, buildCpuSeconds, disk, segmentCount, buildPeakKb / 1024);

        LuceneStore reopened = LuceneStore.open(dir, dim).store();
        Embedding[] query = new Embedding[queries];
        for (int q = 0; q < queries; q++) {
            query[q] = Embedding.ofNormalized(vectors.get(n + q)); // held out
        }
        // One pass of the queries per candidate count (the last pass is the one the JSON line reports).
        long[][] annNanosBy = new long[sweep.length][];
        long[][] annCpuBy = new long[sweep.length][];
        List<List<Set<String>>> annResultsBy = new ArrayList<>();
        for (int s = 0; s < sweep.length; s++) {
            int candidates = sweep[s];
            boolean shared = sharedBy[s];
            for (int q = 0; q < Math.min(queries, 50); q++) { // warm-up
                reopened.nearest(query[q], k, EntryFilter.ALL, List.of(""), candidates, shared);
            }
            long[] annNanos = new long[queries];
            long[] annCpu = new long[queries];
            List<Set<String>> annResults = new ArrayList<>();
            for (int q = 0; q < queries; q++) {
                long c = threadsCpuNanos();
                long t = System.nanoTime();
                List<IndexTable.Hit> hits = reopened.nearest(query[q], k, EntryFilter.ALL, List.of(""), candidates,
                        shared);
                annNanos[q] = System.nanoTime() - t;
                annCpu[q] = threadsCpuNanos() - c;
                Set<String> ids = new HashSet<>();
                hits.forEach(h -> ids.add(h.entry().path()));
                annResults.add(ids);
            }
            annNanosBy[s] = annNanos;
            annCpuBy[s] = annCpu;
            annResultsBy.add(annResults);
            log("hnsw, %d candidates%s: p50 %.2f ms, p99 %.2f ms (CPU p50 %.2f ms, p99 %.2f ms), RSS now %d MB",
                    candidates, shared ? " (shared bound)" : "", percentile(annNanos, 0.5), percentile(annNanos, 0.99), percentile(annCpu, 0.5),
                    percentile(annCpu, 0.99), ProcessMemory.residentKb() / 1024);
        }
        long[] annNanos = annNanosBy[sweep.length - 1];
        long[] annCpu = annCpuBy[sweep.length - 1];
        if (probe == 0) {
            reopened.close();
        }
        long peakRssKb = ProcessMemory.peakResidentKb();
        long peakAnonKb = sampler.peakAnonKb();
        long peakFileKb = sampler.peakFileKb();
        log("hnsw phase: peak RSS %d MB; sampled every 100 ms: peak anonymous %d MB, peak file-backed %d MB",
                peakRssKb / 1024, peakAnonKb / 1024, peakFileKb / 1024);
        log("hnsw: p50 %.2f ms, p99 %.2f ms (CPU p50 %.2f ms, p99 %.2f ms), peak RSS %d MB",
                percentile(annNanos, 0.5), percentile(annNanos, 0.99), percentile(annCpu, 0.5),
                percentile(annCpu, 0.99), peakRssKb / 1024);

        // Phase 2: exact, over the same vectors.
        // Laid out once (no growth by copying: at 1M x 512 that would need 2 x 2 GB).
        float[] rows = new float[Math.multiplyExact(n, dim)];
        for (int i = 0; i < n; i++) {
            System.arraycopy(vectors.get(i), 0, rows, i * dim, dim);
        }
        EmbeddingMatrix matrix = EmbeddingMatrix.wrap(dim, rows, n);
        for (int q = 0; q < Math.min(queries, 20); q++) {
            matrix.nearest(query[q], k);
        }
        long[] exactNanos = new long[queries];
        int[] foundBy = new int[sweep.length];
        // Per pass: how many queries found at most half of their true neighbours (a query routed to a wrong
        // region of the graph loses nearly all of them; one that reached it loses few).
        int[] lostBy = new int[sweep.length];
        // Near ties: the gap between the K-th and the (K+1)-th exact score (a gap below the int7 error would make
        // the candidates' order, not the graph, decide).
        double[] gaps = new double[queries];
        List<Integer> missedLast = new ArrayList<>();
        List<List<EmbeddingMatrix.Match>> truths = new ArrayList<>();
        for (int q = 0; q < queries; q++) {
            long t = System.nanoTime();
            List<EmbeddingMatrix.Match> truth = matrix.nearest(query[q], k);
            exactNanos[q] = System.nanoTime() - t;
            List<EmbeddingMatrix.Match> deeper = matrix.nearest(query[q], k + 1);
            gaps[q] = deeper.size() > k ? deeper.get(k - 1).score() - deeper.get(k).score() : Double.NaN;
            truths.add(truth);
            for (int s = 0; s < sweep.length; s++) {
                int foundHere = 0;
                for (EmbeddingMatrix.Match m : truth) {
                    if (annResultsBy.get(s).get(q).contains(m.row() + ".jpg")) {
                        foundHere++;
                    }
                }
                foundBy[s] += foundHere;
                if (2 * foundHere <= truth.size()) {
                    lostBy[s]++;
                }
                if (s == sweep.length - 1 && foundHere < truth.size()) {
                    missedLast.add(q);
                }
            }
        }
        for (int s = 0; s < sweep.length; s++) {
            log("sweep: candidates %d%s recall@%d %.4f (%d of %d queries found at most half) p50 %.2f ms (CPU %.2f ms)"
                    + " p99 %.2f ms", sweep[s], sharedBy[s] ? " (shared bound)" : "", k, (double) foundBy[s] / ((long) queries * k), lostBy[s], queries,
                    percentile(annNanosBy[s], 0.5),
                    percentile(annCpuBy[s], 0.5), percentile(annNanosBy[s], 0.99));
        }
        double[] sortedGaps = gaps.clone();
        Arrays.sort(sortedGaps);
        log("gap between exact score %d and %d: min %.5f, p10 %.5f, median %.5f", k, k + 1, sortedGaps[0],
                sortedGaps[queries / 10], sortedGaps[queries / 2]);
        if (probe > 0) {
            // Reachability: the last pass's queries that missed a true neighbour, again with many more candidates
            // (more than a cluster's members). Found then, the neighbour was reachable in the graph and the search
            // stopped too early; still missed, the graph does not lead to it from where the search enters.
            int foundDeep = 0;
            int totalDeep = 0;
            for (int q : missedLast) {
                Set<String> ids = new HashSet<>();
                reopened.nearest(query[q], k, EntryFilter.ALL, List.of(""), probe, false)
                        .forEach(h -> ids.add(h.entry().path()));
                int here = 0;
                for (EmbeddingMatrix.Match m : truths.get(q)) {
                    if (ids.contains(m.row() + ".jpg")) {
                        here++;
                    }
                }
                foundDeep += here;
                totalDeep += truths.get(q).size();
                log("  query %d: %d of %d found with %d candidates (%d in the pass); gap %.5f", q, here,
                        truths.get(q).size(), probe, countFound(annResultsBy.get(sweep.length - 1).get(q),
                                truths.get(q)), gaps[q]);
            }
            log("probe: the %d queries that missed a neighbour find %d of %d true neighbours with %d candidates",
                    missedLast.size(),
                    foundDeep, totalDeep, probe);
            reopened.close();
        }
        double recall = (double) foundBy[sweep.length - 1] / ((long) queries * k);
        long exactPeakKb = ProcessMemory.peakResidentKb();
        if (!keep && folder == null) {
            deleteTree(dir);
        }
        log("exact: p50 %.2f ms; recall@%d %.4f; load average %s", percentile(exactNanos, 0.5), k, recall,
                ProcessMemory.loadAverage());
        System.out.printf(Locale.ROOT, "{\"vectors\": %d, \"dim\": %d, \"build_s\": %.1f, \"recall_at_%d\": %.4f,"
                        + " \"p50_ms\": %.3f, \"p99_ms\": %.3f, \"exact_p50_ms\": %.3f, \"disk_bytes\": %d,"
                        + " \"peak_rss_mb\": %d, \"exact_peak_rss_mb\": %d, \"queries\": %d, \"candidates\": %s,"
                        + " \"quantized\": %s, \"build_cpu_s\": %.1f, \"p50_cpu_ms\": %.3f, \"p99_cpu_ms\": %.3f, \"segments\": %d, \"threads\": %d,"
                        + " \"java\": \"%s\", \"peak_anon_mb\": %d, \"peak_file_mb\": %d, \"reused\": %s,"
                        + " \"load_average\": %s, \"noise_rank\": %d, \"shared_bound\": %s,"
                        + " \"build_peak_rss_mb\": %d}%n",
                n, dim, buildSeconds, k, recall, percentile(annNanos, 0.5), percentile(annNanos, 0.99),
                percentile(exactNanos, 0.5), disk, peakRssKb / 1024, exactPeakKb / 1024, queries,
                sweep[sweep.length - 1],
                !"false".equals(System.getProperty("clip4j.hnsw.quantized")), buildCpuSeconds,
                percentile(annCpu, 0.5), percentile(annCpu, 0.99), segmentCount, threads,
                Runtime.version().feature(), peakAnonKb / 1024, peakFileKb / 1024, reuse,
                ProcessMemory.loadAverage(), rank, sharedBy[sweep.length - 1], buildPeakKb / 1024);
    }

    /**
     * The clustered vectors. Default ({@code rank} 0): vector {@code i} is {@code normalize(centre + noise * g /
     * sqrt(dim))} with {@code g} standard Gaussian in all {@code dim} directions, so a cluster's members are almost
     * equidistant from a query (the hard case for a graph). With {@code rank} R > 0 the noise of each cluster lives
     * mostly in its own random R-dimensional subspace (99% of its energy; the other 1% isotropic, a floor),
     * with the same total noise energy, so the cosine to the own centre stays ~0.75: a model of embeddings whose
     * variation within a concept has a few dozen degrees of freedom (see the README's "Retrieval at scale").
     */
    private static final class Vectors {
        private final int dim;
        private final float[][] centres;
        private final double noise;
        private final long seed;
        private final int rank;
        private final float[][][] bases;

        Vectors(int dim, int count, double noise, long seed, int rank) {
            this.dim = dim;
            this.noise = noise;
            this.seed = seed;
            this.rank = rank;
            this.centres = new float[count][];
            SplittableRandom random = new SplittableRandom(seed);
            for (int c = 0; c < count; c++) {
                float[] v = new float[dim];
                for (int j = 0; j < dim; j++) {
                    v[j] = (float) random.nextGaussian();
                }
                centres[c] = normalize(v);
            }
            this.bases = new float[rank > 0 ? count : 0][][];
            for (int c = 0; c < bases.length; c++) {
                // R random unit directions: in 512 dimensions nearly orthogonal, which is all the model needs.
                bases[c] = new float[rank][];
                for (int r = 0; r < rank; r++) {
                    float[] b = new float[dim];
                    for (int j = 0; j < dim; j++) {
                        b[j] = (float) random.nextGaussian();
                    }
                    bases[c][r] = normalize(b);
                }
            }
        }

        float[] get(int i) {
            SplittableRandom random = new SplittableRandom(seed * 1_000_003L + i);
            int c = random.nextInt(centres.length);
            float[] centre = centres[c];
            float[] v = new float[dim];
            if (rank == 0) {
                double scale = noise / Math.sqrt(dim);
                for (int j = 0; j < dim; j++) {
                    v[j] = (float) (centre[j] + scale * random.nextGaussian());
                }
                return normalize(v);
            }
            double floor = noise * Math.sqrt(0.01 / dim);
            for (int j = 0; j < dim; j++) {
                v[j] = (float) (centre[j] + floor * random.nextGaussian());
            }
            double scale = noise * Math.sqrt(0.99 / rank);
            for (int r = 0; r < rank; r++) {
                float g = (float) (scale * random.nextGaussian());
                float[] b = bases[c][r];
                for (int j = 0; j < dim; j++) {
                    v[j] += g * b[j];
                }
            }
            return normalize(v);
        }

        private static float[] normalize(float[] v) {
            double sum = 0;
            for (float x : v) {
                sum += x * x;
            }
            float inv = (float) (1 / Math.sqrt(sum));
            for (int j = 0; j < v.length; j++) {
                v[j] *= inv;
            }
            return v;
        }
    }

    private static int countFound(Set<String> found, List<EmbeddingMatrix.Match> truth) {
        int n = 0;
        for (EmbeddingMatrix.Match m : truth) {
            if (found.contains(m.row() + ".jpg")) {
                n++;
            }
        }
        return n;
    }

    private static double percentile(long[] nanos, double p) {
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        return sorted[Math.min(sorted.length - 1, (int) Math.floor(p * sorted.length))] / 1e6;
    }

    private static int segmentCount(Path dir) throws IOException {
        try (org.apache.lucene.store.Directory d = org.apache.lucene.store.FSDirectory.open(dir)) {
            return org.apache.lucene.index.SegmentInfos.readLatestCommit(d).size();
        }
    }

    private static long sizeOf(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).mapToLong(f -> f.toFile().length()).sum();
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    private static void log(String format, Object... args) {
        System.err.printf(Locale.ROOT, format + "%n", args);
    }
}
