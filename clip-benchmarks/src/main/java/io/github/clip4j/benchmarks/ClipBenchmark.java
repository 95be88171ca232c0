package io.github.clip4j.benchmarks;

import io.github.clip4j.internal.ClipAccess;

import io.github.clip4j.Clip;
import io.github.clip4j.internal.image.ImageDecoder;
import io.github.clip4j.internal.model.ClipModel;
import io.github.clip4j.internal.runtime.NativeRuntime;
import io.github.clip4j.Precision;
import io.github.clip4j.tokenizer.ClipTokenizer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.IntSupplier;

/**
 * The benchmark program: for each model shape (random fp16 weights in the released archive layout) and precision,
 * load time and peak resident memory (in a fresh JVM), then images/s and texts/s per thread count and batch size,
 * and the accuracy the fast paths keep (bf16 against fp32 features of the fixture images, trimmed against
 * 77-position text features). Prints Markdown tables; every row carries the 1-minute load average at its
 * measurement, because the numbers mean little on a busy machine without it.
 *
 * <pre>
 * mvn -B -DskipTests package -pl clip-benchmarks -am
 * java -cp clip-benchmarks/target/benchmarks.jar io.github.clip4j.benchmarks.ClipBenchmark \
 *     [--models ViT-B/32,ViT-B/16,RN50] [--precisions fp32,bf16] [--threads 1,2,1/2] [--batches 1,16] [--rounds 3]
 * </pre>
 *
 * <p>With {@code --pixels FILE.npy --model CKPT --precision P --threads T --warmup W --iters N --json} it times
 * only the image encoder on a preprocessed batch and prints one JSON line (the ONNX Runtime comparison).
 *
 * <p>{@code --threads}: {@code T} runs libtorch and OpenBLAS on {@code T} threads each, {@code T/B} libtorch on
 * {@code T} and OpenBLAS (fp32 matrix products) on {@code B}.
 *
 * <pre>
 * </pre>
 *
 * <p>Columns: {@code images/s (tensor)} encodes random preprocessed pixels; {@code images/s (files)} decodes,
 * preprocesses and encodes the fixture images through {@link Clip#imageFeatures} (batch 16, whatever
 * {@code --batches} says), the next column only decodes and preprocesses them on one thread (the facade spreads
 * that over up to four); {@code texts/s} encodes 64 zero-shot prompts in one call, trimmed to their length;
 * {@code texts/s @77} the same prompts run over all 77 positions (one extra full-length row forces it).
 */
public final class ClipBenchmark {
    private static final int FILE_BATCH = 16;
    private static final int PROMPTS = 64;

    private ClipBenchmark() {}

