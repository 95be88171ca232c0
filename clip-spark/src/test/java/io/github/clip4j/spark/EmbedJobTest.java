package io.github.clip4j.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.clip4j.Clip;
import io.github.clip4j.Embedding;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.io.LocalInputFile;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.MessageTypeParser;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The embed job in-process, in local mode: the hand-over Parquet it writes, its error report, its refusals. */
class EmbedJobTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private record Run(int status, String out, String err) {}

    private static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int status = EmbedJob.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new Run(status, out.toString(), err.toString());
    }

    @Test
    void writesTheHandOverFormatAndReportsTheBrokenImage() throws Exception {
        Path model = SparkFixtures.tinyModel();
        Path images = dir.resolve("images");
        SparkFixtures.imageFolder(images);
        Path out = dir.resolve("out.parquet");
        Run run = run("embed", "--master", "local[2]", "--model", model.toString(), "--input", images.toString(),
                "--output", out.toString(), "--batch-size", "2");
        assertThat(run.status()).as(run.err()).isZero();
        JsonNode summary = JSON.readTree(run.out());
        assertThat(summary.get("images").asInt()).isEqualTo(6);
        assertThat(summary.get("embedded").asInt()).isEqualTo(5);
        assertThat(summary.get("failed").asInt()).isEqualTo(1);
        String broken = "c/broken.jpg";
        assertThat(summary.get("errors").get(0).get("path").asText()).isEqualTo(broken);
        assertThat(summary.get("errors").get(0).get("error").asText()).contains("truncated");
        assertThat(run.err()).contains("skipped " + broken);

        try (Clip clip = Clip.load(model)) {
            // Every part file: the hand-over schema exactly, and the model id in Spark's row metadata.
            MessageType expected = MessageTypeParser.parseMessageType("message spark_schema {\n"
                    + "  required binary path (STRING);\n"
                    + "  required group embedding (LIST) { repeated group list { optional float element; } }\n"
                    + "  optional int64 size;\n"
                    + "  optional int64 mtime;\n"
                    + "}");
            List<Path> parts;
            try (Stream<Path> files = Files.list(out)) {
                parts = files.filter(f -> f.getFileName().toString().endsWith(".parquet")).toList();
            }
            assertThat(parts).isNotEmpty();
            for (Path part : parts) {
                try (ParquetFileReader reader = ParquetFileReader.open(new LocalInputFile(part))) {
                    var meta = reader.getFooter().getFileMetaData();
                    assertThat(meta.getSchema()).isEqualTo(expected);
                    JsonNode row = JSON.readTree(meta.getKeyValueMetaData().get(EmbedJob.SPARK_ROW_METADATA));
                    assertThat(row.get("fields").get(1).get("metadata").get(EmbedJob.MODEL_ID_KEY).asText())
                            .isEqualTo(clip.modelId());
                }
            }

            SparkSession spark = SparkFixtures.session();
            try {
                Map<String, Row> rows = new TreeMap<>();
                for (Row r : spark.read().parquet(out.toString()).collectAsList()) {
                    rows.put(r.getString(0), r);
                }
                assertThat(rows.keySet()).containsExactly("a/b/camera.png", "a/b/rocket.jpg", "c/logo.png",
                        "chelsea.png", "coffee.png");
                for (Map.Entry<String, Row> e : rows.entrySet()) {
                    Path file = images.resolve(e.getKey());
                    Embedding expectedEmbedding = clip.embedImage(file);
                    List<Float> got = e.getValue().getList(1);
                    float[] values = new float[got.size()];
                    for (int i = 0; i < values.length; i++) {
                        values[i] = got.get(i);
                    }
                    assertThat(values).containsExactly(expectedEmbedding.toArray(), within(1e-6f));
                    assertThat(e.getValue().getLong(2)).isEqualTo(Files.size(file));
                    assertThat(e.getValue().getLong(3)).isEqualTo(Files.getLastModifiedTime(file).toMillis());
                }
                List<Row> errors = spark.read().json(out + "_errors").collectAsList();
                assertThat(errors).hasSize(1);
                assertThat(errors.get(0).<String>getAs("path")).isEqualTo(broken);
            } finally {
                spark.stop();
            }
        }

        // A glob over the same folder: only what it matches, paths relative to the glob's folder.
        Path globOut = dir.resolve("glob.parquet");
        Run glob = run("embed", "--master", "local[2]", "--model", model.toString(), "--input",
                images + "/**/*.png", "--output", globOut.toString());
        assertThat(glob.status()).as(glob.err()).isZero();
        JsonNode globSummary = JSON.readTree(glob.out());
        assertThat(globSummary.get("images").asInt()).isEqualTo(2);
        assertThat(globSummary.get("failed").asInt()).isZero();
        assertThat(globSummary.get("errors_output").isNull()).isTrue();
        SparkSession spark = SparkFixtures.session();
        try {
            assertThat(spark.read().parquet(globOut.toString()).select("path").as(
                    org.apache.spark.sql.Encoders.STRING()).collectAsList())
                    .containsExactlyInAnyOrder("a/b/camera.png", "c/logo.png");
        } finally {
            spark.stop();
        }
    }

    @Test
    void refusesBadArgumentsWithOneLine() throws Exception {
        Path images = Files.createDirectories(dir.resolve("images"));
        Path existing = Files.createDirectories(dir.resolve("exists.parquet"));
        List<String[]> cases = List.of(
                new String[] {"embed", "--input", images.toString(), "--output", "x"},
                new String[] {"embed", "--model", "m", "--input", dir.resolve("nope").toString(), "--output",
                    dir.resolve("o").toString()},
                new String[] {"embed", "--model", "m", "--input", images.toString(), "--output", existing.toString()},
                new String[] {"embed", "--model", "m", "--input", images.toString(), "--output",
                    dir.resolve("o").toString(), "--batch-size", "0"},
                new String[] {"embed", "--model", "m", "--input", images.toString(), "--output",
                    dir.resolve("o").toString(), "--precision", "fp8"});
        for (String[] args : cases) {
            Run run = run(args);
            assertThat(run.status()).as(String.join(" ", args)).isEqualTo(2);
            assertThat(run.out()).isEmpty();
            assertThat(run.err().lines().toList()).as(run.err()).hasSize(1);
            assertThat(run.err()).startsWith("clip-spark: error: ");
        }
    }
}
