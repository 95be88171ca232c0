package io.github.clip4j.retrieval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.clip4j.internal.io.AtomicFiles;
import io.github.clip4j.internal.retrieval.IndexEntry;
import io.github.clip4j.internal.retrieval.IndexFile;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Issue 18, items 9-12: a hostile index file, two writers, a killed writer, the same weights in another format. */
@Timeout(60)
class ImageIndexHostileTest {
    @TempDir
    Path tmp;

    private static Path folderOf(Path dir, int count) throws Exception {
        Files.createDirectories(dir);
        for (int i = 0; i < count; i++) {
            Files.createFile(dir.resolve(String.format("img%05d.png", i))); // HashModel never reads them
        }
        return dir;
    }

    // --- item 12 ---------------------------------------------------------------------------------------------

    @Test
    void theSameWeightsFromAnotherFileOpenTheIndexOtherWeightsDoNot() throws Exception {
        Path dir = folderOf(tmp.resolve("photos"), 3);
        Path file = tmp.resolve("p.clipindex");
        try (ImageIndex index = ImageIndex.open(file, new HashModel("vit-tiny.jit.pt#0123456789abcdef"))) {
            index.addDirectory(dir);
        }
        try (ImageIndex index = ImageIndex.open(file, new HashModel("vit-tiny.safetensors#0123456789abcdef"))) {
            assertThat(index.size()).isEqualTo(3);
        }
        assertThatThrownBy(() -> ImageIndex.open(file, new HashModel("vit-tiny.jit.pt#fedcba9876543210")))
                .isInstanceOf(IndexException.class).hasMessageContaining("rebuild");
        assertThat(ImageIndex.sameWeights("a#", "b#")).isFalse();
        assertThat(ImageIndex.sameWeights("plain", "plain")).isTrue();
        assertThat(ImageIndex.sameWeights("plain", "other")).isFalse();
    }

    // --- item 9 ----------------------------------------------------------------------------------------------

    private Path crafted(List<String> roots, String entryPath, float value) throws Exception {
        Path file = tmp.resolve("crafted.clipindex");
        float[] row = new float[HashModel.DIMENSION];
        row[0] = value;
        IndexFile.write(file, new IndexFile.Content("hash#1", HashModel.DIMENSION, roots,
                List.of(new IndexEntry(0, entryPath, 1, 1)), row)); // a valid checksum: anyone can compute it
        return file;
    }

    @Test
    void entriesOutsideTheirFolderMakeTheIndexCorrupt() throws Exception {
        for (String path : List.of("../../etc/shadow", "/etc/shadow", "a/../../b.png", "./a.png", "a//b.png", "",
                "a\\..\\b.png", "a\0b.png")) {
            Path file = crafted(List.of("photos"), path, 1);
            assertThatThrownBy(() -> ImageIndex.open(file, new HashModel("hash#1"))).as(path)
                    .isInstanceOf(IndexException.class).hasMessageContaining("corrupt").hasMessageContaining("entry 0");
        }
        for (String root : List.of("../..", "photos/../..", "/etc/../etc", "a\0")) {
            Path file = crafted(List.of(root), "x.png", 1);
            assertThatThrownBy(() -> ImageIndex.open(file, new HashModel("hash#1"))).as(root)
                    .isInstanceOf(IndexException.class).hasMessageContaining("corrupt").hasMessageContaining("folder 0");
        }
        Path nan = crafted(List.of("photos"), "x.png", Float.NaN);
        assertThatThrownBy(() -> ImageIndex.open(nan, new HashModel("hash#1")))
                .isInstanceOf(IndexException.class).hasMessageContaining("non-finite");
    }

    @Test
    void aSymbolicLinkPutInPlaceOfAnIndexedFileIsRefused() throws Exception {
        Path dir = folderOf(tmp.resolve("photos"), 2);
        Path secret = Files.writeString(tmp.resolve("secret.txt"), "secret");
        Path file = tmp.resolve("p.clipindex");
        HashModel model = new HashModel("hash#1");
        try (ImageIndex index = ImageIndex.open(file, model)) {
            index.addDirectory(dir);
        }
        Files.delete(dir.resolve("img00000.png"));
        Files.createSymbolicLink(dir.resolve("img00000.png"), secret);
        try (ImageIndex index = ImageIndex.open(file, model)) {
            assertThatThrownBy(() -> index.search(HashModel.of("img00000.png"), 2))
                    .isInstanceOf(IndexException.class).hasMessageContaining("outside");
        }
    }

    // --- item 10 ---------------------------------------------------------------------------------------------

