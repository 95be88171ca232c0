package io.github.clip4j.benchmarks;

import io.github.clip4j.Embedding;
import io.github.clip4j.EmbeddingModel;
import io.github.clip4j.internal.retrieval.IndexEntry;
import io.github.clip4j.internal.retrieval.IndexFile;
import io.github.clip4j.retrieval.ImageIndex;
import io.github.clip4j.serve.SearchServer;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The load figure of {@code clip serve}: queries per second and p50/p99 latency of {@code GET /api/search} at 1, 8
 * and 64 concurrent clients, on an index of 100,000 random normalized 512-dimensional embeddings (a large photo
 * collection indexed with ViT-B/32), served in-process on 127.0.0.1 with the default limits. The text "model" is a
 * fake that hashes the query to a random unit vector: the figure is the service (HTTP, JSON, queueing, the exact
 * scan), not the text encoder, whose cost per query is in the Performance section. A program, not a test:
 *
 * <pre>
 * mvn -B -DskipTests package -pl clip-benchmarks -am
 * java -cp clip-benchmarks/target/benchmarks.jar io.github.clip4j.benchmarks.ServeBenchmark \
 *     [rows=100000] [dimension=512] [seconds per level=10] [max requests per level=5000] [clients=1,8,64]
 * </pre>
 *
 * <p>Each level runs a short warm-up, then {@code clients} threads send queries back to back (each waits for its
 * answer) until the time or the request budget is spent. Every row carries the load average when it ended.
 */
public final class ServeBenchmark {
    private ServeBenchmark() {}

    public static void main(String[] args) throws Exception {
        int rows = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        int dim = args.length > 1 ? Integer.parseInt(args[1]) : 512;
        int seconds = args.length > 2 ? Integer.parseInt(args[2]) : 10;
        int maxRequests = args.length > 3 ? Integer.parseInt(args[3]) : 5_000;
        int[] levels = args.length > 4 ? Arrays.stream(args[4].split(",")).mapToInt(Integer::parseInt).toArray()
                : new int[] {1, 8, 64};

        Path folder = Files.createTempDirectory("serve-benchmark-");
        Path file = folder.resolve("random.clipindex");
        FakeTextModel model = new FakeTextModel(dim);
        writeRandomIndex(file, model.modelId(), rows, dim);
        try (ImageIndex index = ImageIndex.open(file, model);
             SearchServer server = SearchServer.start(new InetSocketAddress("127.0.0.1", 0), index, model)) {
            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(Duration.ofSeconds(10)).build();
            System.out.printf(Locale.ROOT, "%,d x %d random embeddings, top-10, %s, %d cores, Java %s%n", rows, dim,
                    server.url(), Runtime.getRuntime().availableProcessors(), Runtime.version());
            run(http, server.url(), 8, 2, 400, "warm-up"); // JIT, connections
            System.out.println("| clients | queries | queries/s | p50 ms | p99 ms | errors | load average |");
            System.out.println("| ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
            for (int clients : levels) {
                run(http, server.url(), clients, seconds, maxRequests, null);
            }
        } finally {
            Files.deleteIfExists(file);
            Files.deleteIfExists(folder);
        }
    }

    private static void run(HttpClient http, URI url, int clients, int seconds, int maxRequests, String label)
            throws InterruptedException {
        ConcurrentLinkedQueue<Long> latencies = new ConcurrentLinkedQueue<>();
        AtomicInteger issued = new AtomicInteger();
        AtomicInteger errors = new AtomicInteger();
        AtomicLong sink = new AtomicLong();
        long deadline = System.nanoTime() + seconds * 1_000_000_000L;
        CountDownLatch done = new CountDownLatch(clients);
        long start = System.nanoTime();
        for (int c = 0; c < clients; c++) {
            Thread t = new Thread(() -> {
                try {
                    int n;
                    while (System.nanoTime() < deadline && (n = issued.getAndIncrement()) < maxRequests) {
                        HttpRequest request = HttpRequest.newBuilder(url.resolve("/api/search?q=query%20" + n
                                + "&k=10")).timeout(Duration.ofSeconds(60)).build();
                        long t0 = System.nanoTime();
                        try {
                            HttpResponse<byte[]> response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
                            if (response.statusCode() != 200) {
                                errors.incrementAndGet();
                            }
                            sink.addAndGet(response.body().length);
                        } catch (Exception e) {
                            errors.incrementAndGet();
                        }
                        latencies.add(System.nanoTime() - t0);
                    }
                } finally {
                    done.countDown();
                }
            }, "client-" + c);
            t.start();
        }
        done.await();
        double elapsed = (System.nanoTime() - start) / 1e9;
        if (label != null) {
            return;
        }
        long[] sorted = latencies.stream().mapToLong(Long::longValue).sorted().toArray();
        System.out.printf(Locale.ROOT, "| %d | %,d | %,.0f | %.1f | %.1f | %d | %.1f |%n", clients, sorted.length,
                sorted.length / elapsed, percentile(sorted, 0.50) / 1e6, percentile(sorted, 0.99) / 1e6,
                errors.get(), ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    }

    private static long percentile(long[] sorted, double p) {
        if (sorted.length == 0) {
            return 0;
        }
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p * sorted.length) - 1)];
    }

    /** An index file of {@code rows} random unit vectors, as {@code clip index} would write for a photo folder. */
    private static void writeRandomIndex(Path file, String modelId, int rows, int dim) throws Exception {
        Random random = new Random(42);
        float[] embeddings = new float[rows * dim];
        List<IndexEntry> entries = new ArrayList<>(rows);
        for (int i = 0; i < rows; i++) {
            float[] v = randomUnit(random, dim);
            System.arraycopy(v, 0, embeddings, i * dim, dim);
            entries.add(new IndexEntry(0, String.format(Locale.ROOT, "%03d/img-%06d.jpg", i / 1000, i), 100_000 + i,
                    1_700_000_000_000_000_000L + i));
        }
        IndexFile.write(file, new IndexFile.Content(modelId, dim, List.of("photos"), entries, embeddings));
    }

    private static float[] randomUnit(Random random, int dim) {
        float[] v = new float[dim];
        double norm = 0;
        for (int i = 0; i < dim; i++) {
            v[i] = (float) random.nextGaussian();
            norm += (double) v[i] * v[i];
        }
        float inverse = (float) (1 / Math.sqrt(norm));
        for (int i = 0; i < dim; i++) {
            v[i] *= inverse;
        }
        return v;
    }

    /** Texts become seeded random unit vectors: no encoder cost. Images are not supported. */
    private static final class FakeTextModel implements EmbeddingModel {
        private final int dim;

        FakeTextModel(int dim) {
            this.dim = dim;
        }

        @Override
        public String modelId() {
            return "fake-text#0";
        }

        @Override
        public int dimension() {
            return dim;
        }

        @Override
        public float logitScale() {
            return 100;
        }

        @Override
        public List<Embedding> embedTexts(List<String> texts) {
            List<Embedding> out = new ArrayList<>(texts.size());
            for (String text : texts) {
                out.add(Embedding.normalize(randomUnit(new Random(text.hashCode()), dim)));
            }
            return out;
        }

        @Override
        public List<Embedding> embedImages(List<Path> images) {
            throw new UnsupportedOperationException("the benchmark's fake model embeds texts only");
        }
    }
}
