package io.github.clip4j.benchmarks;

import io.github.clip4j.Clip;
import io.github.clip4j.Device;
import io.github.clip4j.Embedding;
import io.github.clip4j.Precision;
import io.github.clip4j.common.ClipException;
import io.github.clip4j.internal.image.ClipPreprocessor;
import io.github.clip4j.internal.image.DecodedImage;
import io.github.clip4j.internal.image.ImageDecoder;
import io.github.clip4j.internal.model.ClipModel;
import io.github.clip4j.internal.runtime.NativeRuntime;
import io.github.clip4j.internal.weights.CheckpointReader;
import io.github.clip4j.internal.weights.StateDict;
import io.github.clip4j.retrieval.ImageIndex;
import io.github.clip4j.retrieval.SearchHit;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.zip.CRC32;

/**
 * Issue 18's fuzz run: random mutations of the fixture checkpoints, images and an image index, each read the way the
 * library reads them (checkpoint -> {@link CheckpointReader} -> {@link ClipModel}; image -> {@link ImageDecoder} ->
 * CLIP's preprocessing; index -> {@link ImageIndex#open} -> searches, listing, and in a quarter of the cases an
 * update and save). Every case must end within 10 s in success or a {@link ClipException}; anything else (another
 * exception, an {@link Error}, a hang, a search hit outside the indexed folder) is a failure. Fixed seed, bounded
 * by a case count and a time limit. Prints one JSON line of counts and exits 1 on any failure.
 *
 * <p>Mutations: random bit flips, overwritten runs (random, 0x00 or 0xff), truncation, inserted bytes, copied runs,
 * and targeted ones that get past the outer checks: bytes of a zip's {@code data.pkl} changed with its CRC-32
 * fixed up, digits of a safetensors header changed, PNG chunk CRCs recomputed after a mutation; in an index file,
 * its numbers (dimension, counts, string lengths, folder numbers, sizes, times, embedding values) and strings
 * (model id, folders, entry paths: {@code ..}, absolute paths, NUL, backslashes) replaced. The index's trailing
 * CRC-32 is recomputed after every structural mutation and after three in four byte-level ones, so the mutations
 * reach the parser behind the checksum.
 *
 * <pre>java -Xmx1g -cp clip-benchmarks/target/benchmarks.jar io.github.clip4j.benchmarks.FuzzRun
 *     [--fixtures ../shared/fixtures] [--seed 18] [--cases 4000] [--seconds 900] [--verbose false]</pre>
 *
 * <p>{@code --verbose true} prints every refused case's message to stderr (to see which checks the mutations reach).
 */
public final class FuzzRun {
    private static final String[] CHECKPOINTS = {"models/vit-tiny.jit.pt", "models/vit-tiny.state_dict.pt",
        "models/vit-tiny.f16.safetensors", "models/rn-tiny.safetensors", "models/vit-p14-336-tiny.jit.pt"};
    private static final String[] IMAGES = {"images/camera.png", "images/chelsea.png", "images/coffee.png",
        "images/logo.png", "images/palette_color.png", "images/rocket.jpg"};
    private static final long CASE_TIMEOUT_SECONDS = 10;

    private FuzzRun() {}

    private enum Kind { CHECKPOINT, IMAGE, INDEX }

    private record Fixture(String name, byte[] bytes, Kind kind) {}

