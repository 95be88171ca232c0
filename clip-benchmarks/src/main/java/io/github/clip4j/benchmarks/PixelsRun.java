package io.github.clip4j.benchmarks;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The one timing loop and JSON line shared by {@code ClipBenchmark --pixels} and {@link OrtBenchmark}, so the two
 * engines are measured the same way: {@code warmup} untimed batches, then {@code iters} timed ones; wall time per
 * batch (best and median) and the process's CPU time and minor page faults over the timed batches. The last line
 * printed is
 * {@code {"batch": N, "images_per_s": x, "best_batch_ms": y, "median_batch_ms": z, "cpu_ms_per_batch": c,
 * "minor_faults_per_batch": f, "rss_mb": r, "peak_rss_mb": p}} ({@code images_per_s} from the median batch;
 * {@code rss_mb} the resident set after the timed batches, {@code peak_rss_mb} its peak over the process).
 */
final class PixelsRun {
    /** The options both programs take. */
    record Options(Path pixels, Path model, String precision, int threads, int warmup, int iters, boolean json,
                   Path features) {}

    /** One batch of the engine under test; returns its features. */
    interface Batch {
        float[][] run() throws Exception;
    }

    private PixelsRun() {}

    static Options parse(String[] args, String program, Set<String> precisions) {
        Map<String, String> values = new HashMap<>();
        boolean json = false;
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--json")) {
                json = true;
            } else if (args[i].startsWith("--") && i + 1 < args.length) {
                values.put(args[i].substring(2), args[++i]);
            } else {
                throw usage(program, "unexpected argument " + args[i]);
            }
        }
        for (String key : values.keySet()) {
            if (!Set.of("pixels", "model", "precision", "threads", "warmup", "iters", "features").contains(key)) {
                throw usage(program, "unknown option --" + key);
            }
        }
        if (!values.containsKey("pixels") || !values.containsKey("model")) {
            throw usage(program, "--pixels and --model are required");
        }
        String precision = values.getOrDefault("precision", "fp32").toLowerCase(Locale.ROOT);
        if (!precisions.contains(precision)) {
            throw usage(program, "--precision " + precision + " is not one of " + precisions);
        }
        int threads = positive(values.getOrDefault("threads", "1"), "threads", program);
        int warmup = Integer.parseInt(values.getOrDefault("warmup", "2"));
        int iters = positive(values.getOrDefault("iters", "10"), "iters", program);
        if (warmup < 0) {
            throw usage(program, "--warmup must be >= 0");
        }
        return new Options(Path.of(values.get("pixels")), Path.of(values.get("model")), precision, threads, warmup,
                iters, json, values.containsKey("features") ? Path.of(values.get("features")) : null);
    }

    /** Runs the loop and prints the summary (a JSON line last with {@code --json}). */
    static void time(Options options, int n, Batch batch) throws Exception {
        float[][] features = null;
        for (int i = 0; i < options.warmup(); i++) {
            features = batch.run();
        }
        double[] ms = new double[options.iters()];
        long cpuStart = processCpuNanos();
        long faultsStart = minorFaults();
        for (int i = 0; i < options.iters(); i++) {
            long start = System.nanoTime();
            features = batch.run();
            ms[i] = (System.nanoTime() - start) / 1e6;
        }
        double cpuMs = (processCpuNanos() - cpuStart) / 1e6 / options.iters();
        double faults = (double) (minorFaults() - faultsStart) / options.iters();
        if (options.features() != null) {
            NpyPixels.writeMatrix(features, options.features());
        }
        double[] sorted = ms.clone();
        Arrays.sort(sorted);
        double median = sorted.length % 2 == 1 ? sorted[sorted.length / 2]
                : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
        System.err.println("batch ms: " + Arrays.toString(Arrays.stream(ms).map(v -> Math.round(v * 10) / 10.0)
                .toArray()));
        String line = String.format(Locale.ROOT, "{\"batch\": %d, \"images_per_s\": %.2f, \"best_batch_ms\": %.2f,"
                        + " \"median_batch_ms\": %.2f, \"cpu_ms_per_batch\": %.1f, \"minor_faults_per_batch\": %.0f,"
                        + " \"rss_mb\": %d, \"peak_rss_mb\": %d}",
                n, n / (median / 1000), sorted[0], median, cpuMs, faults, ProcessMemory.residentKb() / 1024,
                ProcessMemory.peakResidentKb() / 1024);
        if (!options.json()) {
            System.out.println(options.precision() + ", " + options.threads() + " threads, load "
                    + ProcessMemory.loadAverage());
        }
        System.out.println(line);
    }

    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    /** Minor page faults of this process so far (field 10 of /proc/self/stat), or -1 off Linux. */
    static long minorFaults() {
        try {
            String stat = Files.readString(Path.of("/proc/self/stat"));
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(fields[7]); // fields after "pid (comm) ": state=0 ... minflt=7
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    private static int positive(String value, String name, String program) {
        int v;
        try {
            v = Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw usage(program, "--" + name + " must be an integer, got " + value);
        }
        if (v < 1) {
            throw usage(program, "--" + name + " must be >= 1, got " + v);
        }
        return v;
    }

    private static IllegalArgumentException usage(String program, String problem) {
        return new IllegalArgumentException(problem + "; usage: " + program
                + " --pixels FILE.npy --model MODEL --precision P --threads T --warmup W --iters N [--json]"
                + " [--features OUT.npy]");
    }
}
