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
import io.github.clip4j.examples.chart.CjkChartFontsTest;
import io.github.clip4j.zeroshot.PromptTemplates;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code clip classify} on the tiny model: its scores are the cosines that {@code clip embed} gives. */
class ClassifyCommandTest {
    private static final List<String> LABELS = List.of("cat", "dog", "car", "一只猫");

    @TempDir
    Path dir;

    private static String model() {
        return tinyModel().toString();
    }

    private static String path(String name) {
        return image(name).toString();
    }

    @Test
    void predictionsAreAllLabelsBestFirstWithProbabilitiesSummingToOne() {
        JsonNode json = ok("classify", "--model", model(), "--labels", String.join(",", LABELS),
                path("chelsea.png"), path("coffee.png"));

        assertThat(json.isArray()).isTrue();
        assertThat(json).hasSize(2);
        assertThat(json.get(0).get("image").asText()).isEqualTo(path("chelsea.png"));
        assertThat(json.get(1).get("image").asText()).isEqualTo(path("coffee.png"));
        for (JsonNode result : json) {
            assertThat(result.fieldNames()).toIterable().containsExactly("image", "predictions");
            JsonNode predictions = result.get("predictions");
            assertThat(predictions.findValuesAsText("label")).containsExactlyInAnyOrderElementsOf(LABELS);
            double sum = 0;
            double previous = Double.POSITIVE_INFINITY;
            for (JsonNode p : predictions) {
                assertThat(p.fieldNames()).toIterable().containsExactly("label", "probability", "score");
                double probability = p.get("probability").asDouble();
                assertThat(probability).isBetween(0.0, 1.0).isLessThanOrEqualTo(previous);
                assertThat(p.get("score").asDouble()).isBetween(-1.0, 1.0);
                previous = probability;
                sum += probability;
            }
            assertThat(sum).isCloseTo(1.0, within(1e-6));
        }
    }

    @Test
    void oneTemplateScoresAreTheCosinesOfTheEmbeddings() {
        JsonNode classified = ok("classify", "--model", model(), "--labels", String.join(",", LABELS),
                "--template", "a photo of a {}", path("camera.png"));
        JsonNode embedded = embed(path("camera.png"), LABELS.stream().map(l -> "a photo of a " + l).toList());
        float[] image = floats(embedded.get("images").get(0).get("embedding"));
        for (JsonNode p : classified.get(0).get("predictions")) {
            int i = LABELS.indexOf(p.get("label").asText());
            float[] text = floats(embedded.get("texts").get(i).get("embedding"));
            assertThat(p.get("score").asDouble()).as(p.get("label").asText()).isCloseTo(dot(image, text),
                    within(1e-5));
        }
    }

    @Test
    void theDefaultIsTheSeedTemplatesAndScoresEnsemblingAveragesTheirCosines() {
        String labels = String.join(",", LABELS);
        JsonNode byDefault = ok("classify", "--model", model(), "--labels", labels, "--ensemble", "scores",
                path("chelsea.png"));
        JsonNode seed = ok("classify", "--model", model(), "--labels", labels, "--ensemble", "scores",
                "--templates", "seed", path("chelsea.png"));
        assertThat(byDefault).isEqualTo(seed);

        List<String> prompts = new ArrayList<>();
        LABELS.forEach(label -> prompts.addAll(PromptTemplates.SEED.apply(label)));
        JsonNode embedded = embed(path("chelsea.png"), prompts);
        float[] image = floats(embedded.get("images").get(0).get("embedding"));
        int t = PromptTemplates.SEED.size();
        assertThat(t).isEqualTo(4);
        for (JsonNode p : seed.get(0).get("predictions")) {
            int i = LABELS.indexOf(p.get("label").asText());
            double mean = 0;
            for (int j = 0; j < t; j++) {
                mean += dot(image, floats(embedded.get("texts").get(i * t + j).get("embedding"))) / t;
            }
            assertThat(p.get("score").asDouble()).as(p.get("label").asText()).isCloseTo(mean, within(1e-5));
        }
    }

    @Test
    void noTemplatesScoresTheBareLabels() {
        JsonNode classified = ok("classify", "--model", model(), "--label", "a, b", "--label", "c",
                "--templates", "none", path("coffee.png"));
        JsonNode embedded = embed(path("coffee.png"), List.of("a, b", "c"));
        float[] image = floats(embedded.get("images").get(0).get("embedding"));
        for (JsonNode p : classified.get(0).get("predictions")) {
            int i = List.of("a, b", "c").indexOf(p.get("label").asText());
            assertThat(i).isNotNegative();
            assertThat(p.get("score").asDouble()).isCloseTo(
                    dot(image, floats(embedded.get("texts").get(i).get("embedding"))), within(1e-5));
        }
    }

    @Test
    void topKeepsTheMostProbable() {
        String labels = String.join(",", LABELS);
        JsonNode all = ok("classify", "--model", model(), "--labels", labels, path("rocket.jpg"));
        JsonNode top = ok("classify", "--model", model(), "--labels", labels, "--top", "2", path("rocket.jpg"));
        JsonNode predictions = top.get(0).get("predictions");
        assertThat(predictions).hasSize(2);
        assertThat(predictions.get(0)).isEqualTo(all.get(0).get("predictions").get(0));
        assertThat(predictions.get(1)).isEqualTo(all.get(0).get("predictions").get(1));
    }

