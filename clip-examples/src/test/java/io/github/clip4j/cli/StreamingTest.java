package io.github.clip4j.cli;

import static io.github.clip4j.cli.CliFixtures.JSON;
import static io.github.clip4j.cli.CliFixtures.clip;
import static io.github.clip4j.cli.CliFixtures.tokenizer;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.clip4j.testsupport.Fixtures;
import io.github.clip4j.tokenizer.BertWordPieceTokenizer;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The streamed JSON of {@code tokenize} and {@code embed}: exact bytes, exact floats, constant memory. */
class StreamingTest {
    @TempDir
    Path dir;

    @Test
    void floatsAreWrittenAsFloatToStringSpellsThemAndReadBackExactly() throws IOException {
        Random random = new Random(19);
        float[] values = new float[20_000];
        for (int i = 0; i < values.length; i++) {
            float value;
            do {
                value = switch (i % 4) {
                    case 0 -> Float.intBitsToFloat(random.nextInt());           // every exponent
                    case 1 -> (float) random.nextGaussian() * 0.05f;            // embedding-like
                    case 2 -> Float.intBitsToFloat(random.nextInt(1 << 23));     // subnormal
                    default -> random.nextFloat();
                };
            } while (!Float.isFinite(value));
            values[i] = value;
        }
        float[] special = {0f, -0f, Float.MIN_VALUE, -Float.MIN_VALUE, Float.MIN_NORMAL, Float.MAX_VALUE,
            -Float.MAX_VALUE, 0.1f, 1e-7f, 1e7f, 123456789f, 2.0E-45f, 1.0E10f, 0.001f, 1f / 3};
        for (float[] array : List.of(values, special)) {
            StringWriter out = new StringWriter();
            try (JsonOutput json = new JsonOutput(out)) {
                json.generator().writeStartObject();
                json.floatArrayField("embedding", array, "test");
                json.generator().writeEndObject();
            }
            // the same bytes as the object-mapper path (Json) writes for the same values
            assertThat(out.toString()).isEqualTo("{\"embedding\":" + Json.toJson(array) + "}");
            String list = out.toString().substring("{\"embedding\":[".length(), out.toString().length() - 2);
            String[] tokens = list.split(",");
            assertThat(tokens).hasSize(array.length);
            for (int i = 0; i < array.length; i++) {
                assertThat(tokens[i]).isEqualTo(Float.toString(array[i]));
                assertThat(Float.floatToRawIntBits(Float.parseFloat(tokens[i])))
                        .as(tokens[i]).isEqualTo(Float.floatToRawIntBits(array[i]));
            }
        }
    }

    /** Rows of ints formatted by hand are the bytes the object mapper writes, in order with generator output. */
    @Test
    void intRowsAreTheObjectMapperBytes() throws IOException {
        Random random = new Random(77);
        StringWriter out = new StringWriter();
        StringBuilder expected = new StringBuilder();
        try (JsonOutput json = new JsonOutput(out)) {
            for (int r = 0; r < 3_000; r++) {
                int[] row = new int[r % 500 == 0 ? 20_000 : 1 + random.nextInt(100)]; // some longer than the buffer
                for (int i = 0; i < row.length; i++) {
                    row[i] = switch (random.nextInt(6)) {
                        case 0 -> 0;
                        case 1 -> random.nextInt(49_408);
                        case 2 -> random.nextInt();
                        case 3 -> Integer.MIN_VALUE;
                        case 4 -> Integer.MAX_VALUE;
                        default -> random.nextInt(10);
                    };
                }
                json.intRow(row);
                expected.append(Json.toJson(row)).append('\n');
                if (r % 997 == 0) {
                    json.generator().writeString("between");
                    json.newline();
                    expected.append("\"between\"\n");
                }
                if (r % 101 == 0) {
                    json.flush();
                }
            }
        }
        assertThat(out.toString()).isEqualTo(expected.toString());
    }

    @Test
    void nonFiniteFloatsFailNamingTheInput() {
        for (float bad : new float[] {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY}) {
            StringWriter out = new StringWriter();
            assertThatThrownBy(() -> {
                try (JsonOutput json = new JsonOutput(out)) {
                    json.generator().writeStartObject();
                    json.floatArrayField("embedding", new float[] {1f, bad}, "the embedding of image cat.jpg");
                }
            }).isInstanceOf(JsonOutput.NonFiniteException.class)
                    .hasMessageContaining("the embedding of image cat.jpg").hasMessageContaining("non-finite");
        }
    }

