package io.github.clip4j.benchmarks;

import io.github.clip4j.Clip;
import io.github.clip4j.ImageDecoding;
import io.github.clip4j.Precision;
import io.github.clip4j.internal.image.ClipPreprocessor;
import io.github.clip4j.internal.image.DecodedImage;
import io.github.clip4j.internal.image.ImageDecoder;
import io.github.clip4j.internal.image.InMemoryImages;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferInt;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageReadParam;
import javax.imageio.ImageReader;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.ImageOutputStream;

/**
 * A folder of camera photos, indexed: N generated 4032x3024 JPEGs (quality 90, smooth shapes, texture and noise,
 * so they compress like photos: 3-5 MB each), a random-weight ViT-B/32, and
 *
 * <ol>
 *   <li>decoders compared on the same photos: exact (ImageDecoder), fast (libjpeg-turbo DCT scaling through
 *       OpenCV) and ImageIO's {@code setSourceSubsampling} (TwelveMonkeys), ms per photo and crop PSNR vs exact;
 *   <li>the whole {@code clip index} process (the CLI's main class in a fresh JVM under {@code /usr/bin/time}: load
 *       the model, walk the folder, decode on the decode pool while the encoder runs, write the index) for
 *       exact/fast x fp32/bf16: wall seconds, photos/s, peak RSS;
 *   <li>the reference's seed loop in Python ({@code src/build/seed_loop.py}: open, preprocess, encode one photo at
 *       a time, torch with 2 threads) on the same photos and weights, the whole process, if {@code --clip-src}
 *       (the folder holding OpenAI's {@code model.py}) is given;
 *   <li>accuracy of fast vs exact: crop PSNR and cosine of ViT-B/32 (fp32) features, per photo;
 *   <li>peak RSS of {@code clip index} (fp32) on 50, 100 and {@code --rss-photos} photos (hard links to the N).
 * </ol>
 *
 * <pre>
 * java -cp clip-benchmarks/target/benchmarks.jar io.github.clip4j.benchmarks.PhotoLibraryBenchmark \
 *     --photos 24 --work /tmp/photos --clip-src CLIP/clip --python /usr/bin/python3 \
 *     --seed-loop clip-benchmarks/src/build/seed_loop.py
 * java -cp clip-benchmarks/target/benchmarks.jar io.github.clip4j.benchmarks.PhotoLibraryBenchmark \
 *     --photos 24 --work /tmp/photos --rss-photos 200 --rss-only
 * </pre>
 *
 * Every row carries the 1-minute load average before and after it. {@code --work DIR} keeps the photos and the
 * model for later runs; without it they go to a temporary folder that is deleted afterwards.
 */
public final class PhotoLibraryBenchmark {
    private static final int WIDTH = 4032;
    private static final int HEIGHT = 3024;

    private PhotoLibraryBenchmark() {}

    public static void main(String[] args) throws Exception {
        Map<String, String> options = options(args);
        int photos = Integer.parseInt(options.getOrDefault("photos", "24"));
        int rssPhotos = Integer.parseInt(options.getOrDefault("rss-photos", "0"));
        List<String> precisions = List.of(options.getOrDefault("precisions", "fp32,bf16").split(","));
        // --work DIR keeps the photos and the model there and reuses them in later runs (generating 24 photos
        // takes a minute); without it a temporary folder is used and deleted.
        Path work = options.containsKey("work") ? Files.createDirectories(Path.of(options.get("work")))
                : Files.createTempDirectory("clip4j-photos");
        try {
            run(work, photos, rssPhotos, precisions, options);
        } finally {
            if (!options.containsKey("keep") && !options.containsKey("work")) {
                try (Stream<Path> files = Files.walk(work)) {
                    files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                }
            }
        }
    }

