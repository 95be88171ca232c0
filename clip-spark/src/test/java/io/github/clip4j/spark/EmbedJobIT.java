package io.github.clip4j.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.clip4j.testsupport.Fixtures;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The issue's end-to-end check, with real processes: {@code java -jar clip-spark.jar embed --master local[2]} on a
 * folder with subfolders and one broken image exits 0 and reports it; {@code clip index --import} of its output
 * gives exactly the top-5 of an index built with {@code clip index --dir} (same paths, scores within 1e-5).
 */
class EmbedJobIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> QUERIES = List.of("a cat", "a cup of coffee", "a rocket on a launch pad",
            "a black and white photo of a man", "a logo");

    @TempDir
    Path dir;

    private record Result(int status, String out, String err) {}

    private static Result run(List<String> command) throws IOException, InterruptedException {
        Path out = Files.createTempFile("clip-spark-it", ".out");
        Path err = Files.createTempFile("clip-spark-it", ".err");
        try {
            Process p = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            if (!p.waitFor(10, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new AssertionError("timed out: " + command);
            }
            return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                    Files.readString(err, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    private static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private static Path jar(String path) {
        Path jar = Path.of(path).toAbsolutePath();
        if (!Files.isRegularFile(jar)) {
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                throw new AssertionError(jar + " is missing: build it with 'mvn package' first");
            }
            Assumptions.abort(jar + " is missing (build the module first)");
        }
        return jar;
    }

    private List<String> clip(String... args) {
        List<String> command = new ArrayList<>(List.of(java(), "-Dclip4j.bpe=" + Fixtures.bpeVocabulary(), "-jar",
                jar("../clip-examples/target/clip.jar").toString()));
        command.addAll(List.of(args));
        return command;
    }

    @Test
    void sparkOutputImportedGivesTheTop5OfClipIndex() throws Exception {
        Path model = SparkFixtures.tinyModel();
        Path images = dir.resolve("images");
        SparkFixtures.imageFolder(images);
        Path out = dir.resolve("out.parquet");

        Result job = run(List.of(java(), "-Dclip4j.bpe=" + Fixtures.bpeVocabulary(), "-jar",
                jar("target/clip-spark.jar").toString(), "embed", "--master", "local[2]", "--model", model.toString(),
                "--input", images.toString(), "--output", out.toString(), "--batch-size", "2"));
        assertThat(job.status()).as(job.err()).isZero();
        JsonNode summary = JSON.readTree(job.out());
        assertThat(summary.get("embedded").asInt()).isEqualTo(5);
        assertThat(summary.get("failed").asInt()).isEqualTo(1);
        String broken = "c/broken.jpg";
        assertThat(summary.get("errors").get(0).get("path").asText()).isEqualTo(broken);
        assertThat(job.err()).contains("skipped " + broken);

        // Both indexes in the image folder: the importer resolves the relative paths against the index's folder.
        Path direct = images.resolve("direct.clip");
        Result indexed = run(clip("index", "--no-progress", "--model", model.toString(), "--dir", images.toString(),
                "--index", direct.toString()));
        assertThat(indexed.status()).as(indexed.err()).isZero();
        Path imported = images.resolve("imported.clip");
        Result importRun = run(clip("index", "--no-progress", "--model", model.toString(), "--import", out.toString(),
                "--index", imported.toString()));
        assertThat(importRun.status()).as(importRun.err()).isZero();

        for (String query : QUERIES) {
            JsonNode a = search(direct, model, query);
            JsonNode b = search(imported, model, query);
            assertThat(b.size()).as(query).isEqualTo(a.size()).isEqualTo(5);
            for (int i = 0; i < a.size(); i++) {
                assertThat(b.get(i).get("path").asText()).as(query + " #" + i)
                        .isEqualTo(a.get(i).get("path").asText());
                assertThat(b.get(i).get("score").asDouble()).as(query + " #" + i)
                        .isCloseTo(a.get(i).get("score").asDouble(), within(1e-5));
            }
        }
    }

    private JsonNode search(Path index, Path model, String query) throws Exception {
        Result r = run(clip("search", "--no-progress", "--model", model.toString(), "--index", index.toString(),
                "--text", query, "--top", "5"));
        assertThat(r.status()).as(r.err()).isZero();
        return JSON.readTree(r.out());
    }
}