    @Test
    void tokenizeRowsAreTheBytesOfTheObjectMapperPath() throws IOException {
        List<String> texts = new ArrayList<>();
        for (int i = 0; i < 5_000; i++) {
            texts.add("text " + i + (i % 7 == 0 ? " with \"quotes\" and ünïcode 猫" : ""));
        }
        Path input = dir.resolve("texts.jsonl");
        try (BufferedWriter writer = Files.newBufferedWriter(input, StandardCharsets.UTF_8)) {
            writer.write('\uFEFF');
            for (String text : texts) {
                writer.write(JSON.writeValueAsString(text));
                writer.write("\n\n");
            }
        }
        StringBuilder expected = new StringBuilder();
        for (int[] row : tokenizer().tokenize(texts, 77, true)) {
            expected.append(Json.toJson(row)).append('\n');
        }
        for (String threads : new String[] {"1", "2", "3"}) {
            System.setProperty(BatchTokenizer.THREADS_PROPERTY, threads);
            try {
                CliRun run = clip("tokenize", "--truncate", "--input", input.toString());
                assertThat(run.status()).as(run.err()).isZero();
                assertThat(run.out()).as("threads " + threads).isEqualTo(expected.toString());
                CliRun held = clip("tokenize", "--input", input.toString()); // without --truncate: held back
                assertThat(held.out()).isEqualTo(expected.toString());
            } finally {
                System.clearProperty(BatchTokenizer.THREADS_PROPERTY);
            }
        }
    }

    /**
     * {@code tokenize --model} of a Chinese-CLIP model streams too: its WordPiece tokenizer and 52 tokens, long texts
     * cut (the reference always truncates), across batches and threads, the same rows as the library's.
     */
    @Test
    void chineseClipTokenizeStreamsWithItsOwnTokenizer() throws IOException {
        List<String> texts = new ArrayList<>();
        for (int i = 0; i < 5_000; i++) {
            texts.add(i % 11 == 0 ? "一".repeat(60 + i % 7) : "一只猫的照片 " + i + (i % 3 == 0 ? " a photo" : ""));
        }
        Path input = dir.resolve("cn.jsonl");
        try (BufferedWriter writer = Files.newBufferedWriter(input, StandardCharsets.UTF_8)) {
            for (String text : texts) {
                writer.write(JSON.writeValueAsString(text));
                writer.write('\n');
            }
        }
        StringBuilder expected = new StringBuilder();
        for (int[] row : BertWordPieceTokenizer.load().tokenize(texts)) {
            expected.append(Json.toJson(row)).append('\n');
        }
        String model = Fixtures.file("cn_models/cn-vit-tiny.pt").toString();
        for (String threads : new String[] {"1", "2"}) {
            System.setProperty(BatchTokenizer.THREADS_PROPERTY, threads);
            try {
                CliRun run = clip("tokenize", "--model", model, "--input", input.toString());
                assertThat(run.status()).as(run.err()).isZero();
                assertThat(run.out()).as("threads " + threads).isEqualTo(expected.toString());
            } finally {
                System.clearProperty(BatchTokenizer.THREADS_PROPERTY);
            }
        }
    }