    public static void main(String[] args) throws Exception {
        Path fixtures = Path.of("../shared/fixtures");
        long seed = 18;
        int cases = 4000;
        int seconds = 900;
        boolean verbose = false;
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--fixtures" -> fixtures = Path.of(args[i + 1]);
                case "--seed" -> seed = Long.parseLong(args[i + 1]);
                case "--cases" -> cases = Integer.parseInt(args[i + 1]);
                case "--seconds" -> seconds = Integer.parseInt(args[i + 1]);
                case "--verbose" -> verbose = Boolean.parseBoolean(args[i + 1]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        List<Fixture> checkpoints = new ArrayList<>();
        for (String name : CHECKPOINTS) {
            checkpoints.add(new Fixture(name, Files.readAllBytes(fixtures.resolve(name)), Kind.CHECKPOINT));
        }
        List<Fixture> images = new ArrayList<>();
        for (String name : IMAGES) {
            images.add(new Fixture(name, Files.readAllBytes(fixtures.resolve(name)), Kind.IMAGE));
        }
        NativeRuntime.ensureLoaded();
        Path shm = Path.of("/dev/shm");
        Path work = Files.createTempDirectory(Files.isDirectory(shm) && Files.isWritable(shm) ? shm
                : Path.of(System.getProperty("java.io.tmpdir")), "clip4j-fuzz");
        ClipPreprocessor preprocessor = ClipPreprocessor.of(224);
        // The index: the six fixture images in work/photos, indexed with the tiny ViT into work/photos.clipindex;
        // each mutated copy is written beside it, so its folder "photos" resolves to the same images.
        Path photos = Files.createDirectories(work.resolve("photos"));
        for (String name : IMAGES) {
            Files.copy(fixtures.resolve(name), photos.resolve(Path.of(name).getFileName().toString()));
        }
        Path realPhotos = photos.toRealPath();
        Clip clip = Clip.load(fixtures.resolve("models/vit-tiny.jit.pt"));
        Path built = work.resolve("photos.clipindex");
        try (ImageIndex index = ImageIndex.open(built, clip)) {
            index.addDirectory(photos);
        }
        Fixture indexFixture = new Fixture("photos.clipindex", Files.readAllBytes(built), Kind.INDEX);
        Embedding textQuery = clip.embedText("a photo of a cat");
        Path imageQuery = photos.resolve("chelsea.png");

        Random random = new Random(seed);
        Map<String, Integer> outcomes = new TreeMap<>();
        List<String> failures = new ArrayList<>();
        int ok = 0;
        int clipExceptions = 0;
        int other = 0;
        int hangs = 0;
        int done = 0;
        long start = System.nanoTime();
        long deadline = start + TimeUnit.SECONDS.toNanos(seconds);
        ExecutorService worker = Executors.newSingleThreadExecutor(daemon());
        try {
            for (; done < cases && System.nanoTime() < deadline; done++) {
                // of every four cases one checkpoint, two images, one index: checkpoints are 13-30 MB, images
                // 1-470 KB, the index 2 KB
                Kind kind = switch (done % 4) {
                    case 0 -> Kind.CHECKPOINT;
                    case 3 -> Kind.INDEX;
                    default -> Kind.IMAGE;
                };
                Fixture fixture = switch (kind) {
                    case CHECKPOINT -> checkpoints.get(random.nextInt(checkpoints.size()));
                    case IMAGE -> images.get(random.nextInt(images.size()));
                    case INDEX -> indexFixture;
                };
                String mutation = mutationName(random.nextInt(MUTATIONS));
                byte[] mutated = mutate(fixture, mutation, random);
                if (kind == Kind.INDEX && !mutation.startsWith("inner") && random.nextInt(4) != 0) {
                    fixIndexCrc(mutated);
                    mutation += ", CRC fixed";
                }
                boolean update = kind == Kind.INDEX && random.nextInt(4) == 0;
                Path file = work.resolve("case-" + done + suffix(fixture.name()));
                Files.write(file, mutated);
                Future<?> result = worker.submit(() -> {
                    switch (kind) {
                        case CHECKPOINT -> {
                            StateDict weights = CheckpointReader.read(file);
                            try (ClipModel model = ClipModel.load(weights, Device.CPU, Precision.FP32)) {
                                return model;
                            }
                        }
                        case IMAGE -> {
                            DecodedImage image = ImageDecoder.decode(file);
                            return preprocessor.pixels(image);
                        }
                        default -> {
                            return useIndex(file, clip, textQuery, imageQuery, realPhotos, update);
                        }
                    }
                });
                String outcome;
                try {
                    result.get(CASE_TIMEOUT_SECONDS, TimeUnit.SECONDS);
                    ok++;
                    outcome = "ok";
                } catch (ExecutionException e) {
                    Throwable cause = e.getCause();
                    if (cause instanceof ClipException) {
                        clipExceptions++;
                        outcome = cause.getClass().getSimpleName();
                        if (verbose) {
                            System.err.println("case " + done + " (" + fixture.name() + ", " + mutation + "): "
                                    + cause.getMessage());
                        }
                    } else {
                        other++;
                        outcome = "OTHER " + cause.getClass().getName();
                        if (failures.size() < 20) {
                            failures.add("case " + done + " (" + fixture.name() + ", " + mutation + "): " + cause);
                        }
                    }
                } catch (TimeoutException e) {
                    hangs++;
                    outcome = "HANG";
                    failures.add("case " + done + " (" + fixture.name() + ", " + mutation + "): no result in "
                            + CASE_TIMEOUT_SECONDS + " s");
                    result.cancel(true);
                    worker.shutdownNow();
                    worker = Executors.newSingleThreadExecutor(daemon());
                }
                outcomes.merge(kind.name().toLowerCase(Locale.ROOT) + " " + outcome, 1, Integer::sum);
                Files.deleteIfExists(file);
                Files.deleteIfExists(Path.of(file + ".lock"));
            }
        } finally {
            worker.shutdownNow();
            clip.close();
            deleteTree(work);
        }
        double elapsed = (System.nanoTime() - start) / 1e9;
        StringBuilder json = new StringBuilder();
        json.append(String.format(Locale.ROOT, "{\"seed\": %d, \"cases\": %d, \"ok\": %d, \"clip_exception\": %d,"
                + " \"other\": %d, \"hang\": %d, \"seconds\": %.1f, \"outcomes\": {", seed, done, ok,
                clipExceptions, other, hangs, elapsed));
        String separator = "";
        for (Map.Entry<String, Integer> e : outcomes.entrySet()) {
            json.append(separator).append('"').append(e.getKey()).append("\": ").append(e.getValue());
            separator = ", ";
        }
        System.out.println(json.append("}}"));
        failures.forEach(System.err::println);
        System.exit(other + hangs == 0 ? 0 : 1);
    }

    /** An escape the index must never allow: a search hit that resolves to outside the index's folders. */
    private static final class EscapeException extends RuntimeException {
        EscapeException(String message) {
            super(message);
        }
    }

    /**
     * Opens the index, searches it by text and by image, lists it; maybe updates and saves it. Every hit must be
     * inside one of the index's folders, symbolic links resolved (the folders themselves are the index's to name:
     * a mutated folder is another folder, not an escape).
     */
    private static Object useIndex(Path file, Clip clip, Embedding text, Path image, Path photos, boolean update)
            throws java.io.IOException {
        try (ImageIndex index = ImageIndex.open(file, clip)) {
            List<SearchHit> hits = new ArrayList<>(index.search(text, 3));
            hits.addAll(index.search(image, 3));
            List<Path> folders = new ArrayList<>();
            for (Path folder : index.folders()) {
                folders.add(realOrNormal(folder));
            }
            for (SearchHit hit : hits) {
                Path real = realOrNormal(hit.path());
                if (folders.stream().noneMatch(real::startsWith)) {
                    throw new EscapeException("search hit " + hit.path() + " is outside the index's folders "
                            + folders);
                }
            }
            index.paths();
            if (update) {
                index.addDirectory(photos);
            }
            return hits;
        }
    }

    private static Path realOrNormal(Path path) throws java.io.IOException {
        return Files.exists(path) ? path.toRealPath() : path.toAbsolutePath().normalize();
    }

    private static void deleteTree(Path root) throws java.io.IOException {
        try (var walk = Files.walk(root)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    private static java.util.concurrent.ThreadFactory daemon() {
        return r -> {
            Thread t = new Thread(r, "fuzz-case");
            t.setDaemon(true);
            return t;
        };
    }

    private static String suffix(String name) {
        int dot = name.lastIndexOf('.');
        return dot < 0 ? "" : name.substring(dot);
    }

    private static final int MUTATIONS = 8;

    private static String mutationName(int i) {
        return switch (i) {
            case 0 -> "bit flips";
            case 1 -> "random run";
            case 2 -> "zero or 0xff run";
            case 3 -> "truncation";
            case 4 -> "insertion";
            case 5 -> "copied run";
            case 6 -> "inner structure";
            default -> "inner structure, many bytes";
        };
    }

    private static byte[] mutate(Fixture fixture, String mutation, Random random) {
        byte[] b = fixture.bytes().clone();
        switch (mutation) {
            case "bit flips" -> {
                for (int i = 1 + random.nextInt(64); i > 0; i--) {
                    int p = biasedPosition(b.length, random);
                    b[p] ^= (byte) (1 << random.nextInt(8));
                }
                return b;
            }
            case "random run", "zero or 0xff run" -> {
                int p = biasedPosition(b.length, random);
                int n = Math.min(b.length - p, 1 + random.nextInt(256));
                for (int i = 0; i < n; i++) {
                    b[p + i] = mutation.equals("random run") ? (byte) random.nextInt(256)
                            : random.nextBoolean() ? 0 : (byte) 0xff;
                }
                return b;
            }
            case "truncation" -> {
                return java.util.Arrays.copyOf(b, biasedPosition(b.length, random));
            }
            case "insertion" -> {
                int p = biasedPosition(b.length, random);
                byte[] extra = new byte[1 + random.nextInt(64)];
                random.nextBytes(extra);
                byte[] out = new byte[b.length + extra.length];
                System.arraycopy(b, 0, out, 0, p);
                System.arraycopy(extra, 0, out, p, extra.length);
                System.arraycopy(b, p, out, p + extra.length, b.length - p);
                return out;
            }
            case "copied run" -> {
                int from = biasedPosition(b.length, random);
                int to = biasedPosition(b.length, random);
                int n = Math.min(Math.min(b.length - from, b.length - to), 1 + random.nextInt(4096));
                System.arraycopy(fixture.bytes(), from, b, to, n);
                return b;
            }
            default -> {
                int edits = mutation.endsWith("many bytes") ? 1 + random.nextInt(32) : 1 + random.nextInt(3);
                return inner(fixture.name(), b, edits, random);
            }
        }
    }

    /** Positions near the start (headers, pickles) half the time, anywhere otherwise. */
    private static int biasedPosition(int length, Random random) {
        if (length <= 1) {
            return 0;
        }
        return random.nextBoolean() ? random.nextInt(Math.min(length, 4096)) : random.nextInt(length);
    }

    /** Mutations behind the outer checks: the zip's pickle with its CRC fixed, a safetensors header, PNG chunks. */
    private static byte[] inner(String name, byte[] b, int edits, Random random) {
        if (name.endsWith(".clipindex")) {
            return IndexMutations.mutate(b, edits, random);
        }
        if (name.endsWith(".pt")) {
            int[] pickle = zipEntry(b, "data.pkl");
            if (pickle != null && pickle[1] > 0) {
                for (int i = 0; i < edits; i++) {
                    int p = pickle[0] + random.nextInt(pickle[1]);
                    b[p] = random.nextInt(4) == 0 ? (byte) random.nextInt(256) : (byte) (b[p] + random.nextInt(5) - 2);
                }
                CRC32 crc = new CRC32();
                crc.update(b, pickle[0], pickle[1]);
                putInt(b, pickle[2], (int) crc.getValue()); // central directory
                putInt(b, pickle[3], (int) crc.getValue()); // local header
            }
            return b;
        }
        if (name.endsWith(".safetensors")) {
            long headerLength = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
            int end = (int) Math.min(b.length, 8 + headerLength);
            for (int i = 0; i < edits; i++) {
                int p = 8 + random.nextInt(Math.max(1, end - 8));
                if (b[p] >= '0' && b[p] <= '9') {
                    b[p] = (byte) ('0' + random.nextInt(10));
                } else {
                    b[p] = (byte) "0123456789,:[]{}\"FIU".charAt(random.nextInt(20));
                }
            }
            return b;
        }
        if (name.endsWith(".png")) {
            for (int i = 0; i < edits; i++) {
                int p = 8 + random.nextInt(Math.min(b.length - 8, 4096));
                b[p] = (byte) random.nextInt(256);
            }
            fixPngCrcs(b);
            return b;
        }
        for (int i = 0; i < edits; i++) { // JPEG: its markers are near the start
            int p = random.nextInt(Math.min(b.length, 2048));
            b[p] = (byte) random.nextInt(256);
        }
        return b;
    }

    /** {dataStart, size, crcOffsetInCentralDirectory, crcOffsetInLocalHeader} of a stored entry, or null. */
    private static int[] zipEntry(byte[] b, String suffix) {
        ByteBuffer z = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        int eocd = -1;
        for (int i = b.length - 22; i >= Math.max(0, b.length - 22 - 65535); i--) {
            if (z.getInt(i) == 0x06054b50) {
                eocd = i;
                break;
            }
        }
        if (eocd < 0) {
            return null;
        }
        int count = z.getShort(eocd + 10) & 0xffff;
        int p = z.getInt(eocd + 16);
        for (int i = 0; i < count && p > 0 && p + 46 <= b.length; i++) {
            int nameLength = z.getShort(p + 28) & 0xffff;
            int extra = z.getShort(p + 30) & 0xffff;
            int comment = z.getShort(p + 32) & 0xffff;
            String entry = new String(b, p + 46, nameLength, StandardCharsets.UTF_8);
            if (entry.endsWith(suffix) && z.getShort(p + 10) == 0) {
                int local = z.getInt(p + 42);
                int start = local + 30 + (z.getShort(local + 26) & 0xffff) + (z.getShort(local + 28) & 0xffff);
                return new int[] {start, z.getInt(p + 24), p + 16, local + 14};
            }
            p += 46 + nameLength + extra + comment;
        }
        return null;
    }

    /** Recomputes an index file's trailing CRC-32 (of every byte before it). */
    static void fixIndexCrc(byte[] b) {
        if (b.length < 4) {
            return;
        }
        CRC32 crc = new CRC32();
        crc.update(b, 0, b.length - 4);
        ByteBuffer.wrap(b).putInt(b.length - 4, (int) crc.getValue());
    }

    private static void putInt(byte[] b, int at, int value) {
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putInt(at, value);
    }

    private static void fixPngCrcs(byte[] b) {
        int p = 8;
        while (p + 12 <= b.length) {
            long length = ByteBuffer.wrap(b).getInt(p) & 0xffffffffL;
            if (p + 12 + length > b.length) {
                return;
            }
            CRC32 crc = new CRC32();
            crc.update(b, p + 4, (int) (4 + length));
            ByteBuffer.wrap(b).putInt(p + 8 + (int) length, (int) crc.getValue());
            p += (int) (12 + length);
        }
    }
}
