package io.github.clip4j.training;

import io.github.clip4j.internal.training.CaptionTokenizer;
import io.github.clip4j.internal.training.ImageLoader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Synthetic image/caption pairs for the toy model: each "image" file holds its class number and a variant; the
 * loader turns it into a class-specific pixel pattern plus seeded noise, so the towers can learn to match
 * images with their class captions.
 */
final class ToyData {
    static final long[] IMAGE_SHAPE = {3, 4, 4};
    static final int PIXELS = 48;
    static final int CONTEXT = 6;
    static final String[] CLASSES = {"a photo of a cat", "a photo of a dog", "a red car", "an old tree",
            "a blue book", "a cup of coffee"};

    private ToyData() {}

    /** Writes {@code perClass} files for each class into {@code folder} and returns the pairs. */
    static ImageTextDataset dataset(Path folder, int perClass) throws IOException {
        List<ImageTextPair> pairs = new ArrayList<>();
        for (int c = 0; c < CLASSES.length; c++) {
            for (int v = 0; v < perClass; v++) {
                Path file = folder.resolve("img-" + c + "-" + v + ".toy");
                Files.writeString(file, c + " " + v, StandardCharsets.UTF_8);
                pairs.add(new ImageTextPair(file, CLASSES[c]));
            }
        }
        return ImageTextDataset.of(pairs);
    }

    static ImageLoader loader() {
        return ImageLoader.of(IMAGE_SHAPE, path -> {
            String[] parts = Files.readString(path, StandardCharsets.UTF_8).strip().split(" ");
            int c = Integer.parseInt(parts[0]);
            Random noise = new Random(31L * c + Integer.parseInt(parts[1]));
            Random pattern = new Random(1000 + c);
            float[] pixels = new float[PIXELS];
            for (int i = 0; i < PIXELS; i++) {
                pixels[i] = (float) (pattern.nextGaussian() + 0.3 * noise.nextGaussian());
            }
            return pixels;
        });
    }

    static CaptionTokenizer tokenizer() {
        return caption -> {
            int[] ids = new int[CONTEXT];
            String[] words = caption.split(" ");
            for (int i = 0; i < Math.min(words.length, CONTEXT); i++) {
                ids[i] = 1 + Math.floorMod(words[i].hashCode(), ToyModel.VOCAB - 1);
            }
            return ids;
        };
    }

    static ToyModel model(long seed) {
        return new ToyModel(seed, PIXELS, 16, 8);
    }
}