    @Test
    void aRefusedTextFarIntoTheInputIsNamedByItsIndexAndNothingIsPrinted() throws IOException {
        Path input = dir.resolve("long.jsonl");
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < 3 * BatchTokenizer.BATCH; i++) {
            lines.add(i == 5_000 || i == 5_500 ? "\"a b c d e f g h\"" : "\"a cat\"");
        }
        Files.write(input, lines);
        for (String threads : new String[] {"1", "2"}) {
            System.setProperty(BatchTokenizer.THREADS_PROPERTY, threads);
            try {
                CliRun run = clip("tokenize", "--context-length", "6", "--input", input.toString());
                assertThat(run.status()).isEqualTo(1);
                assertThat(run.out()).isEmpty();
                assertThat(run.errLines()).hasSize(1);
                assertThat(run.errLines().get(0)).startsWith("clip: error: text 5000 ");
            } finally {
                System.clearProperty(BatchTokenizer.THREADS_PROPERTY);
            }
        }
    }

    @Test
    void aBadLineFarIntoTheInputLeavesStdoutEmptyEvenWithTruncate() throws IOException {
        Path input = dir.resolve("bad.jsonl");
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < 3 * BatchTokenizer.BATCH; i++) {
            lines.add(i == 5_000 ? "\"a cat\" \"a dog\"" : "\"a cat\"");
        }
        Files.write(input, lines);
        CliRun run = clip("tokenize", "--truncate", "--input", input.toString());
        assertThat(run.status()).isEqualTo(1);
        assertThat(run.out()).isEmpty();
        assertThat(run.errLines()).containsExactly("clip: error: " + input
                + " line 5001 is not valid JSON: more than one value on the line");
    }

    /**
     * The byte-level line reader against {@link Json#readStringLines} (a {@code BufferedReader} and Jackson's object
     * mapper) on random files: {@code \n}, {@code \r} and {@code \r\n} endings, a byte order mark, blank and
     * space-only lines, escapes, non-ASCII, control characters, invalid lines, lines longer than the 64 KiB block
     * and malformed UTF-8: the same texts, or the same error (for malformed UTF-8, an error).
     */
    @Test
    void jsonLinesReadByTheByteReaderAsByTheObjectMapper() throws IOException {
        Random random = new Random(1919);
        String[] pieces = {"\"plain text\"", "\"esc \\\"q\\\" \\u00e9\\n\"", "  \"spaced\"  ", "\"ü猫 \u2028\"", "\"\"",
            "\"tab\there\"", "", "   ", "\t", "\u2003", "\"del \u007f\"", "42", "\"a\"b\"", "[\"x\"]", "\"unterminated",
            "\"x\" \"y\"", "\"" + "long ".repeat(30_000) + "\"", "\"\\ud83d\\ude00 emoji \ud83d\ude00\""};
        String[] endings = {"\n", "\r\n", "\r", "\r\r\n", "\n\n"};
        for (int file = 0; file < 300; file++) {
            boolean malformed = file % 10 == 9;
            boolean valid = malformed || file % 3 != 0; // only strings: read to the end (or the bad bytes)
            java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
            if (random.nextInt(4) == 0) {
                bytes.write(new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF});
            }
            int lines = 1 + random.nextInt(40);
            for (int i = 0; i < lines; i++) {
                String piece = pieces[random.nextInt(pieces.length)];
                if (valid && !piece.isBlank() && !piece.startsWith("\"") && !piece.startsWith("  ")) {
                    piece = "\"ok " + i + "\"";
                }
                if (valid && (piece.equals("\"a\"b\"") || piece.equals("\"unterminated")
                        || piece.startsWith("\"tab") || piece.startsWith("\"x\" "))) {
                    piece = "\"fine\"";
                }
                bytes.write(piece.getBytes(StandardCharsets.UTF_8));
                if (malformed && i == lines / 2) {
                    bytes.write(new byte[] {(byte) 0xC3, (byte) 0x28});
                }
                if (i < lines - 1 || random.nextBoolean()) {
                    bytes.write(endings[random.nextInt(endings.length)].getBytes(StandardCharsets.US_ASCII));
                }
            }
            Path input = dir.resolve("random-" + file + ".jsonl");
            Files.write(input, bytes.toByteArray());
            List<String> expected = null;
            String expectedError = null;
            try {
                expected = Json.readStringLines(input);
            } catch (Json.InputException e) {
                expectedError = e.getMessage();
            }
            List<String> actual = new ArrayList<>();
            String actualError = null;
            try (TextSource source = TextSource.jsonLines(input)) {
                for (String text; (text = source.next()) != null; ) {
                    actual.add(text);
                }
            } catch (Json.InputException e) {
                actualError = e.getMessage();
            }
            if (malformed) {
                assertThat(actualError).as("file %d", file).contains("not UTF-8");
            } else if (expectedError != null) {
                // the error names the same line; Jackson's wording from the streaming parser may differ
                String where = expectedError.replaceFirst("^(.* line \\d+ ).*$", "$1");
                assertThat(actualError).as("file %d", file).startsWith(where);
            } else {
                assertThat(actualError).as("file %d", file).isNull();
                assertThat(actual).as("file %d", file).isEqualTo(expected);
            }
        }
    }

    @Test
    void jsonLinesReadAsJacksonReadsThem() throws IOException {
        String[] lines = {"\"plain\"", "\"with \\\"escapes\\\" \\u00e9\\n\"", "  \"spaced\"  ", "\"ü猫 \u2028 \u007f\"",
            "\"\"", "\"tab\there\""};
        for (String line : lines) {
            String expected;
            try {
                expected = JSON.readValue(line, String.class);
            } catch (IOException e) {
                expected = null;
            }
            if (expected == null) {
                assertThatThrownBy(() -> TextSource.parseJsonString(line, Path.of("f"), 1)).as(line)
                        .isInstanceOf(Json.InputException.class);
            } else {
                assertThat(TextSource.parseJsonString(line, Path.of("f"), 1)).as(line).isEqualTo(expected);
            }
        }
        assertThatThrownBy(() -> TextSource.parseJsonString("\"a\"b\"", Path.of("f"), 7))
                .isInstanceOf(Json.InputException.class).hasMessageContaining("f line 7");
    }

    @Test
    void deferredOutputSpillsBeyondMemoryAndCommitsEverything() throws IOException {
        StringBuilder expected = new StringBuilder();
        StringWriter target = new StringWriter();
        try (DeferredOutput deferred = new DeferredOutput()) {
            for (int i = 0; expected.length() <= 2 * DeferredOutput.MEMORY_CHARS; i++) {
                String line = "[" + i + ",\"ü猫\"]\n";
                expected.append(line);
                deferred.write(line);
            }
            assertThat(deferred.spilled()).isTrue();
            deferred.commitTo(new PrintWriter(target));
        }
        assertThat(target.toString()).isEqualTo(expected.toString());
    }

    /**
     * A large input through a child JVM whose heap is far smaller than the input and the output: the old
     * read-everything path needed ~100 MB of heap here.
     */
    @Test
    void tokenizeRunsInConstantMemory() throws Exception {
        int count = 300_000;
        Path input = dir.resolve("big.jsonl");
        String[] words = {"a", "photo", "of", "the", "cat", "dog", "on", "beach", "red", "car", "tree", "book"};
        Random random = new Random(19);
        try (BufferedWriter writer = Files.newBufferedWriter(input, StandardCharsets.UTF_8)) {
            for (int i = 0; i < count; i++) {
                StringBuilder text = new StringBuilder("\"").append(i);
                for (int w = 2 + random.nextInt(11); w > 0; w--) {
                    text.append(' ').append(words[random.nextInt(words.length)]);
                }
                writer.write(text.append("\"\n").toString());
            }
        }
        for (String mode : new String[] {"--truncate", "--context-length=77"}) {
            Path output = dir.resolve("big.out");
            Process process = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx24m", "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"),
                    ClipCli.class.getName(), "tokenize", mode, "--input", input.toString())
                    .redirectOutput(output.toFile())
                    .redirectError(ProcessBuilder.Redirect.INHERIT)
                    .start();
            assertThat(process.waitFor(10, TimeUnit.MINUTES)).isTrue();
            assertThat(process.exitValue()).as(mode).isZero();
            try (var lines = Files.lines(output)) {
                assertThat(lines.count()).isEqualTo(count);
            }
            String last = Files.readAllLines(input).get(count - 1);
            assertThat(Files.readAllLines(output).get(count - 1)).isEqualTo(
                    Json.toJson(tokenizer().tokenize(List.of(JSON.readValue(last, String.class)), 77, true)[0]));
        }
    }

    @Test
    void aRunOfOneCommandBuildsThatCommandOnly() {
        PrintWriter none = new PrintWriter(new StringWriter());
        CommandLine one = ClipCli.commandLine(new ClipCli(), none, none, "--verbose", "tokenize", "a cat");
        assertThat(one.getSubcommands()).containsOnlyKeys("tokenize");
        CommandLine all = ClipCli.commandLine(new ClipCli(), none, none, "--help");
        assertThat(all.getSubcommands()).containsKeys("tokenize", "embed", "classify", "help");
        assertThat(ClipCli.commandLine(new ClipCli(), none, none, "tokenise", "x").getSubcommands())
                .hasSameSizeAs(all.getSubcommands());
    }
}