    public static void main(String[] args) throws Exception {
        if (Arrays.asList(args).contains("--pixels")) {
            timePixels(args);
            return;
        }
        Map<String, String> options = options(args);
        List<String> models = list(options.getOrDefault("models", "ViT-B/32,ViT-B/16,RN50"));
        List<Precision> precisions = list(options.getOrDefault("precisions", "fp32,bf16")).stream()
                .map(p -> Precision.valueOf(p.toUpperCase(Locale.ROOT))).toList();
        // "T" = T threads for libtorch and OpenBLAS alike, "T/B" = T for libtorch and B for OpenBLAS
        List<String> threads = list(options.getOrDefault("threads", "1,2"));
        List<Integer> batches = list(options.getOrDefault("batches", "1,16")).stream().map(Integer::parseInt).toList();
        int rounds = Integer.parseInt(options.getOrDefault("rounds", "3"));

        ClipTokenizer tokenizer = ClipTokenizer.load(BenchmarkData.vocabulary());
        List<Path> images = new ArrayList<>();
        List<Path> fixtures = BenchmarkData.images();
        for (int i = 0; i < FILE_BATCH; i++) {
            images.add(fixtures.get(i % fixtures.size()));
        }
        int[][] prompts = tokenizer.tokenize(BenchmarkData.prompts(PROMPTS), 77, true);
        int[][] promptsAt77 = Arrays.copyOf(prompts, PROMPTS + 1);
        promptsAt77[PROMPTS] = fullLengthRow();

        List<String> loadRows = new ArrayList<>();
        List<String> speedRows = new ArrayList<>();
        List<String> accuracyRows = new ArrayList<>();
        Path dir = Files.createTempDirectory("clip4j-bench");
        try {
            for (String name : models) {
                ModelShape shape = ModelShape.named(name);
                Path checkpoint = dir.resolve(name.replace('/', '-') + ".pt");
                RandomCheckpoints.writeTorchArchive(shape, checkpoint);
                long fileMb = Files.size(checkpoint) >> 20;
                long fp32Mb = shape.fp32Bytes() >> 20;
                Map<Precision, float[][]> features = new HashMap<>();
                for (Precision precision : precisions) {
                    loadRows.add(loadRow(shape, checkpoint, precision, fileMb, fp32Mb));
                    System.err.println(loadRows.get(loadRows.size() - 1));
                    try (Clip clip = Clip.builder().model(checkpoint).precision(precision).batchSize(FILE_BATCH)
                            .tokenizer(tokenizer).build()) {
                        ClipModel model = ClipAccess.model(clip);
                        features.put(precision, clip.imageFeatures(fixtures));
                        accuracyRows.add(row(name, precision, "trimmed vs 77-position text features, min cosine",
                                String.format(Locale.ROOT, "%.7f", minCosine(model.encodeTexts(prompts),
                                        Arrays.copyOf(model.encodeTexts(promptsAt77), PROMPTS)))));
                        if (precision != Precision.FP32 && features.containsKey(Precision.FP32)) {
                            accuracyRows.add(row(name, precision, "fixture image features vs fp32, min cosine",
                                    String.format(Locale.ROOT, "%.5f",
                                            minCosine(features.get(precision), features.get(Precision.FP32)))));
                        }
                        for (String t : threads) {
                            String[] counts = t.split("/");
                            NativeRuntime.setThreads(Integer.parseInt(counts[0]),
                                    Integer.parseInt(counts[counts.length - 1]));
                            double files = rate(rounds, () -> {
                                clip.imageFeatures(images);
                                return FILE_BATCH;
                            });
                            double decode = rate(rounds, () -> {
                                for (Path image : images) {
                                    ClipAccess.preprocessor(clip).pixels(ImageDecoder.decode(image));
                                }
                                return images.size();
                            });
                            double texts = rate(rounds, () -> model.encodeTexts(prompts).length);
                            double texts77 = rate(rounds, () -> model.encodeTexts(promptsAt77).length - 1);
                            for (int b : batches) {
                                float[] pixels = randomPixels(b, model.imageResolution());
                                double tensors = rate(rounds, () -> model.encodeImages(pixels, b).length);
                                speedRows.add(row(name, precision, t, b, fmt(tensors),
                                        b == batches.get(0) ? fmt(files) : "", b == batches.get(0) ? fmt(decode) : "",
                                        b == batches.get(0) ? fmt(texts) : "",
                                        b == batches.get(0) ? fmt(texts77) : "", ProcessMemory.loadAverage()));
                                System.err.println(speedRows.get(speedRows.size() - 1));
                            }
                        }
                    }
                }
                Files.deleteIfExists(checkpoint);
            }
        } finally {
            try (var files = Files.list(dir)) {
                for (Path f : files.toList()) {
                    Files.deleteIfExists(f);
                }
            }
            Files.deleteIfExists(dir);
        }
        System.out.println("## Load (fresh JVM, released archive layout, fp16 weights)\n");
        System.out.println("| model | precision | file MB | fp32 weights MB | load s | peak RSS MB | peak / fp32 weights |"
                + " JVM+libtorch before MB | load avg |");
        System.out.println("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        loadRows.forEach(System.out::println);
        System.out.println("\n## Throughput\n");
        System.out.println("| model | precision | threads | batch | images/s (tensor) | images/s (files, batch "
                + FILE_BATCH + ") | decode+preprocess images/s (1 thread) | texts/s (" + PROMPTS
                + " prompts) | texts/s @77 | load avg |");
        System.out.println("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        speedRows.forEach(System.out::println);
        System.out.println("\n## Accuracy of the fast paths\n");
        System.out.println("| model | precision | check | value |");
        System.out.println("| --- | --- | --- | ---: |");
        accuracyRows.forEach(System.out::println);
    }

    /**
     * {@code --pixels FILE.npy --model CKPT --precision P --threads T --warmup W --iters N [--json]
     * [--features OUT.npy]}: times the image encoder alone on a preprocessed batch (the comparison with ONNX
     * Runtime, {@link OrtBenchmark}, is measured this way; see {@link PixelsRun} for the JSON line).
     */
    private static void timePixels(String[] args) throws Exception {
        PixelsRun.Options options = PixelsRun.parse(args, "ClipBenchmark", java.util.Set.of("fp32", "bf16", "fp16", "int8"));
        NpyPixels input = NpyPixels.read(options.pixels());
        Precision precision = Precision.valueOf(options.precision().toUpperCase(Locale.ROOT));
        try (Clip clip = Clip.builder().model(options.model()).precision(precision).threads(options.threads())
                .build()) {
            ClipModel model = ClipAccess.model(clip);
            if (model.imageResolution() != input.resolution()) {
                throw new IllegalArgumentException(options.pixels() + " holds " + input.resolution() + " px images, "
                        + options.model() + " takes " + model.imageResolution());
            }
            PixelsRun.time(options, input.n(), () -> model.encodeImages(input.pixels(), input.n()));
        }
    }

    /** Runs {@link LoadProbe} in a fresh JVM so the peak is this load's alone. */
    private static String loadRow(ModelShape shape, Path checkpoint, Precision precision, long fileMb, long fp32Mb)
            throws IOException, InterruptedException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process process = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                LoadProbe.class.getName(), checkpoint.toString(), precision.name())
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String line;
        try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8))) {
            line = out.readLine();
        }
        if (process.waitFor() != 0 || line == null) {
            throw new IllegalStateException("load probe failed for " + checkpoint + " (exit " + process.exitValue() + ")");
        }
        String[] parts = line.trim().split(" ");
        double seconds = Double.parseDouble(parts[0]);
        long beforeMb = Long.parseLong(parts[1]) >> 10;
        long peakMb = Long.parseLong(parts[2]) >> 10;
        return row(shape.name(), precision, fileMb, fp32Mb, String.format(Locale.ROOT, "%.2f", seconds), peakMb,
                String.format(Locale.ROOT, "%.2f", (double) peakMb / fp32Mb), beforeMb, ProcessMemory.loadAverage());
    }

    /** Items per second: one warm-up call, then the median over {@code rounds} timed calls. */
    private static double rate(int rounds, IntSupplier call) {
        call.getAsInt();
        double[] rates = new double[rounds];
        for (int i = 0; i < rounds; i++) {
            long start = System.nanoTime();
            int items = call.getAsInt();
            rates[i] = items / ((System.nanoTime() - start) / 1e9);
        }
        Arrays.sort(rates);
        return rates[rounds / 2];
    }

    private static float[] randomPixels(int n, int resolution) {
        float[] pixels = new float[n * 3 * resolution * resolution];
        SplittableRandom random = new SplittableRandom(1);
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = (float) (random.nextDouble() * 4 - 2);
        }
        return pixels;
    }

    /** A row whose end token sits at the last position, so a batch holding it runs over all 77 positions. */
    private static int[] fullLengthRow() {
        int[] row = new int[77];
        Arrays.fill(row, 320);
        row[0] = ClipTokenizer.START_OF_TEXT;
        row[76] = ClipTokenizer.END_OF_TEXT;
        return row;
    }

    private static double minCosine(float[][] a, float[][] b) {
        double min = 1;
        for (int i = 0; i < a.length; i++) {
            double dot = 0;
            double na = 0;
            double nb = 0;
            for (int j = 0; j < a[i].length; j++) {
                dot += (double) a[i][j] * b[i][j];
                na += (double) a[i][j] * a[i][j];
                nb += (double) b[i][j] * b[i][j];
            }
            min = Math.min(min, dot / Math.sqrt(na * nb));
        }
        return min;
    }

    private static String fmt(double rate) {
        return String.format(Locale.ROOT, rate >= 100 ? "%.0f" : "%.1f", rate);
    }

    private static String row(Object... cells) {
        StringBuilder out = new StringBuilder("|");
        for (Object cell : cells) {
            out.append(' ').append(cell instanceof Precision p ? p.name().toLowerCase(Locale.ROOT) : cell).append(" |");
        }
        return out.toString();
    }

    private static List<String> list(String csv) {
        return Arrays.stream(csv.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    }

    private static Map<String, String> options(String[] args) {
        Map<String, String> out = new HashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (!args[i].startsWith("--") || i + 1 >= args.length) {
                throw new IllegalArgumentException("usage: ClipBenchmark [--models M,..] [--precisions fp32,bf16]"
                        + " [--threads 1,2] [--batches 1,16] [--rounds N]; got " + args[i]);
            }
            out.put(args[i].substring(2), args[++i]);
        }
        return out;
    }
}
