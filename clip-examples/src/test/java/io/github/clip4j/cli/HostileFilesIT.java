package io.github.clip4j.cli;

import static io.github.clip4j.cli.CliFixtures.image;
import static io.github.clip4j.cli.CliFixtures.tinyModel;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.github.clip4j.internal.retrieval.IndexEntry;
import io.github.clip4j.internal.retrieval.IndexFile;
import io.github.clip4j.internal.weights.CheckpointReader;
import io.github.clip4j.internal.weights.HostTensor;
import io.github.clip4j.internal.weights.SafetensorsWriter;
import io.github.clip4j.internal.weights.StateDict;
import io.github.clip4j.retrieval.ImageIndex;
import io.github.clip4j.testsupport.Fixtures;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Issue 18's hostile inputs against the packaged tool, each in its own JVM as a user runs it
 * ({@code java -Xmx512m -jar clip.jar ...}, so an input that blows up the heap shows as an out-of-memory error,
 * not as a pass): every case ends in time with the right exit status, nothing on stdout, exactly one
 * {@code clip: error:} line and no stack trace on stderr. The inputs are generated here.
 *
 * <p>Time: each case must end within {@value #CASE_SECONDS} s beyond the tool's own start-up (the JVM, libtorch
 * and the tiny model), which is measured once in the same run by the successful {@code clip index} that builds the
 * index the search cases use. To keep the IT short the cases share that set-up and run one JVM each, in sequence.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HostileFilesIT {
    /** The bound for one hostile input, on top of the tool's start-up. */
    private static final double CASE_SECONDS = 10;
    /** Training sets up autograd and the optimizer before it finds no batch (15-25 s on a busy 2-core machine). */
    private static final double TRAINING_SECONDS = 60;

    private Path dir;
    private Path photos;
    private Path index;
    private double startup;

    @BeforeAll
    void buildTheIndexAndMeasureTheStartUp() throws IOException {
        dir = Files.createTempDirectory("clip4j-hostile-it");
        photos = Files.createDirectories(dir.resolve("photos"));
        for (String name : List.of("chelsea.png", "coffee.png")) {
            Files.copy(image(name), photos.resolve(name));
        }
        index = dir.resolve("photos.clipindex");
        ChildProcess.Result built = clipJar(List.of("index", "--model", tinyModel().toString(), "--dir",
                photos.toString(), "--index", index.toString()));
        assertThat(built.status()).as(built.err()).isZero();
        startup = built.seconds();
        System.out.printf(java.util.Locale.ROOT, "HostileFilesIT start-up (clip index of 2 images): %.1f s%n",
                startup);
    }

    @AfterAll
    void deleteTheFiles() throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    // --- items 1-5, 13, 17: checkpoints -------------------------------------------------------------------------

    private void refusedModel(Path model, String... mentioned) {
        fails(1, List.of("embed", "--model", model.toString(), "--text", "a cat"), mentioned);
    }

    @Test
    void hostileCheckpoints() throws IOException {
        Path shared = HostileFiles.torchZip(dir.resolve("shared.pt"), HostileFiles.sharedTupleKey(), Map.of());
        refusedModel(shared, shared.toString(), "no tensors found"); // 1
        Path newlines = HostileFiles.newlinesTorchScript(dir.resolve("newlines.pt"));
        assertThat(Files.size(newlines)).isLessThan(100_000);
        refusedModel(newlines, newlines.toString(), "more than the limit"); // 2
        Path stride0 = HostileFiles.strideZero(dir.resolve("stride0.pt"));
        refusedModel(stride0, stride0.toString(), "strided tensor view"); // 3
        Path deep = HostileFiles.torchZip(dir.resolve("deep.pt"), HostileFiles.deepListsReduced(), Map.of());
        refusedModel(deep, deep.toString(), "not an allowed callable"); // 4
        Path cyclic = HostileFiles.torchZip(dir.resolve("cyclic.pt"), HostileFiles.cyclicList(), Map.of());
        refusedModel(cyclic, cyclic.toString(), "contains itself"); // 4
        Path pid = HostileFiles.torchZip(dir.resolve("pid.pt"), HostileFiles.sharedPersistentId(), Map.of());
        refusedModel(pid, pid.toString(), "persistent id", "..."); // 5
        Path flipped = HostileFiles.flipped(Fixtures.file("models/vit-tiny.state_dict.pt"), dir.resolve("flip.pt"));
        refusedModel(flipped, flipped.toString(), "CRC-32"); // 13
        Path secret = Files.writeString(dir.resolve("environ"), "SECRET=hunter2\0PATH=/usr/bin\0");
        ChildProcess.Result run = fails(1, List.of("embed", "--model", secret.toString(), "--text", "a cat"),
                secret.toString(), "binary data"); // 17
        assertThat(run.err()).doesNotContain("hunter2").doesNotContain("534543");
    }

    // --- items 6, 7, 19: devices, FIFOs and images ------------------------------------------------------------

    /** Decoded by {@code preprocess}: the same decoder as every command, without loading a model. */
    private void refusedImage(Path image, String... mentioned) {
        fails(1, List.of("preprocess", "--size", "32", "--out", dir.resolve("p.safetensors").toString(),
                image.toString()), mentioned);
    }

    @Test
    void devicesFifosAndHostileImages() throws Exception {
        if (Files.exists(Path.of("/dev/zero"))) {
            refusedModel(Path.of("/dev/zero"), "/dev/zero", "not a regular file");
            refusedImage(Path.of("/dev/zero"), "/dev/zero", "not a regular file");
        }
        Path fifo = fifo(dir.resolve("fifo.png"));
        refusedImage(fifo, fifo.toString(), "not a regular file");
        refusedModel(fifo, fifo.toString(), "not a regular file");
        fails(1, List.of("search", "--index", fifo.toString(), "--text", "a"), fifo.toString(),
                "not a regular file");
        // text inputs too: a FIFO as --input/--text-file blocked forever, /dev/zero filled the heap
        Path texts = fifo(dir.resolve("texts.jsonl"));
        fails(1, List.of("tokenize", "--input", texts.toString()), texts.toString(), "not a regular file");
        fails(1, List.of("embed", "--model", tinyModel().toString(), "--text-file", texts.toString()),
                texts.toString(), "not a regular file");
        if (Files.exists(Path.of("/dev/zero"))) {
            fails(1, List.of("tokenize", "--input", "/dev/zero"), "/dev/zero", "not a regular file");
        }

        Path huge = Files.write(dir.resolve("huge.png"), HostileFiles.hugePng());
        Path folder = Files.createDirectories(dir.resolve("huge"));
        List<String> args = new ArrayList<>(List.of("embed", "--model", tinyModel().toString()));
        for (int i = 0; i < 8; i++) { // eight in parallel decoders once took 8 x 3 GB
            args.addAll(List.of("--image", Files.copy(huge, folder.resolve(i + ".png")).toString()));
        }
        fails(1, args, "decoding budget"); // 7

        Path badCrc = HostileFiles.badIhdrCrc(image("chelsea.png"), dir.resolve("bad-crc.png"));
        refusedImage(badCrc, badCrc.toString(), "checksum"); // 19
        Path gif = Files.write(dir.resolve("bomb.gif"), HostileFiles.gifFrameLargerThanItsScreen());
        refusedImage(gif, gif.toString(), "60000x60000"); // 19
        assertThat(dir.resolve("p.safetensors")).doesNotExist();
    }

    private static Path fifo(Path file) throws Exception {
        Process mkfifo = new ProcessBuilder("mkfifo", file.toString()).start();
        assumeTrue(mkfifo.waitFor(5, TimeUnit.SECONDS) && mkfifo.exitValue() == 0, "mkfifo");
        return file;
    }

    // --- items 9, 12: the index file ---------------------------------------------------------------------------

    private Path craftedIndex(String name, String modelId, int dimension, String entry) throws IOException {
        Path file = dir.resolve(name);
        float[] row = new float[dimension];
        row[0] = 1;
        IndexFile.write(file, new IndexFile.Content(modelId, dimension, List.of("photos"),
                List.of(new IndexEntry(0, entry, 1, 1)), row));
        return file;
    }

    @Test
    void hostileIndexes() throws Exception {
        // Without --model the index's model id is a label: never a path to open nor a model to download.
        Files.writeString(dir.resolve("x.pt"), "an attacker's file outside the index's folder");
        Path sub = Files.createDirectories(dir.resolve("a/b"));
        for (String id : List.of("/etc/passwd#0123456789abcdef", "../../x.pt#0123456789abcdef",
                "ViT-B/32#0123456789abcdef")) {
            Path moved = Files.move(craftedIndex("crafted.clipindex", id, 16, "chelsea.png"),
                    sub.resolve("i.clipindex"), StandardCopyOption.REPLACE_EXISTING);
            fails(1, List.of("search", "--index", moved.toString(), "--text", "a cat"), "--model", "was built with");
        }
        // Entries that leave their folder make the index corrupt; nothing is drawn.
        String modelId = ImageIndex.modelIdOf(index);
        int dimension = IndexFile.read(index).dimension();
        Path grid = dir.resolve("grid.png");
        Path outside = craftedIndex("outside.clipindex", modelId, dimension, "../../../../../../etc/passwd");
        fails(1, List.of("search", "--index", outside.toString(), "--model", tinyModel().toString(), "--text",
                "a cat", "--grid", grid.toString()), "corrupt", outside.toString());
        assertThat(grid).doesNotExist();
        // A symbolic link put in place of an indexed file leads outside: refused, not drawn. (A copy of the index
        // beside a copy of its folder: the folder is stored relative to the index file.)
        Path linked = Files.createDirectories(dir.resolve("linked"));
        Path linkedPhotos = Files.createDirectories(linked.resolve("photos"));
        Files.copy(photos.resolve("chelsea.png"), linkedPhotos.resolve("chelsea.png"));
        Path linkedIndex = Files.copy(index, linked.resolve("photos.clipindex"));
        Path secret = Files.writeString(dir.resolve("secret.png"), "not for the grid");
        Files.createSymbolicLink(linkedPhotos.resolve("coffee.png"), secret);
        fails(1, List.of("search", "--index", linkedIndex.toString(), "--model", tinyModel().toString(), "--image",
                image("coffee.png").toString(), "--grid", grid.toString()), "outside");
        assertThat(grid).doesNotExist();
        // Other weights: the fingerprint differs (12)
        fails(1, List.of("search", "--index", index.toString(), "--model",
                Fixtures.file("models/rn-tiny.safetensors").toString(), "--text", "a cat"), "rebuild");
    }

    // --- item 14 and dataset files ------------------------------------------------------------------------------

    private ChildProcess.Result train(Path data, double seconds, String... mentioned) {
        return fails(1, seconds, List.of("train", "--model", tinyModel().toString(), "--data", data.toString(),
                "--out", dir.resolve("tuned.safetensors").toString(), "--batch-size", "2", "--held-out", "0"),
                mentioned);
    }

    @Test
    void hostileDatasets() throws Exception {
        Path data = Files.createDirectories(dir.resolve("data"));
        Path fifo = fifo(data.resolve("fifo.csv"));
        train(fifo, CASE_SECONDS, fifo.toString(), "not a regular file");
        if (Files.exists(Path.of("/dev/zero"))) {
            Path zero = Files.createSymbolicLink(data.resolve("zero.jsonl"), Path.of("/dev/zero"));
            train(zero, CASE_SECONDS, zero.toString(), "not a regular file");
        }
        Path longLine = data.resolve("long.csv");
        try (OutputStream out = Files.newOutputStream(longLine)) {
            out.write("image,caption\n".getBytes(StandardCharsets.UTF_8));
            byte[] chunk = new byte[1 << 20];
            Arrays.fill(chunk, (byte) 'a');
            for (int i = 0; i < 100; i++) { // 100 MB in one line
                out.write(chunk);
            }
        }
        train(longLine, CASE_SECONDS, longLine.toString(), "line 2 ", "longer than");
        Files.delete(longLine);
        Path deep = Files.writeString(data.resolve("deep.jsonl"), "[".repeat(500_000) + "]".repeat(500_000) + "\n");
        train(deep, CASE_SECONDS, deep.toString(), "no usable image/caption pair", "nesting depth");
        Path nul = Files.writeString(data.resolve("nul.csv"), "image,caption\na.png,a\0cat\n");
        train(nul, CASE_SECONDS, nul.toString(), "line 2 ", "NUL");
        ByteArrayOutputStream latin1 = new ByteArrayOutputStream();
        latin1.writeBytes("image,caption\ncaf".getBytes(StandardCharsets.US_ASCII));
        latin1.write(0xe9); // 'é' in ISO-8859-1
        latin1.writeBytes(".png,a caf\n".getBytes(StandardCharsets.US_ASCII));
        Path encoding = Files.write(data.resolve("latin1.csv"), latin1.toByteArray());
        train(encoding, CASE_SECONDS, encoding.toString(), "line 2 ", "not UTF-8");
        Path escapes = Files.writeString(data.resolve("escapes.csv"), "image,caption\n/etc/passwd,a\n"
                + "../photos/chelsea.png,a cat\n");
        train(escapes, CASE_SECONDS, escapes.toString(), "no usable image/caption pair", "is absolute");

        // 14: no batch with two readable images is an error, and nothing is written
        Files.writeString(data.resolve("a.png"), "not a PNG");
        Files.writeString(data.resolve("b.png"), "not a PNG either");
        Path unreadable = Files.writeString(data.resolve("pairs.csv"), "image,caption\na.png,a cat\nb.png,a dog\n");
        train(unreadable, TRAINING_SECONDS, "no step", dir.resolve("tuned.safetensors").toString());
        assertThat(dir.resolve("tuned.safetensors")).doesNotExist();
    }

    // --- item 15: a model producing NaN -------------------------------------------------------------------------

    @Test
    void nanFeaturesAreAnErrorNamingTheInput() throws IOException {
        StateDict weights = CheckpointReader.read(Fixtures.file("models/vit-tiny.state_dict.pt"));
        Map<String, HostTensor> tensors = new HashMap<>(weights.tensors());
        for (String name : List.of("visual.proj", "text_projection")) {
            HostTensor t = tensors.get(name);
            float[] nan = new float[t.toFloatArray().length];
            Arrays.fill(nan, Float.NaN);
            tensors.put(name, HostTensor.ofFloats(t.shape(), nan));
        }
        Path model = dir.resolve("nan.safetensors");
        SafetensorsWriter.write(new StateDict(tensors, Map.of(), model.toString()), model, Map.of());
        String cat = photos.resolve("chelsea.png").toString();
        fails(1, List.of("embed", "--model", model.toString(), "--image", cat), cat, "NaN");
        fails(1, List.of("embed", "--model", model.toString(), "--raw", "--text", "a cat"), "a cat", "NaN");
        fails(1, List.of("index", "--model", model.toString(), "--dir", photos.toString(), "--index",
                dir.resolve("nan.clipindex").toString()), "chelsea.png", "broken");
    }

    // --- items 16, 18: arguments before the model, output folders never created ---------------------------------

    @Test
    void argumentsAndOutputFolders() {
        String missing = dir.resolve("no-such-model.pt").toString(); // loading it would fail with exit 1
        String cat = photos.resolve("chelsea.png").toString();
        fails(2, List.of("preprocess", "--size", "100000", "--out", dir.resolve("p.safetensors").toString(), cat),
                "--size", "[1, 4096]");
        fails(2, List.of("classify", "--model", missing, "--labels", "cat,dog", "--top", "0", cat), "top-k");
        fails(2, List.of("classify", "--model", missing, "--labels", ",", cat), "label");
        fails(2, List.of("search", "--index", index.toString(), "--model", missing, "--text", "a cat", "--top",
                "0"), "at least 1");

        Path nowhere = dir.resolve("nonexistent/dir");
        fails(1, List.of("preprocess", "--size", "32", "--out", nowhere.resolve("p.safetensors").toString(), cat),
                "--out", nowhere.toString(), "does not exist");
        fails(1, List.of("classify", "--model", tinyModel().toString(), "--labels", "cat,dog", "--chart",
                nowhere.resolve("c.png").toString(), cat), "--chart", nowhere.toString());
        fails(1, List.of("index", "--model", tinyModel().toString(), "--dir", photos.toString(), "--index",
                nowhere.resolve("i.clipindex").toString()), "--index", nowhere.toString());
        fails(1, List.of("search", "--index", index.toString(), "--model", tinyModel().toString(), "--text",
                "a cat", "--grid", nowhere.resolve("g.png").toString()), "--grid", nowhere.toString());
        fails(1, List.of("train", "--model", tinyModel().toString(), "--data", dir.resolve("any.csv").toString(),
                "--out", nowhere.resolve("t.safetensors").toString()), nowhere.toString(), "does not exist");
        assertThat(dir.resolve("nonexistent")).doesNotExist();
        if (Files.exists(Path.of("/dev/zero"))) { // an input font is an input file too
            fails(1, List.of("classify", "--model", tinyModel().toString(), "--labels", "cat,dog", "--chart",
                    dir.resolve("c.png").toString(), "--font", "/dev/zero", cat), "--font", "not a regular file");
        }
    }

    // --- the contract -------------------------------------------------------------------------------------------

    private ChildProcess.Result fails(int status, List<String> args, String... mentioned) {
        return fails(status, CASE_SECONDS, args, mentioned);
    }

    /**
     * Runs the tool and checks the error contract: the status, nothing on stdout, one {@code clip: error:} line (the
     * last; train may print its plan and warnings before it) naming {@code mentioned}, no stack trace, in time.
     */
    private ChildProcess.Result fails(int status, double seconds, List<String> args, String... mentioned) {
        ChildProcess.Result run = clipJar(args);
        String what = String.join(" ", args.subList(0, Math.min(args.size(), 3))) + "...";
        // The figures for the record (the README's reliability section quotes them)
        System.out.printf(java.util.Locale.ROOT, "HostileFilesIT %5.1f s (start-up %.1f s), exit %d: %s%n",
                run.seconds(), startup, run.status(), String.join(" ", args).replace(dir.toString(), "$TMP"));
        assertThat(run.status()).as("exit status of %s; stderr: %s", what, run.err()).isEqualTo(status);
        assertThat(run.out()).as("stdout of %s", what).isEmpty();
        List<String> err = run.err().lines().toList();
        assertThat(err).as("stderr of %s", what).isNotEmpty()
                .filteredOn(l -> l.startsWith("clip: error:")).hasSize(1);
        assertThat(err).as("stderr of %s", what).noneMatch(l -> l.startsWith("\tat ") || l.contains("Exception")
                || l.contains("Error:") && !l.startsWith("clip: error:"));
        if (!args.get(0).equals("train")) {
            assertThat(err).as("stderr of %s", what).hasSize(1);
        }
        assertThat(err.get(err.size() - 1)).startsWith("clip: error: ").contains(mentioned);
        assertThat(run.seconds()).as("seconds of %s, start-up %.1f s", what, startup)
                .isLessThan(seconds + startup);
        return run;
    }

    private static ChildProcess.Result clipJar(List<String> args) {
        Path jar = Path.of("target", "clip.jar");
        assertThat(jar).as("built by the package phase").isRegularFile();
        List<String> command = new ArrayList<>(List.of(ChildProcess.java(), "-Xmx512m",
                "-Dclip4j.bpe=" + Fixtures.bpeVocabulary(), "-jar", jar.toString()));
        command.addAll(args);
        return ChildProcess.run(new ProcessBuilder(command), 180, "clip.jar " + args.get(0));
    }
}
