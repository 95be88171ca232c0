package io.github.clip4j.cli;

import static io.github.clip4j.cli.CliFixtures.JSON;
import static io.github.clip4j.cli.CliFixtures.clip;
import static io.github.clip4j.cli.CliFixtures.image;
import static io.github.clip4j.cli.CliFixtures.ok;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.clip4j.Clip;
import io.github.clip4j.Embedding;
import io.github.clip4j.internal.ClipAccess;
import io.github.clip4j.testsupport.Fixtures;
import io.github.clip4j.tokenizer.BertWordPieceTokenizer;
import java.awt.Color;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command line on Chinese-CLIP models: tokenize, classify with Chinese labels, index and search, train. */
class ChineseClipCommandTest {
    @TempDir
    Path dir;

    private static Path cnModel() {
        return Fixtures.file("cn_models/cn-vit-tiny.pt");
    }

    @Test
    void tokenizesWithTheModelsTokenizerAndContextLength() throws IOException {
        String longText = "一".repeat(80);
        CliRun run = clip("tokenize", "--model", cnModel().toString(), "一只猫的照片", longText);
        assertThat(run.status()).as(run.err()).isZero();
        BertWordPieceTokenizer bert = BertWordPieceTokenizer.load();
        assertThat(run.outLines()).hasSize(2);
        assertThat(JSON.readValue(run.outLines().get(0), int[].class)).containsExactly(bert.tokenize("一只猫的照片"));
        int[] truncated = JSON.readValue(run.outLines().get(1), int[].class);
        assertThat(truncated).hasSize(52).startsWith(101).contains(102);

        // a released name: the tokenizer is known without downloading the model
        CliRun released = clip("tokenize", "--model", "cn-clip/ViT-B-16", "一辆红色的车");
        assertThat(released.status()).as(released.err()).isZero();
        assertThat(JSON.readValue(released.out().strip(), int[].class)).containsExactly(bert.tokenize("一辆红色的车"));
    }

    @Test
    void classifiesWithChineseLabelsAndTemplates() throws IOException {
        Path picture = image("chelsea.png");
        JsonNode result = ok("classify", "--model", cnModel().toString(), "--labels", "猫,狗,汽车", "--template",
                "{}的照片。", picture.toString());
        JsonNode predictions = result.get(0).get("predictions");
        assertThat(predictions).hasSize(3);
        double sum = 0;
        for (JsonNode p : predictions) {
            assertThat(p.get("label").asText()).isIn("猫", "狗", "汽车");
            sum += p.get("probability").asDouble();
        }
        assertThat(sum).isCloseTo(1.0, within(1e-5));
        // the scores are the library's cosines for the same prompt
        try (Clip model = Clip.load(cnModel())) {
            Embedding imageEmbedding = model.embedImage(picture);
            for (JsonNode p : predictions) {
                double cosine = imageEmbedding.dot(model.embedText(p.get("label").asText() + "的照片。"));
                assertThat(p.get("score").asDouble()).isCloseTo(cosine, within(1e-5));
            }
        }

        JsonNode ensemble = ok("classify", "--model", cnModel().toString(), "--labels", "猫,狗", "--templates",
                "chinese-imagenet", picture.toString());
        assertThat(ensemble.get(0).get("predictions")).hasSize(2);
        JsonNode byDefault = ok("classify", "--model", cnModel().toString(), "--labels", "猫,狗", picture.toString());
        assertThat(byDefault.get(0).get("predictions")).hasSize(2);
    }

    @Test
    void indexesAndSearchesWithChineseText() throws IOException {
        Path photos = Files.createDirectories(dir.resolve("photos"));
        for (String name : List.of("chelsea.png", "coffee.png", "camera.png")) {
            Files.copy(image(name), photos.resolve(name));
        }
        Path index = dir.resolve("photos.clipindex");
        JsonNode added = ok("index", "--model", cnModel().toString(), "--dir", photos.toString(), "--index",
                index.toString());
        assertThat(added.get("added").asInt()).isEqualTo(3);
        JsonNode hits = ok("search", "--index", index.toString(), "--model", cnModel().toString(), "--text",
                "一辆红色的车", "--top", "3");
        assertThat(hits).hasSize(3);
        try (Clip model = Clip.load(cnModel())) {
            Embedding query = model.embedText("一辆红色的车");
            for (JsonNode hit : hits) {
                double cosine = query.dot(model.embedImage(Path.of(hit.get("path").asText())));
                assertThat(hit.get("score").asDouble()).isCloseTo(cosine, within(1e-5));
            }
        }
    }

    @Test
    void trainsAndTheCheckpointReloadsAsTheSameModel() throws IOException {
        StringBuilder csv = new StringBuilder("image,caption\n");
        String[] captions = {"一张红色的图片", "一张绿色的图片"};
        Color[] colours = {Color.RED, Color.GREEN};
        for (int c = 0; c < 2; c++) {
            for (int v = 0; v < 2; v++) {
                BufferedImage picture = new BufferedImage(40 + 8 * v, 40, BufferedImage.TYPE_INT_RGB);
                for (int y = 0; y < 40; y++) {
                    for (int x = 0; x < picture.getWidth(); x++) {
                        picture.setRGB(x, y, colours[c].getRGB());
                    }
                }
                String name = "c" + c + v + ".png";
                ImageIO.write(picture, "png", dir.resolve(name).toFile());
                csv.append(name).append(',').append(captions[c]).append('\n');
            }
        }
        Path data = Files.writeString(dir.resolve("data.csv"), csv, StandardCharsets.UTF_8);
        for (String extension : List.of("safetensors", "pt")) {
            Path out = dir.resolve("tuned." + extension);
            CliRun run = clip("train", "--model", cnModel().toString(), "--data", data.toString(), "--out",
                    out.toString(), "--epochs", "1", "--batch-size", "4", "--lr", "1e-4", "--seed", "3");
            assertThat(run.status()).as(run.err()).isZero();
            assertThat(JSON.readTree(run.outLines().get(0)).get("steps").asInt()).isEqualTo(1);
            // the checkpoint reloads as the same architecture (4-value heads are not in the tensors: the config
            // travels in the safetensors header or as tuned.json beside the .pt)
            try (Clip tuned = Clip.load(out); Clip original = Clip.load(cnModel())) {
                assertThat(ClipAccess.model(tuned).config()).isEqualTo(ClipAccess.model(original).config());
                float[] a = tuned.embedText("一张红色的图片").toArray();
                float[] b = original.embedText("一张红色的图片").toArray();
                assertThat(a).hasSize(b.length);
                assertThat(a).isNotEqualTo(b); // it was trained
                assertThat(tuned.tokenizer()).isInstanceOf(BertWordPieceTokenizer.class);
            }
        }
    }
}
