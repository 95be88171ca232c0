package io.github.clip4j.retrieval;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * Indexes a folder into an index in a separate JVM, for the tests of two writers and of {@code kill -9}.
 * Arguments: index file, folder, N. After N or more images are embedded it prints {@code blocked DONE} and waits
 * for a line on stdin (or to be killed); at the end it prints {@code done ADDED}.
 */
public final class IndexInChildProcess {
    private IndexInChildProcess() {}

    public static void main(String[] args) throws Exception {
        int blockAt = Integer.parseInt(args[2]);
        BufferedReader stdin = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        boolean[] blocked = {false};
        HashModel model = new HashModel("hash#1234");
        try (ImageIndex index = ImageIndex.open(Path.of(args[0]), model)) {
            IndexUpdate update = index.addDirectory(Path.of(args[1]), (done, total) -> {
                if (!blocked[0] && done >= blockAt) {
                    blocked[0] = true;
                    System.out.println("blocked " + model.imagesEmbedded.get());
                    System.out.flush();
                    try {
                        stdin.readLine();
                    } catch (java.io.IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                }
            });
            System.out.println("done " + update.added());
        }
    }
}