    private static Process child(Path index, Path dir, int blockAt) throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        return new ProcessBuilder(java, "-Xmx64m", "-cp", System.getProperty("java.class.path"),
                IndexInChildProcess.class.getName(), index.toString(), dir.toString(), Integer.toString(blockAt))
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
    }

    private static String readLine(Process p) throws Exception {
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        String line = out.readLine();
        assertThat(line).as("child output").isNotNull();
        return line;
    }

    @Test
    void aSecondWriterFailsNamingTheHolderAndNoWorkIsLost() throws Exception {
        Path a = folderOf(tmp.resolve("a"), 40);
        Path b = folderOf(tmp.resolve("b"), 30);
        Path file = tmp.resolve("shared.clipindex");
        Process first = child(file, a, 1);
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(first.getInputStream(), StandardCharsets.UTF_8));
            assertThat(out.readLine()).startsWith("blocked");
            HashModel model = new HashModel("hash#1234");
            try (ImageIndex index = ImageIndex.open(file, model)) { // opened before the other process saved
                assertThatThrownBy(() -> index.addDirectory(b)).isInstanceOf(IndexException.class)
                        .hasMessageContaining(file.toString()).hasMessageContaining("another process " + first.pid())
                        .hasMessageContaining(".lock");
                assertThat(model.imagesEmbedded.get()).isZero();

                Writer in = new OutputStreamWriter(first.getOutputStream(), StandardCharsets.UTF_8);
                in.write("go\n");
                in.flush();
                assertThat(out.readLine()).isEqualTo("done 40");
                assertThat(first.waitFor(20, TimeUnit.SECONDS)).isTrue();
                assertThat(first.exitValue()).isZero();

                assertThat(index.addDirectory(b).total()).as("the other process's 40 kept").isEqualTo(70);
            }
            try (ImageIndex index = ImageIndex.open(file, new HashModel("hash#1234"))) {
                assertThat(index.size()).isEqualTo(70);
            }
        } finally {
            first.destroyForcibly();
        }
    }

    // --- item 11 ---------------------------------------------------------------------------------------------

    @Test
    void aKilledRunResumesFromItsLastCheckpointEmbeddingNothingTwice() throws Exception {
        int total = ImageIndex.CHECKPOINT_IMAGES + 200;
        Path dir = folderOf(tmp.resolve("many"), total);
        Path file = tmp.resolve("many.clipindex");
        Process child = child(file, dir, ImageIndex.CHECKPOINT_IMAGES);
        int embeddedBeforeKill;
        try {
            String line = readLine(child);
            assertThat(line).startsWith("blocked ");
            embeddedBeforeKill = Integer.parseInt(line.substring("blocked ".length()));
        } finally {
            child.destroyForcibly(); // SIGKILL: no close(), no final save
            child.waitFor(20, TimeUnit.SECONDS);
        }
        assertThat(embeddedBeforeKill).isEqualTo(ImageIndex.CHECKPOINT_IMAGES);
        // A save killed midway leaves a temporary file: the next writer removes it.
        Path leftover = tmp.resolve("." + file.getFileName() + ".0123456789abcdef" + AtomicFiles.TEMP_SUFFIX);
        Files.writeString(leftover, "half a save");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));

        HashModel model = new HashModel("hash#1234");
        IndexUpdate update;
        try (ImageIndex index = ImageIndex.open(file, model)) {
            assertThat(index.size()).as("saved by the checkpoint").isEqualTo(embeddedBeforeKill);
            update = index.addDirectory(dir);
        }
        assertThat(update.unchanged()).isEqualTo(embeddedBeforeKill);
        assertThat(update.added()).isEqualTo(total - embeddedBeforeKill);
        assertThat(model.imagesEmbedded.get() + embeddedBeforeKill).as("every image embedded once").isEqualTo(total);
        assertThat(leftover).doesNotExist();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-r--r--");
    }

    @Test
    void indexingIntoAMissingFolderFailsBeforeEmbedding() throws Exception {
        Path dir = folderOf(tmp.resolve("photos"), 2);
        HashModel model = new HashModel("hash#1");
        Path file = tmp.resolve("missing/sub/p.clipindex");
        try (ImageIndex index = ImageIndex.open(file, model)) {
            assertThatThrownBy(() -> index.addDirectory(dir)).isInstanceOf(IndexException.class)
                    .hasMessageContaining(tmp.resolve("missing/sub").toString()).hasMessageContaining("does not exist");
        }
        assertThat(model.imagesEmbedded.get()).isZero();
        assertThat(tmp.resolve("missing")).doesNotExist();
    }

    // --- item 6 for index files: a FIFO blocks on open, a device never ends -------------------------------------

    @Test
    @Timeout(10)
    void aFifoOrADeviceAsTheIndexIsRefusedWithoutReadingIt() throws Exception {
        Path fifo = tmp.resolve("fifo.clipindex");
        Process mkfifo = new ProcessBuilder("mkfifo", fifo.toString()).start();
        org.junit.jupiter.api.Assumptions.assumeTrue(mkfifo.waitFor(5, TimeUnit.SECONDS) && mkfifo.exitValue() == 0);
        HashModel model = new HashModel("hash#1");
        for (Path file : List.of(fifo, Path.of("/dev/zero"))) {
            if (!Files.exists(file)) {
                continue;
            }
            assertThatThrownBy(() -> ImageIndex.open(file, model)).isInstanceOf(IndexException.class)
                    .hasMessageContaining(file.toString()).hasMessageContaining("not a regular file");
            assertThatThrownBy(() -> ImageIndex.modelIdOf(file)).isInstanceOf(IndexException.class)
                    .hasMessageContaining("not a regular file");
        }
    }

    private static List<String> names(List<SearchHit> hits) {
        List<String> out = new ArrayList<>();
        hits.forEach(h -> out.add(h.path().getFileName().toString()));
        return out;
    }
}