    private static void run(Path work, int photos, int rssPhotos, List<String> precisions, Map<String, String> options)
            throws Exception {
        int cores = Runtime.getRuntime().availableProcessors();
        System.out.printf(Locale.ROOT, "machine: %d cores, %s; load %s%n", cores, System.getProperty("os.arch"),
                ProcessMemory.loadAverage());
        Path folder = Files.createDirectories(work.resolve("photos-" + photos));
        long bytes = 0;
        long start = System.nanoTime();
        for (int i = 0; i < photos; i++) {
            Path photo = folder.resolve(String.format(Locale.ROOT, "IMG_%04d.jpg", i));
            bytes += Files.exists(photo) ? Files.size(photo) : writePhoto(photo, i);
        }
        System.out.printf(Locale.ROOT, "%d photos %dx%d q90, %.1f MB each on average, ready in %.0f s%n",
                photos, WIDTH, HEIGHT, bytes / 1e6 / photos, (System.nanoTime() - start) / 1e9);
        Path model = work.resolve("vit-b-32.pt");
        if (!Files.exists(model)) {
            RandomCheckpoints.writeTorchArchive(ModelShape.VIT_B_32, model);
        }
        List<Path> files = list(folder);
        if (options.containsKey("generate-only")) {
            return;
        }
        if (rssPhotos > 0 && options.containsKey("rss-only")) {
            rssRuns(work, model, files, photos, rssPhotos, options);
            return;
        }

        compareDecoders(files.subList(0, Math.min(4, files.size())));

        System.out.println();
        System.out.println("whole `clip index` process (fresh JVM: load, walk, decode + encode, write), " + photos
                + " photos, ViT-B/32 random weights, the CLI's defaults (batch 16, threads = cores)");
        System.out.println("| decode | precision | photos | seconds | photos/s | peak RSS MB | load before | load after |");
        System.out.println("| --- | --- | ---: | ---: | ---: | ---: | --- | --- |");
        for (String precision : precisions) {
            for (ImageDecoding mode : ImageDecoding.values()) {
                indexProcess(model, folder, work, mode, Precision.valueOf(precision.toUpperCase(Locale.ROOT)), photos,
                        false);
            }
        }
        if (options.containsKey("clip-src")) {
            seedLoop(options, model, folder, photos, work);
        }

        accuracy(model, files);

        if (rssPhotos > 0) {
            rssRuns(work, model, files, photos, rssPhotos, options);
        }
    }

    /** Peak RSS of {@code clip index} (fp32) on 50, 100, ... {@code rssPhotos} photos: hard links to the N. */
    private static void rssRuns(Path work, Path model, List<Path> files, int photos, int rssPhotos,
            Map<String, String> options) throws IOException, InterruptedException {
        System.out.println();
        System.out.println("peak RSS of `clip index` (fp32) by number of photos (hard links to the " + photos + ")");
        System.out.println("| decode | precision | photos | seconds | photos/s | peak RSS MB | load before | load after |");
        System.out.println("| --- | --- | ---: | ---: | ---: | ---: | --- | --- |");
        for (String count : options.getOrDefault("rss-steps", "50,100," + rssPhotos).split(",")) {
            int n = Integer.parseInt(count);
            Path many = Files.createDirectories(work.resolve("links-" + n));
            for (int i = 0; i < n; i++) {
                Path link = many.resolve(String.format(Locale.ROOT, "IMG_%05d.jpg", i));
                if (!Files.exists(link)) {
                    Files.createLink(link, files.get(i % files.size()));
                }
            }
            for (String mode : options.getOrDefault("rss-modes", "fast,exact").split(",")) {
                indexProcess(model, many, work, ImageDecoding.valueOf(mode.toUpperCase(Locale.ROOT)), Precision.FP32,
                        n, true);
            }
        }
    }

    // ----------------------------------------------------------------------------------------- decoders

    private static void compareDecoders(List<Path> files) throws IOException {
        ClipPreprocessor preprocessor = ClipPreprocessor.of(224);
        for (Path file : files) { // warm-up: classes, OpenCV's libraries, JIT
            preprocessor.rgb(ImageDecoder.decode(file, 224));
            subsampled(file, 4);
        }
        System.out.println();
        System.out.println("decoders, one thread, " + files.size() + " photos: ms per photo (decode + Pillow-exact"
                + " resize and crop to 224x224) and PSNR of the crop vs exact");
        System.out.println("| decoder | ms/photo | decoded size | crop PSNR dB (min) | load |");
        System.out.println("| --- | --- | --- | --- | --- |");
        List<byte[]> exact = new ArrayList<>();
        long t = System.nanoTime();
        for (Path file : files) {
            exact.add(preprocessor.rgb(ImageDecoder.decode(file)));
        }
        row("exact (TwelveMonkeys/libjpeg, full size)", t, files.size(), WIDTH + "x" + HEIGHT, Double.NaN);
        for (int n : new int[] {4}) {
            double psnr = Double.POSITIVE_INFINITY;
            String size = "";
            t = System.nanoTime();
            for (int i = 0; i < files.size(); i++) {
                DecodedImage image = ImageDecoder.decode(files.get(i), 224);
                size = image.width() + "x" + image.height();
                psnr = Math.min(psnr, psnr(preprocessor.rgb(image), exact.get(i)));
            }
            row("fast (libjpeg-turbo DCT scaling via OpenCV)", t, files.size(), size, psnr);
            psnr = Double.POSITIVE_INFINITY;
            t = System.nanoTime();
            for (int i = 0; i < files.size(); i++) {
                DecodedImage image = subsampled(files.get(i), n);
                size = image.width() + "x" + image.height();
                psnr = Math.min(psnr, psnr(preprocessor.rgb(image), exact.get(i)));
            }
            row("ImageIO setSourceSubsampling(" + n + ", " + n + ") (TwelveMonkeys)", t, files.size(), size, psnr);
        }
    }

