package io.github.clip4j.download;

import io.github.clip4j.internal.download.Downloader;
import java.net.URI;
import java.nio.file.Path;

/**
 * Runs one {@link Downloader#fetch} in a separate JVM, for the test of two processes sharing a cache.
 * Arguments: url, target, sha256. Prints {@code ready} before fetching and {@code done} after.
 */
public final class FetchInChildProcess {
    private FetchInChildProcess() {}

    public static void main(String[] args) {
        System.out.println("ready");
        System.out.flush();
        Downloader.create().fetch(URI.create(args[0]), Path.of(args[1]), args[2]);
        System.out.println("done");
    }
}
