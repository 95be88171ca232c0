package io.github.clip4j.cli;

import static io.github.clip4j.cli.CliFixtures.assertFails;
import static io.github.clip4j.cli.CliFixtures.clip;
import static io.github.clip4j.cli.CliFixtures.dot;
import static io.github.clip4j.cli.CliFixtures.floats;
import static io.github.clip4j.cli.CliFixtures.image;
import static io.github.clip4j.cli.CliFixtures.ok;
import static io.github.clip4j.cli.CliFixtures.png;
import static io.github.clip4j.cli.CliFixtures.tinyModel;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.clip4j.tokenizer.ClipTokenizer;
import io.github.clip4j.testsupport.Fixtures;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code clip index} and {@code clip search} on the tiny model. */
class IndexSearchCommandTest {
    private static final List<String> IMAGES =
            List.of("camera.png", "chelsea.png", "coffee.png", "logo.png", "palette_color.png", "rocket.jpg");

    @TempDir
    Path dir;

    private Path photos;
    private Path index;

    @BeforeEach
    void copyImages() throws Exception {
        photos = Files.createDirectories(dir.resolve("photos"));
        for (String name : IMAGES) {
            Files.copy(image(name), photos.resolve(name));
        }
        Files.writeString(photos.resolve("broken.jpg"), "this is not a JPEG");
        Files.writeString(photos.resolve("notes.txt"), "not an image extension: ignored");
        index = dir.resolve("photos.clipindex");
    }

    private JsonNode index() {
        return ok("index", "--model", tinyModel().toString(), "--dir", photos.toString(), "--index",
                index.toString());
    }

    @Test
    void indexingCountsAndReportsUnreadableFiles() throws Exception {
        JsonNode first = index();
        assertThat(first.fieldNames()).toIterable()
                .containsExactly("added", "updated", "removed", "unchanged", "total", "skipped");
        assertThat(counts(first)).containsExactly(6, 0, 0, 0, 6);
        assertThat(first.get("skipped")).hasSize(1);
        JsonNode skipped = first.get("skipped").get(0);
        assertThat(skipped.fieldNames()).toIterable().containsExactly("path", "reason");
        assertThat(skipped.get("path").asText()).endsWith("broken.jpg");
        assertThat(skipped.get("reason").asText()).isNotBlank();
        assertThat(index).isRegularFile();

        assertThat(counts(index())).containsExactly(0, 0, 0, 6, 6);

        Files.delete(photos.resolve("logo.png"));
        Files.copy(image("logo.png"), photos.resolve("logo copy.png"));
        assertThat(counts(index())).containsExactly(1, 0, 1, 5, 6);
    }

    private static List<Integer> counts(JsonNode json) {
        List<Integer> out = new ArrayList<>();
        for (String key : List.of("added", "updated", "removed", "unchanged", "total")) {
            out.add(json.get(key).asInt());
        }
        return out;
    }

    @Test
    void textSearchRanksByCosineSimilarity() {
        index();
        String query = "a cat sitting on a chair";
        JsonNode hits = ok("search", "--index", index.toString(), "--model", tinyModel().toString(), "--text", query,
                "--top", "6");

        List<String> args = new ArrayList<>(List.of("embed", "--model", tinyModel().toString(), "--text", query));
        IMAGES.forEach(name -> args.addAll(List.of("--image", photos.resolve(name).toString())));
        JsonNode embedded = ok(args.toArray(String[]::new));
        float[] text = floats(embedded.get("texts").get(0).get("embedding"));
        Map<String, Double> cosine = new HashMap<>();
        for (JsonNode entry : embedded.get("images")) {
            cosine.put(Path.of(entry.get("path").asText()).getFileName().toString(),
                    dot(text, floats(entry.get("embedding"))));
        }
        List<String> expectedOrder = new ArrayList<>(IMAGES);
        expectedOrder.sort(Comparator.comparing(cosine::get).reversed());

        assertThat(hits).hasSize(6);
        List<String> order = new ArrayList<>();
        for (JsonNode hit : hits) {
            assertThat(hit.fieldNames()).toIterable().containsExactly("path", "score");
            Path path = Path.of(hit.get("path").asText());
            assertThat(path).isRegularFile();
            String name = path.getFileName().toString();
            order.add(name);
            assertThat(hit.get("score").asDouble()).as(name).isCloseTo(cosine.get(name), within(1e-5));
        }
        assertThat(order).isEqualTo(expectedOrder);
    }

    @Test
    void imageSearchKeepsTheImageItselfWithNoExcludeQueryAndTopLimits() {
        index();
        for (String keep : List.of("--no-exclude-query", "--exclude-query=false")) {
            JsonNode hits = ok("search", "--index", index.toString(), "--model", tinyModel().toString(), "--image",
                    photos.resolve("chelsea.png").toString(), "--top", "2", keep);
            assertThat(hits).as(keep).hasSize(2);
            assertThat(hits.get(0).get("path").asText()).endsWith("chelsea.png");
            assertThat(hits.get(0).get("score").asDouble()).isCloseTo(1.0, within(1e-4));
            assertThat(hits.get(1).get("score").asDouble())
                    .isLessThanOrEqualTo(hits.get(0).get("score").asDouble());
        }
    }