    private static void row(String decoder, long startNanos, int count, String size, double psnr) {
        System.out.printf(Locale.ROOT, "| %s | %.0f | %s | %s | %s |%n", decoder,
                (System.nanoTime() - startNanos) / 1e6 / count, size,
                Double.isNaN(psnr) ? "(reference)" : String.format(Locale.ROOT, "%.1f", psnr), ProcessMemory.loadAverage());
    }

    /** ImageIO's subsampling: every n-th pixel of every n-th row (aliased point sampling, not DCT scaling). */
    private static DecodedImage subsampled(Path file, int n) throws IOException {
        Iterator<ImageReader> readers = ImageIO.getImageReadersByFormatName("jpeg");
        ImageReader reader = readers.next();
        while (!reader.getClass().getName().startsWith("com.twelvemonkeys.") && readers.hasNext()) {
            reader = readers.next();
        }
        try (ImageInputStream in = ImageIO.createImageInputStream(file.toFile())) {
            reader.setInput(in, true, true);
            ImageReadParam param = reader.getDefaultReadParam();
            param.setSourceSubsampling(n, n, 0, 0);
            return InMemoryImages.toDecoded(reader.read(0, param));
        } finally {
            reader.dispose();
        }
    }

    // ------------------------------------------------------------------------------------- index process

