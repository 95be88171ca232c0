package io.github.clip4j.cli;

import static io.github.clip4j.cli.CliFixtures.assertFails;
import static io.github.clip4j.cli.CliFixtures.clip;
import static io.github.clip4j.cli.CliFixtures.image;
import static io.github.clip4j.cli.CliFixtures.ok;
import static io.github.clip4j.cli.CliFixtures.tinyModel;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.clip4j.internal.io.AtomicFiles;
import io.github.clip4j.internal.retrieval.IndexRows;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --kind hnsw}, {@code --filter}, {@code export} and {@code index --import} on the tiny model. */
class HnswParquetCommandTest {
    private static final List<String> IMAGES =
            List.of("camera.png", "chelsea.png", "coffee.png", "logo.png", "palette_color.png", "rocket.jpg");
    private static final List<String> QUERIES = List.of("a cat", "a rocket", "a cup of coffee", "a man with a camera");

    @TempDir
    Path dir;

    private Path photos;

    @BeforeEach
    void copyImages() throws Exception {
        photos = Files.createDirectories(dir.resolve("photos"));
        for (String name : IMAGES) {
            Files.copy(image(name), photos.resolve(name));
        }
    }

    private JsonNode index(Path index, String kind) {
        return ok("index", "--model", tinyModel().toString(), "--dir", photos.toString(), "--index", index.toString(),
                "--kind", kind);
    }

    private JsonNode search(Path index, String query, String... more) {
        List<String> args = new ArrayList<>(List.of("search", "--index", index.toString(), "--model",
                tinyModel().toString(), "--text", query, "--top", "3"));
        args.addAll(List.of(more));
        return ok(args.toArray(String[]::new));
    }

    private static List<String> paths(JsonNode hits) {
        List<String> paths = new ArrayList<>();
        hits.forEach(h -> paths.add(h.get("path").asText()));
        return paths;
    }

    @Test
    void anHnswIndexOfARealFolderGivesTheExactTop3() {
        Path exact = dir.resolve("photos.clipindex");
        Path hnsw = dir.resolve("photos.hnsw");
        index(exact, "exact");
        JsonNode first = index(hnsw, "hnsw");
        assertThat(first.get("added").asInt()).isEqualTo(6);
        assertThat(hnsw).isDirectory();
        assertThat(index(hnsw, "auto").get("unchanged").asInt()).isEqualTo(6);
        for (String q : QUERIES) {
            JsonNode e = search(exact, q);
            JsonNode h = search(hnsw, q);
            assertThat(paths(h)).as(q).isEqualTo(paths(e)).hasSize(3);
            for (int i = 0; i < 3; i++) {
                assertThat(h.get(i).get("score").asDouble()).isCloseTo(e.get(i).get("score").asDouble(), within(1e-5));
            }
        }
    }

    @Test
    void filtersOnBothKindsAndBadFiltersAreUsageErrors() {
        Path exact = dir.resolve("photos.clipindex");
        Path hnsw = dir.resolve("photos.hnsw");
        index(exact, "exact");
        index(hnsw, "hnsw");
        for (Path index : List.of(exact, hnsw)) {
            assertThat(paths(search(index, "a rocket", "--filter", "type=png"))).hasSize(3)
                    .allMatch(p -> p.endsWith(".png"));
            assertThat(paths(search(index, "a cat", "--filter", "type=jpeg"))).containsExactly(
                    photos.resolve("rocket.jpg").toString());
            assertThat(paths(search(index, "a cat", "--filter", "dir=photos", "--filter", "after=2000-01-01")))
                    .hasSize(3);
            assertThat(paths(search(index, "a cat", "--filter", "after=2999-01-01"))).isEmpty();
            assertFails(clip("search", "--index", index.toString(), "--model", tinyModel().toString(), "--text", "x",
                    "--filter", "colour=red"), 2, "colour=red");
            assertFails(clip("search", "--index", index.toString(), "--model", tinyModel().toString(), "--text", "x",
                    "--filter", "after=last week"), 2, "last week");
        }
    }