    @Test
    void imageSearchLeavesOutTheQueryImageByDefaultComparingRealPaths() throws Exception {
        index();
        Path query = photos.resolve("chelsea.png");
        JsonNode kept = ok("search", "--index", index.toString(), "--model", tinyModel().toString(), "--image",
                query.toString(), "--top", "3", "--no-exclude-query");
        // The same file by another name: a symbolic link to it, given with a relative-looking detour.
        Path link = Files.createSymbolicLink(dir.resolve("link-to-chelsea.png"), query);
        for (Path asked : List.of(query, link, photos.resolve("../photos/./chelsea.png"))) {
            for (List<String> flag : List.of(List.<String>of(), List.of("--exclude-query"))) {
                List<String> args = new ArrayList<>(List.of("search", "--index", index.toString(), "--model",
                        tinyModel().toString(), "--image", asked.toString(), "--top", "2"));
                args.addAll(flag);
                JsonNode hits = ok(args.toArray(String[]::new));
                assertThat(hits).as(asked + " " + flag).hasSize(2);
                for (JsonNode hit : hits) {
                    assertThat(Path.of(hit.get("path").asText()).toRealPath()).as(asked + " " + flag)
                            .isNotEqualTo(query.toRealPath());
                }
                // the others, in the order they had with the query kept
                assertThat(hits.get(0)).isEqualTo(kept.get(1));
                assertThat(hits.get(1)).isEqualTo(kept.get(2));
            }
        }
        // An image that is not in the index loses nothing.
        Path outside = Files.copy(image("chelsea.png"), dir.resolve("elsewhere.png"));
        JsonNode notIndexed = ok("search", "--index", index.toString(), "--model", tinyModel().toString(),
                "--image", outside.toString(), "--top", "3");
        assertThat(notIndexed).isEqualTo(kept);
    }

    @Test
    void withoutModelTheIndexsModelIsFoundBesideTheIndex() throws Exception {
        Path model = Files.copy(tinyModel(), dir.resolve(tinyModel().getFileName()));
        ok("index", "--model", model.toString(), "--dir", photos.toString(), "--index", index.toString());
        JsonNode withModel = ok("search", "--index", index.toString(), "--model", model.toString(), "--text", "a dog");
        JsonNode without = ok("search", "--index", index.toString(), "--text", "a dog");
        assertThat(without).isEqualTo(withModel);
    }

    @Test
    void withoutModelAnUnfindableModelIsNamed() {
        index(); // the model's file is not beside the index, nor in the working folder
        assertFails(clip("search", "--index", index.toString(), "--text", "a dog"), 1,
                tinyModel().getFileName().toString(), "--model");
    }

    @Test
    void gridIsAPngOfTheHits() throws Exception {
        index();
        Path grid = dir.resolve("grid.png");
        ok("search", "--index", index.toString(), "--model", tinyModel().toString(), "--text", "a rocket",
                "--top", "3", "--grid", grid.toString());
        // ResultGrid: 24-pixel margins, 200-pixel thumbnails 16 apart, at least 560 wide; 64 title + 244 per row.
        assertThat(png(grid).getWidth()).isEqualTo(2 * 24 + 3 * 200 + 2 * 16);
        assertThat(png(grid).getHeight()).isEqualTo(64 + 200 + 44 + 24);
    }

    @Test
    void indexingDrawsAProgressBarOnStderrOnly() throws Exception {
        ByteArrayOutputStream progress = new ByteArrayOutputStream();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        ClipTokenizer tokenizer = CliFixtures.tokenizer();
        ClipCli cli = new ClipCli(() -> tokenizer)
                .progressTo(new PrintStream(progress, true, StandardCharsets.UTF_8));
        int status = ClipCli.commandLine(cli, new PrintWriter(out), new PrintWriter(err)).execute("index",
                "--model", tinyModel().toString(), "--dir", photos.toString(), "--index", index.toString(),
                "--batch-size", "2");
        assertThat(status).as(err.toString()).isZero();
        assertThat(CliFixtures.JSON.readTree(out.toString()).get("added").asInt()).isEqualTo(6);
        assertThat(progress.toString(StandardCharsets.UTF_8)).contains("Indexing").contains("7/7");
    }

    @Test
    void errorsFollowTheContract() throws Exception {
        Path missingDir = dir.resolve("nowhere");
        assertFails(clip("index", "--model", tinyModel().toString(), "--dir", missingDir.toString(), "--index",
                index.toString()), 1, missingDir.toString());
        Path missingIndex = dir.resolve("none.clipindex");
        assertFails(clip("search", "--index", missingIndex.toString(), "--text", "a dog"), 1,
                missingIndex.toString());
        Path notAnIndex = Files.writeString(dir.resolve("bogus.clipindex"), "hello");
        assertFails(clip("search", "--index", notAnIndex.toString(), "--text", "a dog"), 1, notAnIndex.toString());
        index();
        String otherModel = Fixtures.file("models/rn-tiny.safetensors").toString();
        assertFails(clip("search", "--index", index.toString(), "--model", otherModel, "--text", "a dog"), 1,
                index.toString(), "rebuild");
        assertFails(clip("search", "--index", index.toString(), "--text", "a", "--image", "b.png"), 2, "--image");
        assertFails(clip("search", "--index", index.toString()), 2, "--text");
        assertFails(clip("index", "--model", tinyModel().toString(), "--dir", photos.toString()), 2, "--index");
    }
}