    /**
     * The real {@code clip index} (the CLI's main class, with the launcher's {@code -XX:+UseSerialGC}) in a fresh
     * JVM under {@code /usr/bin/time}: wall seconds and peak RSS of the whole process, start-up and model load
     * included.
     */
    private static void indexProcess(Path model, Path folder, Path work, ImageDecoding mode, Precision precision,
            int photos, boolean rss) throws IOException, InterruptedException {
        Path index = work.resolve("photos-" + mode + "-" + precision + "-" + photos + ".clipindex");
        Files.deleteIfExists(index);
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new ArrayList<>(List.of("/usr/bin/time", "-f", "%e %M", java, "-XX:+UseSerialGC"));
        String extra = System.getProperty("clip4j.bench.jvmArgs", "");
        if (!extra.isBlank()) {
            command.addAll(List.of(extra.trim().split("\\s+")));
        }
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), "io.github.clip4j.cli.ClipCli", "index",
                "--model", model.toString(), "--dir", folder.toString(), "--index", index.toString(), "--decode",
                mode.name().toLowerCase(Locale.ROOT), "--precision", precision.name().toLowerCase(Locale.ROOT),
                "--no-progress"));
        String loadBefore = ProcessMemory.loadAverage();
        Path err = work.resolve("index-stderr.txt");
        Process process = new ProcessBuilder(command).redirectError(err.toFile()).start();
        String json = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        int status = process.waitFor();
        List<String> errLines = Files.readAllLines(err);
        String last = errLines.isEmpty() ? "" : errLines.get(errLines.size() - 1);
        Files.deleteIfExists(index);
        if (status != 0 || !json.contains("\"added\":" + photos)) {
            System.out.printf(Locale.ROOT, "| %s | %s | %d | failed (exit %d): %s %s | | | %s | |%n", mode, precision,
                    photos, status, json, last, loadBefore);
            return;
        }
        String[] parts = last.trim().split(" "); // elapsed seconds, peak RSS kB
        double seconds = Double.parseDouble(parts[0]);
        System.out.printf(Locale.ROOT, "| %s | %s | %d | %.1f | %.2f | %d | %s | %s |%n",
                mode.name().toLowerCase(Locale.ROOT), precision.name().toLowerCase(Locale.ROOT), photos, seconds,
                photos / seconds, Long.parseLong(parts[1]) / 1024, loadBefore, ProcessMemory.loadAverage());
    }

    /** The reference's seed loop, the whole Python process under {@code /usr/bin/time} like {@code clip index}. */
    private static void seedLoop(Map<String, String> options, Path model, Path folder, int photos, Path work)
            throws IOException, InterruptedException {
        String script = options.getOrDefault("seed-loop", "clip-benchmarks/src/build/seed_loop.py");
        String loadBefore = ProcessMemory.loadAverage();
        Path err = work.resolve("seed-stderr.txt");
        Process process = new ProcessBuilder("/usr/bin/time", "-f", "%e %M", options.getOrDefault("python", "python3"),
                script, "--clip-src", options.get("clip-src"), "--weights", model.toString(), "--photos",
                folder.toString()).redirectError(err.toFile()).start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        int status = process.waitFor();
        List<String> errLines = Files.readAllLines(err);
        String last = errLines.isEmpty() ? "" : errLines.get(errLines.size() - 1);
        if (status != 0) {
            System.out.println("| reference seed loop | fp32 | " + photos + " | failed (exit " + status + "): "
                    + String.join(" / ", errLines.subList(Math.max(0, errLines.size() - 3), errLines.size()))
                    + " | | | " + loadBefore + " | |");
            return;
        }
        String[] parts = last.trim().split(" "); // elapsed seconds, peak RSS kB
        double seconds = Double.parseDouble(parts[0]);
        System.out.printf(Locale.ROOT, "| reference seed loop (Python, torch 2 threads; loop alone %.1f s) | fp32 | %d"
                + " | %.1f | %.2f | %d | %s | %s |%n", Double.parseDouble(out.split(" ")[0]), photos, seconds,
                photos / seconds, Long.parseLong(parts[1]) / 1024, loadBefore, ProcessMemory.loadAverage());
    }

    // ------------------------------------------------------------------------------------------ accuracy

    private static void accuracy(Path model, List<Path> files) {
        ClipPreprocessor preprocessor = ClipPreprocessor.of(224);
        float[][] exact;
        float[][] fast;
        try (Clip clip = Clip.builder().model(model).build()) {
            exact = clip.imageFeatures(files);
        }
        try (Clip clip = Clip.builder().model(model).decoding(ImageDecoding.FAST).build()) {
            fast = clip.imageFeatures(files);
        }
        double minCos = 1;
        double sumCos = 0;
        double minPsnr = Double.POSITIVE_INFINITY;
        double sumPsnr = 0;
        for (int i = 0; i < files.size(); i++) {
            double cos = cosine(exact[i], fast[i]);
            double psnr = psnr(preprocessor.rgb(ImageDecoder.decode(files.get(i), 224)),
                    preprocessor.rgb(ImageDecoder.decode(files.get(i))));
            minCos = Math.min(minCos, cos);
            sumCos += cos;
            minPsnr = Math.min(minPsnr, psnr);
            sumPsnr += psnr;
        }
        double between = 0;
        for (int i = 0; i + 1 < files.size(); i++) {
            between += cosine(exact[i], exact[i + 1]);
        }
        System.out.println();
        System.out.printf(Locale.ROOT, "baseline: exact features of different photos have cosine %.5f on average (how"
                + " much these weights tell photos apart)%n", between / Math.max(1, files.size() - 1));
        System.out.printf(Locale.ROOT, "fast vs exact on %d photos: ViT-B/32 fp32 feature cosine mean %.5f, min %.5f;"
                        + " 224x224 RGB crop PSNR mean %.1f dB, min %.1f dB (load %s)%n", files.size(),
                sumCos / files.size(), minCos, sumPsnr / files.size(), minPsnr, ProcessMemory.loadAverage());
    }

    private static double cosine(float[] a, float[] b) {
        double dot = 0;
        double na = 0;
        double nb = 0;
        for (int i = 0; i < a.length; i++) {
            dot += a[i] * b[i];
            na += a[i] * a[i];
            nb += b[i] * b[i];
        }
        return dot / Math.sqrt(na * nb);
    }

    static double psnr(byte[] x, byte[] y) {
        double sum = 0;
        for (int i = 0; i < x.length; i++) {
            double d = (x[i] & 0xFF) - (y[i] & 0xFF);
            sum += d * d;
        }
        return sum == 0 ? Double.POSITIVE_INFINITY : 10 * Math.log10(255.0 * 255 * x.length / sum);
    }

    // ------------------------------------------------------------------------------------------- photos

    /**
     * A camera-sized JPEG that compresses like a photo: a few smooth colour fields (sky, walls, shading), edges
     * between regions, fine texture whose strength varies across the frame, and sensor-like noise. Quality 90.
     */
    static long writePhoto(Path file, int seed) throws IOException {
        SplittableRandom random = new SplittableRandom(1000 + seed);
        BufferedImage image = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_INT_RGB);
        int[] pixels = ((DataBufferInt) image.getRaster().getDataBuffer()).getData();
        double[][] rowWave = new double[3][HEIGHT];
        double[][] colWave = new double[3][WIDTH];
        for (int c = 0; c < 3; c++) {
            double fy = 0.0005 + random.nextDouble() * 0.004;
            double fx = 0.0005 + random.nextDouble() * 0.004;
            double py = random.nextDouble() * 6.3;
            double px = random.nextDouble() * 6.3;
            for (int y = 0; y < HEIGHT; y++) {
                rowWave[c][y] = 60 * Math.sin(y * fy + py);
            }
            for (int x = 0; x < WIDTH; x++) {
                colWave[c][x] = 50 * Math.cos(x * fx + px);
            }
        }
        double[] texture = new double[4096];
        for (int i = 0; i < texture.length; i++) {
            texture[i] = 14 * Math.sin(i * 0.35) + 8 * Math.sin(i * 1.7 + 1);
        }
        int base = random.nextInt(60, 160);
        int horizon = HEIGHT / 3 + random.nextInt(HEIGHT / 3);
        long state = 0x9E3779B97F4A7C15L * (seed + 1);
        for (int y = 0; y < HEIGHT; y++) {
            boolean ground = y > horizon + (int) (40 * Math.sin(y * 0.01));
            for (int x = 0; x < WIDTH; x++) {
                state ^= state << 13;
                state ^= state >>> 7;
                state ^= state << 17;
                int noise = (int) ((state & 0xF) + ((state >>> 4) & 0xF)) - 15; // triangular, +-15
                double textureAmount = ground ? 1.0 : 0.25;
                double tex = textureAmount * texture[(x * 3 + y * 5 + ((x >> 6) * (y >> 6))) & 4095];
                int rgb = 0;
                for (int c = 0; c < 3; c++) {
                    double v = base + (ground ? 30 * (c - 1) : -20 * (c - 1)) + rowWave[c][y] + colWave[c][x] + tex
                            + noise * (c == 1 ? 0.6 : 0.8);
                    int b = v < 0 ? 0 : v > 255 ? 255 : (int) v;
                    rgb = (rgb << 8) | b;
                }
                pixels[y * WIDTH + x] = rgb;
            }
        }
        ImageWriter writer = null;
        for (Iterator<ImageWriter> writers = ImageIO.getImageWritersByFormatName("jpeg"); writers.hasNext(); ) {
            ImageWriter candidate = writers.next();
            if (writer == null || candidate.getClass().getName().startsWith("com.sun.")) {
                writer = candidate; // the JDK's libjpeg writer: a plain baseline JFIF, like a camera's
            }
        }
        try (ImageOutputStream out = ImageIO.createImageOutputStream(file.toFile())) {
            writer.setOutput(out);
            ImageWriteParam param = writer.getDefaultWriteParam();
            param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
            param.setCompressionQuality(0.9f);
            writer.write(null, new IIOImage(image, null, null), param);
        } finally {
            writer.dispose();
        }
        return Files.size(file);
    }

    private static List<Path> list(Path folder) throws IOException {
        try (Stream<Path> files = Files.list(folder)) {
            return files.sorted().toList();
        }
    }

    private static Map<String, String> options(String[] args) {
        Map<String, String> options = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (!args[i].startsWith("--")) {
                throw new IllegalArgumentException("unexpected argument " + args[i]);
            }
            String key = args[i].substring(2);
            if (key.equals("keep") || key.equals("generate-only") || key.equals("rss-only")) {
                options.put(key, "true");
            } else if (i + 1 < args.length) {
                options.put(key, args[++i]);
            } else {
                throw new IllegalArgumentException("--" + key + " needs a value");
            }
        }
        return options;
    }
}
