package io.github.clip4j.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.github.clip4j.internal.training.DatasetText;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 18: dataset files are untrusted input. Each hostile dataset is generated here and ends within 10 s in a
 * {@link TrainingException} naming the file (and the line where there is one), or in a dataset whose report lists
 * the refused rows; never a hang, a heap blow-up or a read outside the dataset's folder.
 */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class HostileDatasetsTest {
    @TempDir
    Path dir;

    private Path data;

    @BeforeEach
    void images() throws IOException {
        data = Files.createDirectories(dir.resolve("data"));
        Files.createDirectories(data.resolve("photos"));
        Files.writeString(data.resolve("photos/cat.png"), "x");
    }

    private Path write(String name, byte[] bytes) throws IOException {
        return Files.write(data.resolve(name), bytes);
    }

    private Path write(String name, String text) throws IOException {
        return write(name, text.getBytes(StandardCharsets.UTF_8));
    }

    private static void refused(Path file, String... mentioned) {
        assertThatThrownBy(() -> ImageTextDataset.read(file)).isInstanceOf(TrainingException.class)
                .hasMessageContaining(file.toString()).hasMessageContainingAll(mentioned)
                .satisfies(e -> assertThat(e.getMessage()).hasSizeLessThan(1000));
    }

    @Test
    void fifosAndDevicesAreNotRead() throws Exception {
        Path fifo = data.resolve("fifo.csv");
        Process mkfifo = new ProcessBuilder("mkfifo", fifo.toString()).start();
        assumeTrue(mkfifo.waitFor(5, TimeUnit.SECONDS) && mkfifo.exitValue() == 0, "mkfifo");
        refused(fifo, "not a regular file"); // opening it would block until a writer comes
        assumeTrue(Files.exists(Path.of("/dev/zero")));
        for (String name : List.of("zero.csv", "zero.jsonl")) {
            Path zero = Files.createSymbolicLink(data.resolve(name), Path.of("/dev/zero"));
            refused(zero, "not a regular file");
        }
        refused(Files.createDirectories(data.resolve("folder.csv")), "is a directory");
    }

    @Test
    void aHundredMegabyteLineIsRefusedAfterItsFirstMegabyte() throws IOException {
        byte[] chunk = new byte[1 << 20];
        java.util.Arrays.fill(chunk, (byte) 'a');
        for (String name : List.of("long.csv", "long.jsonl")) {
            Path file = data.resolve(name);
            try (OutputStream out = Files.newOutputStream(file)) {
                out.write(name.endsWith(".csv") ? "image,caption\n".getBytes(StandardCharsets.UTF_8)
                        : "{\"image\": \"photos/cat.png\", \"caption\": \"a cat\"}\n".getBytes(StandardCharsets.UTF_8));
                for (int i = 0; i < 100; i++) {
                    out.write(chunk);
                }
            }
            refused(file, "line 2 ", "longer than 1,048,576 characters");
        }
    }

    @Test
    void anUnclosedQuoteCannotTurnTheFileIntoOneRecord() throws IOException {
        StringBuilder csv = new StringBuilder("image,caption\nphotos/cat.png,\"a cat\n");
        String line = "x".repeat(1000) + "\n";
        while (csv.length() < (3 << 20)) {
            csv.append(line);
        }
        refused(write("quote.csv", csv.toString()), "line 2 ", "record longer than");
    }

    @Test
    void deepAndHugeJsonIsBounded() throws IOException {
        String deep = "[".repeat(400_000) + "]".repeat(400_000);
        String deepObject = "{\"image\": " + "{\"a\": ".repeat(100_000) + "1" + "}".repeat(100_000)
                + ", \"caption\": \"x\"}";
        String wide = "{\"image\": \"photos/cat.png\", \"caption\": \"a cat\", \"extra\": [" + "1,".repeat(300_000)
                + "1]}";
        Path file = write("deep.jsonl", deep + "\n" + deepObject + "\n" + wide + "\n");
        ImageTextDataset dataset = ImageTextDataset.read(file);
        assertThat(dataset.pairs()).extracting(ImageTextPair::caption).containsExactly("a cat");
        assertThat(dataset.report().skipped()).extracting(DatasetReport.SkippedRow::line).containsExactly(1L, 2L);
        assertThat(dataset.report().skipped()).allSatisfy(row -> assertThat(row.reason())
                .startsWith("not valid JSON").contains("nesting depth").hasSizeLessThan(600));
    }

    @Test
    void nulBytesAreBinaryDataNamingTheLine() throws IOException {
        refused(write("nul.csv", "image,caption\nphotos/cat.png,a cat\nphotos/cat.png,a\0cat\n"), "line 3 ",
                "NUL");
        refused(write("zeros.jsonl", new byte[1 << 20]), "line 1 ", "NUL");
    }

    @Test
    void badEncodingsNameTheExactLine() throws IOException {
        byte[][] bad = {{(byte) 0xff}, {(byte) 0xc3, 0x28}, {(byte) 0xc0, (byte) 0xaf}, // invalid, cut, overlong
            {(byte) 0xed, (byte) 0xa0, (byte) 0x80}, {(byte) 0xf4, (byte) 0x90, (byte) 0x80, (byte) 0x80}}; // UTF-16
                                                                                // surrogate, above U+10FFFF
        for (byte[] sequence : bad) {
            ByteArrayOutputStream csv = new ByteArrayOutputStream();
            csv.writeBytes("image,caption\n".getBytes(StandardCharsets.UTF_8));
            for (int i = 0; i < 3_000; i++) { // far past the first 8 KB buffer
                csv.writeBytes("photos/cat.png,a cat é\n".getBytes(StandardCharsets.UTF_8));
            }
            csv.writeBytes("photos/cat.png,a ".getBytes(StandardCharsets.UTF_8));
            csv.writeBytes(sequence);
            csv.writeBytes("cat\n".getBytes(StandardCharsets.UTF_8));
            refused(write("bad.csv", csv.toByteArray()), "line 3002 ", "not UTF-8");
        }
        // a sequence cut by the end of the file
        refused(write("cut.jsonl", new byte[] {'{', '}', '\n', (byte) 0xe2, (byte) 0x82}), "line 2 ", "not UTF-8");
    }

    @Test
    void imagePathsMayNotLeaveTheDatasetsFolder() throws Exception {
        Path outside = Files.writeString(dir.resolve("secret.png"), "not for training");
        Files.createSymbolicLink(data.resolve("photos/link.png"), outside);
        Files.createSymbolicLink(data.resolve("away"), dir);
        Files.createSymbolicLink(data.resolve("photos/dev.png"), Path.of("/dev/zero"));
        Path file = write("paths.csv", "image,caption\n"
                + "photos/cat.png,kept\n"
                + outside + ",absolute\n"
                + "../secret.png,dot-dot\n"
                + "photos/../../secret.png,normalized dot-dot\n"
                + "photos/link.png,a link out\n"
                + "away/secret.png,a folder link out\n"
                + "photos/dev.png,a device\n"
                + "photos,a folder\n"
                + "./photos/cat.png,kept too\n");
        ImageTextDataset dataset = ImageTextDataset.read(file);
        assertThat(dataset.pairs()).extracting(ImageTextPair::caption)
                .containsExactly("kept", "kept too");
        assertThat(dataset.pairs()).allSatisfy(pair -> assertThat(pair.image()).startsWith(data));
        assertThat(dataset.report().skipped()).extracting(DatasetReport.SkippedRow::reason).satisfiesExactly(
                r -> assertThat(r).contains("is absolute"),
                r -> assertThat(r).contains("leads outside the dataset's folder"),
                r -> assertThat(r).contains("leads outside the dataset's folder"),
                r -> assertThat(r).contains("symbolic link to a file outside"),
                r -> assertThat(r).contains("symbolic link to a file outside"),
                r -> assertThat(r).contains("not a regular file"),
                r -> assertThat(r).contains("is a directory"));
        Path json = write("nul.jsonl", "{\"image\": \"photos/cat.png\\u0000.png\", \"caption\": \"c\"}\n"
                + "{\"image\": \"" + "photos/".repeat(10_000) + "x.png\", \"caption\": \"c\"}\n");
        assertThatThrownBy(() -> ImageTextDataset.read(json)).isInstanceOf(TrainingException.class)
                .hasMessageContaining("invalid image path").satisfies(e -> assertThat(e.getMessage())
                        .hasSizeLessThan(1000));
    }

    @Test
    void sizeAndRowLimitsHoldWhateverTheFileClaims() throws IOException {
        DatasetText.Limits small = new DatasetText.Limits(64 << 10, 256, 100);
        StringBuilder rows = new StringBuilder("image,caption\n");
        for (int i = 0; i < 101; i++) {
            rows.append("photos/cat.png,a cat\n");
        }
        Path many = write("many.csv", rows.toString());
        assertThatThrownBy(() -> ImageTextDataset.readCsv(many, small)).isInstanceOf(TrainingException.class)
                .hasMessageContaining(many.toString()).hasMessageContaining("more than 100 rows");
        StringBuilder lines = new StringBuilder();
        for (int i = 0; i < 101; i++) {
            lines.append("{\"image\": \"photos/cat.png\", \"caption\": \"a cat\"}\n\n");
        }
        Path manyLines = write("many.jsonl", lines.toString());
        assertThatThrownBy(() -> ImageTextDataset.readJsonLines(manyLines, small))
                .isInstanceOf(TrainingException.class).hasMessageContaining("more than 100 rows");
        Path large = write("large.csv", "image,caption\n" + "photos/cat.png,a cat\n".repeat(4000));
        assertThatThrownBy(() -> ImageTextDataset.readCsv(large, small)).isInstanceOf(TrainingException.class)
                .hasMessageContaining(large.toString()).hasMessageContaining("larger than");
        assertThat(ImageTextDataset.readCsv(large, DatasetText.Limits.DEFAULT).size()).isEqualTo(4000);
    }
}
