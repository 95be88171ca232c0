package io.github.clip4j.spark;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * Spark's overhead on one machine: the embed job in {@code local[N]} against {@code clip index} on the same folder,
 * each a fresh {@code java -jar} process (start-up, model load, listing, decoding, encoding and writing included),
 * run alternately so that both see the same machine load. Not a test: run it by hand after {@code mvn package}.
 *
 * <pre>
 * java -cp clip-spark/target/test-classes io.github.clip4j.spark.EmbedBenchmark \
 *     --model ../shared/fixtures/models/vit-tiny.jit.pt --images 400 --runs 2 --master 'local[2]' [--spark-threads 1]
 * </pre>
 *
 * The folder is made of the fixture images ({@code --source}, default {@code ../shared/fixtures/images}) copied
 * under new names into subfolders. Prints one line per run and a last JSON line with the medians.
 */
public final class EmbedBenchmark {
    private EmbedBenchmark() {}

    /**
     * @param args {@code --model M --images N --runs R --master URL --batch-size B --source DIR --spark-threads T}
     *     ({@code --spark-threads}: the job's {@code --threads}, per task; default libtorch's choice)
     * @throws Exception if a run fails
     */
    public static void main(String[] args) throws Exception {
        String model = null;
        int images = 400;
        int runs = 2;
        String master = "local[2]";
        int batch = 16;
        String sparkThreads = null;
        Path source = Path.of("../shared/fixtures/images");
        for (int i = 0; i < args.length; i += 2) {
            switch (args[i]) {
                case "--model" -> model = args[i + 1];
                case "--images" -> images = Integer.parseInt(args[i + 1]);
                case "--runs" -> runs = Integer.parseInt(args[i + 1]);
                case "--master" -> master = args[i + 1];
                case "--batch-size" -> batch = Integer.parseInt(args[i + 1]);
                case "--source" -> source = Path.of(args[i + 1]);
                case "--spark-threads" -> sparkThreads = args[i + 1];
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        if (model == null) {
            throw new IllegalArgumentException("--model is required");
        }
        Path work = Files.createTempDirectory("clip-spark-bench");
        Path folder = work.resolve("images");
        List<Path> originals;
        try (Stream<Path> files = Files.list(source)) {
            originals = files.filter(f -> f.toString().matches(".*\\.(png|jpg)$")).sorted().toList();
        }
        for (int i = 0; i < images; i++) {
            Path original = originals.get(i % originals.size());
            String name = original.getFileName().toString();
            Path to = folder.resolve("d" + (i % 10)).resolve(i + "_" + name);
            Files.createDirectories(to.getParent());
            Files.copy(original, to);
        }
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String sparkJar = Path.of("clip-spark/target/clip-spark.jar").toAbsolutePath().toString();
        String clipJar = Path.of("clip-examples/target/clip.jar").toAbsolutePath().toString();
        List<Double> spark = new ArrayList<>();
        List<Double> index = new ArrayList<>();
        for (int r = 0; r < runs; r++) {
            Path out = work.resolve("out" + r + ".parquet");
            List<String> job = new ArrayList<>(List.of(java, "-jar", sparkJar, "embed", "--master", master,
                    "--model", model, "--input", folder.toString(), "--output", out.toString(), "--batch-size",
                    String.valueOf(batch)));
            if (sparkThreads != null) {
                job.addAll(List.of("--threads", sparkThreads));
            }
            double s = time(job);
            double sInside = inside;
            spark.add(images / s);
            Path idx = work.resolve("index" + r + ".clip");
            double c = time(List.of(java, "-Dclip4j.bpe=" + System.getProperty("clip4j.bpe", ""), "-jar", clipJar,
                    "index", "--model", model, "--dir", folder.toString(), "--index", idx.toString(), "--batch-size",
                    String.valueOf(batch)));
            index.add(images / c);
            System.out.printf(Locale.ROOT, "run %d: spark %s %.1f s (%.2f images/s; %.1f s inside the job), clip"
                    + " index %.1f s (%.2f images/s), load %s%n", r + 1, master, s, images / s, sInside, c, images / c,
                    load());
        }
        System.out.printf(Locale.ROOT, "{\"images\": %d, \"master\": \"%s\", \"batch_size\": %d,"
                + " \"spark_threads\": \"%s\", \"spark_images_per_s\": %.2f,"
                + " \"clip_index_images_per_s\": %.2f, \"ratio\": %.2f, \"load\": \"%s\"}%n", images, master, batch,
                sparkThreads == null ? "default" : sparkThreads, median(spark), median(index),
                median(spark) / median(index), load());
        try (Stream<Path> all = Files.walk(work)) {
            all.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    /** The job's own "seconds" (listing to written output, JVM start excluded) of the last run. */
    private static double inside = Double.NaN;

    private static double time(List<String> command) throws IOException, InterruptedException {
        long start = System.nanoTime();
        Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"seconds\":([0-9.]+)").matcher(out);
        inside = m.find() ? Double.parseDouble(m.group(1)) : Double.NaN;
        int status = p.waitFor();
        if (status != 0) {
            throw new IllegalStateException(String.join(" ", command) + " exited " + status);
        }
        return (System.nanoTime() - start) / 1e9;
    }

    private static double median(List<Double> values) {
        List<Double> sorted = values.stream().sorted().toList();
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    private static String load() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).trim();
        } catch (IOException e) {
            return "unknown";
        }
    }
}
