package io.github.clip4j.spark;

import io.github.clip4j.testsupport.Fixtures;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.apache.spark.sql.SparkSession;

/** What the Spark tests share: the tiny model, a folder of test images with subfolders and one broken image. */
final class SparkFixtures {
    private SparkFixtures() {}

    /** The tiny ViT checkpoint (random weights), in the TorchScript format of the released models. */
    static Path tinyModel() {
        System.setProperty("clip4j.bpe", Fixtures.bpeVocabulary().toString());
        return Fixtures.file("models/vit-tiny.jit.pt");
    }

    /** One local[2] session per test class, quiet, with few shuffle partitions (a handful of rows). */
    static SparkSession session() {
        return SparkSession.builder().master("local[2]").appName("clip4j-spark-test")
                .config("spark.ui.enabled", "false")
                .config("spark.sql.shuffle.partitions", "2")
                .config("spark.driver.host", "127.0.0.1")
                .getOrCreate();
    }

    /**
     * Fills {@code dir}: two images at the top, two in {@code a/b/}, two in {@code c/} with {@code c/broken.jpg} (a
     * JPEG cut after 3000 bytes), and a text file that is not listed.
     */
    static void imageFolder(Path dir) throws IOException {
        Files.createDirectories(dir.resolve("a/b"));
        Files.createDirectories(dir.resolve("c"));
        copy("chelsea.png", dir.resolve("chelsea.png"));
        copy("coffee.png", dir.resolve("coffee.png"));
        copy("camera.png", dir.resolve("a/b/camera.png"));
        copy("rocket.jpg", dir.resolve("a/b/rocket.jpg"));
        copy("logo.png", dir.resolve("c/logo.png"));
        byte[] jpeg = Files.readAllBytes(Fixtures.file("images/rocket.jpg"));
        Files.write(dir.resolve("c/broken.jpg"), Arrays.copyOf(jpeg, 3000));
        Files.writeString(dir.resolve("c/notes.txt"), "not an image");
    }

    private static void copy(String image, Path to) throws IOException {
        Files.copy(Fixtures.file("images/" + image), to);
    }
}