    @Test
    void chartsArePngsOfTheChartsSize() throws Exception {
        Path chart = java.nio.file.Files.createDirectories(dir.resolve("charts")).resolve("out.png"); // clip creates no folders
        ok("classify", "--model", model(), "--labels", String.join(",", LABELS), "--chart", chart.toString(),
                path("chelsea.png"));
        BufferedImage one = png(chart);
        // ClassificationChart: 1080 wide; 64 header + max(360 picture, 40 per label) + 24 margin.
        assertThat(one.getWidth()).isEqualTo(1080);
        assertThat(one.getHeight()).isEqualTo(64 + 360 + 24);

        Path several = dir.resolve("several.png");
        ok("classify", "--model", model(), "--labels", String.join(",", LABELS), "--chart", several.toString(),
                path("chelsea.png"), path("camera.png"));
        assertThat(several).doesNotExist();
        assertThat(png(dir.resolve("several-1.png")).getWidth()).isEqualTo(1080);
        assertThat(png(dir.resolve("several-2.png")).getWidth()).isEqualTo(1080);
    }

    @Test
    void chineseLabelsAreDrawnWithAFontFile() throws Exception {
        Path font = CjkChartFontsTest.cjkFontFile();
        Path chart = dir.resolve("chinese.png");
        JsonNode json = ok("classify", "--model", model(), "--labels", "猫,一只狗", "--chart", chart.toString(),
                "--font", font.toString(), path("chelsea.png"));
        assertThat(json.get(0).get("predictions").findValuesAsText("label")).containsExactlyInAnyOrder("猫", "一只狗");
        assertThat(png(chart).getWidth()).isEqualTo(1080);
    }

    @Test
    void aFontFileThatIsNotAFontFailsOnOneLine() throws Exception {
        Path junk = java.nio.file.Files.writeString(dir.resolve("junk.ttf"), "not a font");
        Path chart = dir.resolve("chart.png");
        assertFails(clip("classify", "--model", model(), "--labels", "猫,狗", "--chart", chart.toString(),
                "--font", junk.toString(), path("chelsea.png")), 1, "--font", junk.toString());
        assertThat(chart).doesNotExist();
        assertFails(clip("classify", "--model", model(), "--labels", "猫,狗", "--chart", chart.toString(),
                "--font", dir.resolve("gone.ttf").toString(), path("chelsea.png")), 1, "gone.ttf");
        assertFails(clip("classify", "--model", model(), "--labels", "猫,狗", "--font", junk.toString(),
                path("chelsea.png")), 2, "--chart");
        assertFails(clip("search", "--index", dir.resolve("none.clipindex").toString(), "--text", "猫",
                "--grid", chart.toString(), "--font", junk.toString()), 1, "--font", junk.toString());
    }

    @Test
    void badUsageExitsWithTwo() {
        String img = path("camera.png");
        assertFails(clip("classify", "--model", model(), img), 2, "--labels");
        assertFails(clip("classify", "--model", model(), "--labels", "a,b", "--label", "c", img), 2, "--label");
        assertFails(clip("classify", "--model", model(), "--labels", "a,a", img), 2, "\"a\"");
        assertFails(clip("classify", "--model", model(), "--labels", "a,,b", img), 2, "label 1 is blank");
        assertFails(clip("classify", "--model", model(), "--labels", "a,b", "--templates", "fancy", img), 2,
                "fancy");
        assertFails(clip("classify", "--model", model(), "--labels", "a,b", "--template", "no slot", img), 2,
                "no slot");
        assertFails(clip("classify", "--model", model(), "--labels", "a,b", "--template", "a {}", "--templates",
                "seed", img), 2, "--template");
        assertFails(clip("classify", "--model", model(), "--labels", "a,b", "--ensemble", "votes", img), 2,
                "votes");
        assertFails(clip("classify", "--model", model(), "--labels", "a,b", "--top", "0", img), 2, "top-k");
        assertFails(clip("classify", "--model", model(), "--labels", "a,b"), 2, "IMAGE");
    }

    @Test
    void aMissingArgumentIsNamedOnceWithoutPicocliPrefix() {
        CliRun run = clip("classify", "--model", model(), "--labels", "a,b");
        assertFails(run, 2, "Missing required");
        assertThat(run.errLines().get(0)).doesNotContain("Error:").contains("(see 'clip classify --help')");
    }

    @Test
    void labelsAndTemplatesAreCheckedBeforeTheModelLoads() {
        // The model does not exist: had it been loaded first, the error would be about it, with exit status 1.
        String noModel = dir.resolve("no-such-model.pt").toString();
        String img = path("camera.png");
        assertFails(clip("classify", "--model", noModel, "--labels", ",", img), 2, "label");
        assertFails(clip("classify", "--model", noModel, "--labels", "a, a", img), 2, "\"a\"", "twice");
        assertFails(clip("classify", "--model", noModel, "--labels", "a,b", "--templates", "fancy", img), 2,
                "'fancy'", "seed, openai-imagenet, chinese-imagenet, chinese, none");
        assertFails(clip("classify", "--model", noModel, "--labels", "a,b", "--template", "no slot", img), 2,
                "no slot");
        assertFails(clip("classify", "--model", " ", "--labels", "a,b", img), 2, "model name is blank");
    }

    @Test
    void badImagesFailNamingTheFile() {
        Path missing = dir.resolve("gone.png");
        assertFails(clip("classify", "--model", model(), "--labels", "a,b", path("camera.png"), missing.toString()),
                1, missing.toString());
    }

    private static JsonNode embed(String image, List<String> texts) {
        List<String> args = new ArrayList<>(List.of("embed", "--model", model(), "--image", image));
        texts.forEach(text -> args.addAll(List.of("--text", text)));
        return ok(args.toArray(String[]::new));
    }
}
