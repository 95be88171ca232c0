package io.github.clip4j.training;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.clip4j.Clip;
import io.github.clip4j.testsupport.Fixtures;
import java.awt.Color;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A fine-tuning step on a Chinese-CLIP model, saved in both formats, reloads as exactly the trained model. */
class ChineseClipFineTuningTest {
    @TempDir
    Path dir;

    @Test
    void aTrainedChineseClipReloadsIdenticallyFromSafetensorsAndPt() throws IOException {
        List<ImageTextPair> pairs = new ArrayList<>();
        Color[] colours = {Color.RED, Color.GREEN, Color.BLUE, Color.YELLOW};
        String[] captions = {"一张红色的图片", "一张绿色的图片", "一张蓝色的图片", "一张黄色的图片"};
        for (int i = 0; i < colours.length; i++) {
            BufferedImage picture = new BufferedImage(48, 40, BufferedImage.TYPE_INT_RGB);
            for (int y = 0; y < 40; y++) {
                for (int x = 0; x < 48; x++) {
                    picture.setRGB(x, y, colours[i].getRGB() ^ ((x * 7 + y * 13) & 0x1F));
                }
            }
            Path file = dir.resolve("c" + i + ".png");
            ImageIO.write(picture, "png", file.toFile());
            pairs.add(new ImageTextPair(file, captions[i]));
        }
        try (Clip clip = Clip.builder().model(Fixtures.file("cn_models/cn-vit-tiny.pt")).threads(1).build()) {
            float[] before = clip.embedText(captions[0]).toArray();
            TrainingResult result = ContrastiveTrainer.builder(clip).epochs(1).batchSize(4).learningRate(1e-3)
                    .seed(5).build().fit(ImageTextDataset.of(pairs));
            assertThat(result.steps()).isEqualTo(1);
            float[] text = clip.embedText(captions[1]).toArray();
            float[] image = clip.embedImage(pairs.get(2).image()).toArray();
            assertThat(clip.embedText(captions[0]).toArray()).as("the step changed the model").isNotEqualTo(before);
            for (String extension : List.of("safetensors", "pt")) {
                Path out = dir.resolve("tuned." + extension);
                FineTunedWeights.save(clip, out);
                try (Clip reloaded = Clip.builder().model(out).threads(1).build()) {
                    assertThat(reloaded.embedText(captions[1]).toArray()).as(extension + " text").isEqualTo(text);
                    assertThat(reloaded.embedImage(pairs.get(2).image()).toArray()).as(extension + " image")
                            .isEqualTo(image);
                    assertThat(reloaded.logitScale()).isEqualTo(clip.logitScale());
                }
            }
        }
    }
}
