package io.github.clip4j.cli;

import io.github.clip4j.Clip;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** An indexed folder of the fixture images and the tiny model, for the {@code clip serve} tests. */
final class ServeTestSupport {
    static final List<String> IMAGES =
            List.of("camera.png", "chelsea.png", "coffee.png", "logo.png", "palette_color.png", "rocket.jpg");

    private ServeTestSupport() {}

    /** Copies the fixture images (and an unreadable one, and a text file) into {@code dir}/photos and indexes them. */
    static Path indexedPhotos(Path dir) {
        try {
            Path photos = Files.createDirectories(dir.resolve("photos"));
            for (String name : IMAGES) {
                Files.copy(CliFixtures.image(name), photos.resolve(name));
            }
            Files.writeString(photos.resolve("broken.jpg"), "this is not a JPEG");
            Files.writeString(photos.resolve("notes.txt"), "not an image extension: ignored");
            Path index = dir.resolve("photos.clipindex");
            CliFixtures.ok("index", "--model", CliFixtures.tinyModel().toString(), "--dir", photos.toString(),
                    "--index", index.toString());
            return index;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The tiny model, loaded as the command line loads it. */
    static Clip tinyClip() {
        return Clip.builder().model(CliFixtures.tinyModel()).tokenizer(CliFixtures.tokenizer())
                .threads(Runtime.getRuntime().availableProcessors()).build();
    }
}