    @Test
    void exportThenImportGivesIdenticalSearchResults() {
        for (String kind : List.of("hnsw", "exact")) {
            Path original = dir.resolve("original-" + kind);
            index(original, kind);
            Path parquet = dir.resolve("embeddings-" + kind + ".parquet");
            assertThat(ok("export", "--index", original.toString(), "--out", parquet.toString()).toString())
                    .isEqualTo("{\"rows\":6}");
            for (String into : List.of("hnsw", "exact")) {
                Path copy = dir.resolve("copy-" + kind + "-" + into);
                JsonNode imported = ok("index", "--model", tinyModel().toString(), "--import", parquet.toString(),
                        "--index", copy.toString(), "--kind", into);
                assertThat(imported.get("added").asInt()).isEqualTo(6);
                assertThat(imported.get("total").asInt()).isEqualTo(6);
                for (String q : QUERIES) {
                    assertThat(search(copy, q)).as(kind + " -> " + into + ": " + q).isEqualTo(search(original, q));
                }
                // Importing again changes nothing.
                assertThat(ok("index", "--model", tinyModel().toString(), "--import", parquet.toString(), "--index",
                        copy.toString()).get("unchanged").asInt()).isEqualTo(6);
            }
        }
    }

    @Test
    void anImportOfAnotherModelsEmbeddingsIsRefusedNamingBoth() throws Exception {
        Path parquet = dir.resolve("foreign.parquet");
        AtomicFiles.write(parquet, channel -> {
            try (EmbeddingsParquet.Writer w = new EmbeddingsParquet.Writer(channel, "ViT-B/32#0123456789abcdef")) {
                w.write(new IndexRows.Row("a.jpg", new float[] {1, 0, 0}, 3, 4));
            }
        });
        Path index = dir.resolve("i.hnsw");
        assertFails(clip("index", "--model", tinyModel().toString(), "--import", parquet.toString(), "--index",
                index.toString(), "--kind", "hnsw"), 1, "ViT-B/32#0123456789abcdef", "vit-tiny", parquet.toString());
        assertThat(index).doesNotExist();
        assertFails(clip("index", "--model", tinyModel().toString(), "--import", dir.resolve("none.parquet")
                .toString(), "--index", index.toString()), 1, "none.parquet");
        assertFails(clip("index", "--model", tinyModel().toString(), "--dir", photos.toString(), "--index",
                index.toString(), "--kind", "fast"), 2, "--kind fast");
    }

    /** A Parquet file is untrusted input: garbage or a truncated file is one clip: error line, never a stack trace. */
    @Test
    void aBrokenParquetFileIsOneErrorLine() throws Exception {
        Path index = dir.resolve("i.hnsw");
        Path garbage = Files.write(dir.resolve("garbage.parquet"), "PAR1 not really parquet PAR1".getBytes());
        CliRun run = clip("index", "--model", tinyModel().toString(), "--import", garbage.toString(), "--index",
                index.toString(), "--kind", "hnsw");
        assertFails(run, 1, "garbage.parquet");
        assertThat(run.err()).doesNotContain("internal error");
        Path good = dir.resolve("good.parquet");
        AtomicFiles.write(good, channel -> {
            try (EmbeddingsParquet.Writer w = new EmbeddingsParquet.Writer(channel, "vit-tiny#00")) {
                for (int i = 0; i < 100; i++) {
                    w.write(new IndexRows.Row("p" + i + ".jpg", new float[] {1, 0, 0}, 3, 4));
                }
            }
        });
        byte[] bytes = Files.readAllBytes(good);
        Path truncated = Files.write(dir.resolve("truncated.parquet"),
                java.util.Arrays.copyOfRange(bytes, 0, bytes.length / 2));
        run = clip("index", "--model", tinyModel().toString(), "--import", truncated.toString(), "--index",
                index.toString(), "--kind", "hnsw");
        assertFails(run, 1, "truncated.parquet");
        assertThat(run.err()).doesNotContain("internal error");
        assertThat(index).doesNotExist();
    }
}
