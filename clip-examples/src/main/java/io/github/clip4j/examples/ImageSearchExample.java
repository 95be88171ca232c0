package io.github.clip4j.examples;

import io.github.clip4j.Clip;
import io.github.clip4j.examples.chart.ResultGrid;
import io.github.clip4j.retrieval.ImageIndex;
import io.github.clip4j.retrieval.IndexUpdate;
import io.github.clip4j.retrieval.SearchHit;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Text-to-image search over a folder: indexes every image in it (in a temporary index file), finds the three that
 * best match a description, prints each one's cosine similarity and its ratio to the best, and draws them as a grid.
 *
 * <pre>
 * java -cp ... io.github.clip4j.examples.ImageSearchExample ViT-B/32 photos "a dog on a beach" dogs.png
 * </pre>
 *
 * <p>To keep an index between runs (only new and changed images are embedded again), give {@link ImageIndex#open}
 * a file of your own, or use {@code clip index} and {@code clip search}.
 */
public final class ImageSearchExample {
    private static final int TOP = 3;

    private ImageSearchExample() {}

    /**
     * Indexes the images of a folder, prints the best matches for a query and draws them as a grid.
     *
     * @param args {@code MODEL DIR QUERY OUT.png}: a model name or checkpoint path, the folder of images, the
     *     text to search for, and the PNG file the grid is written to; prints the usage when there are not four
     * @throws IOException if the temporary index or the grid cannot be written
     */
    public static void main(String[] args) throws IOException {
        if (args.length != 4) {
            System.err.println("usage: ImageSearchExample MODEL DIR QUERY OUT.png");
            return;
        }
        System.setProperty("java.awt.headless", "true"); // draw without a display
        Path dir = Path.of(args[1]);
        String query = args[2];
        Path grid = Path.of(args[3]);

        Path tempFolder = Files.createTempDirectory("clip4j-search");
        Path indexFile = tempFolder.resolve("images.clipindex");
        try (Clip clip = Clip.load(args[0]);
             ImageIndex index = ImageIndex.open(indexFile, clip)) {
            IndexUpdate update = index.addDirectory(dir);
            System.out.println("indexed " + update.total() + " images, skipped " + update.skipped().size());

            List<SearchHit> hits = index.search(query, TOP);
            for (int i = 0; i < hits.size(); i++) {
                SearchHit hit = hits.get(i);
                float ratio = hit.score() / hits.get(0).score();
                System.out.printf("%d. %-40s similarity %.4f  (%.0f%% of the best)%n", i + 1,
                        hit.path().getFileName(), hit.score(), 100 * ratio);
            }
            ResultGrid.write(query, hits, grid);
            System.out.println("grid: " + grid);
        } finally {
            Files.deleteIfExists(indexFile); // written when the index closes
            Files.deleteIfExists(tempFolder.resolve(indexFile.getFileName() + ".lock")); // the writer's lock file
            Files.deleteIfExists(tempFolder);
        }
    }
}
