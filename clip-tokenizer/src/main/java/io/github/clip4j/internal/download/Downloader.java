package io.github.clip4j.internal.download;

import io.github.clip4j.internal.io.AtomicFiles;
import io.github.clip4j.download.DownloadException;
import io.github.clip4j.download.DownloadListener;
import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Locale;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Downloads a file into a cache, verified by SHA-256, so that a half-written or tampered file is never used.
 *
 * <ul>
 *   <li>An existing target whose checksum matches is returned without any network access.</li>
 *   <li>The body goes to a temporary file beside the target and is renamed over it only once its checksum
 *       matches: a crash or a dropped connection never leaves a partial file under the target's name.</li>
 *   <li>A lock file ({@code target + ".lock"}) keeps two processes (and two threads) from downloading the same
 *       file at once; the second waits and then finds the first one's verified file.</li>
 * </ul>
 *
 * <pre>{@code
 * Path vocab = Downloader.create().fetch(
 *         URI.create("https://example.org/bpe_simple_vocab_16e6.txt.gz"),
 *         Path.of(System.getProperty("user.home"), ".cache/clip/bpe_simple_vocab_16e6.txt.gz"),
 *         "924691ac288e54409236115652ad4aa250f48203de50a9e4722a6ecd48d6804a");
 * }</pre>
 *
 * <p>Instances are immutable and thread-safe.
 */
public final class Downloader {
    private static final ConcurrentMap<Path, ReentrantLock> IN_PROCESS_LOCKS = new ConcurrentHashMap<>();
    private static final int BUFFER_BYTES = 1 << 16;

    private final Duration connectTimeout;
    private final Duration readTimeout;
    private final DownloadListener listener;

    private Downloader(Duration connectTimeout, Duration readTimeout, DownloadListener listener) {
        this.connectTimeout = connectTimeout;
        this.readTimeout = readTimeout;
        this.listener = listener;
    }

    /**
     * A downloader with 30 s connect and 60 s read timeouts and no progress reporting.
     *
     * @return a new downloader with the default settings
     */
    public static Downloader create() {
        return new Downloader(Duration.ofSeconds(30), Duration.ofSeconds(60), DownloadListener.NONE);
    }

    /**
     * A copy of this downloader that reports progress to {@code listener}.
     *
     * @param listener receives the progress of every download, on the downloading thread
     * @return a downloader like this one that reports to {@code listener}
     */
    public Downloader withListener(DownloadListener listener) {
        return new Downloader(connectTimeout, readTimeout, requireNonNull(listener, "listener"));
    }

    /**
     * A copy of this downloader with other timeouts. The read timeout bounds the wait for the response headers
     * and every pause in the body: a download that receives nothing for that long fails.
     *
     * @param connect how long to wait for the connection, positive
     * @param read how long to wait for the headers and for each part of the body, positive
     * @return a downloader like this one with the given timeouts
     * @throws IllegalArgumentException if a timeout is zero or negative
     */
    public Downloader withTimeouts(Duration connect, Duration read) {
        requireNonNull(connect, "connect");
        requireNonNull(read, "read");
        if (connect.isNegative() || connect.isZero() || read.isNegative() || read.isZero()) {
            throw new IllegalArgumentException("timeouts must be positive: connect=" + connect + ", read=" + read);
        }
        return new Downloader(connect, read, listener);
    }

    /**
     * Returns {@code target}, downloading it from {@code url} first unless it is already there with the expected
     * checksum.
     *
     * @param url the address to download from when the target is missing or does not match
     * @param target the file to return; its folder is created when missing
     * @param sha256 the expected SHA-256 as hex (either case), or null when no checksum is known: then a file
     *     already at {@code target} is taken as it is, and a download is checked only against its
     *     {@code Content-Length} (the caller should warn that the file is unverified)
     * @return {@code target}, which now holds a file with the expected checksum (or, without one, a complete download)
     * @throws IllegalArgumentException if {@code sha256} is not null and not 64 hex digits
     * @throws DownloadException if the download fails or the received file does not match {@code sha256};
     *     the target is then left as it was
     */
    @SuppressWarnings("try") // the file lock is held by the try block, never read
    public Path fetch(URI url, Path target, String sha256) {
        requireNonNull(url, "url");
        requireNonNull(target, "target");
        String expected = sha256 == null ? null : sha256.toLowerCase(Locale.ROOT);
        if (expected != null && !expected.matches("[0-9a-f]{64}")) {
            throw new IllegalArgumentException("sha256 must be 64 hex digits: " + sha256);
        }
        Path absolute = target.toAbsolutePath().normalize();
        if (Files.exists(absolute) && !Files.isRegularFile(absolute)) {
            throw new DownloadException(target + " exists and is not a regular file, so " + url
                    + " cannot be downloaded there; move it away or choose another folder");
        }
        if (matches(absolute, expected)) {
            return target;
        }
        ReentrantLock threadLock = IN_PROCESS_LOCKS.computeIfAbsent(absolute, p -> new ReentrantLock());
        threadLock.lock();
        try {
            Files.createDirectories(absolute.getParent());
            Path lockFile = absolute.resolveSibling(absolute.getFileName() + ".lock");
            try (FileChannel lockChannel = FileChannel.open(lockFile, StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE);
                 FileLock ignored = lockChannel.lock()) {
                try {
                    // Another process may have finished the same download while we waited for the lock.
                    if (matches(absolute, expected)) {
                        return target;
                    }
                    download(url, absolute, expected);
                    return target;
                } finally {
                    // Removed while still held, so no stray .lock stays behind, whether the download worked or not.
                    // A process already waiting on it then finds the file (or downloads it atomically itself).
                    Files.deleteIfExists(lockFile);
                }
            }
        } catch (IOException e) {
            throw new DownloadException("cannot write " + target + ": " + e.getMessage(), e);
        } finally {
            threadLock.unlock();
        }
    }

    /**
     * The SHA-256 of a file as lowercase hex.
     *
     * @param file the file to hash
     * @return 64 lowercase hex digits
     * @throws IOException if the file cannot be read
     */
    public static String sha256(Path file) throws IOException {
        MessageDigest digest = newDigest();
        try (InputStream in = new DigestInputStream(Files.newInputStream(file), digest)) {
            in.transferTo(OutputStream.nullOutputStream());
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    private static boolean matches(Path file, String expected) {
        if (!Files.isRegularFile(file)) {
            return false;
        }
        if (expected == null) {
            return true; // nothing to verify against: a file that is there is taken
        }
        try {
            return sha256(file).equals(expected);
        } catch (IOException e) {
            return false;
        }
    }

    private void download(URI url, Path target, String expected) throws IOException {
        String name = target.getFileName().toString();
        HttpResponse<InputStream> response = send(url, target, expected);
        long total = response.headers().firstValueAsLong("Content-Length").orElse(-1);
        // Verified inside the atomic write: a short, broken or wrong body throws, and the target is never touched.
        AtomicFiles.write(target, channel -> {
            MessageDigest digest = newDigest();
            long done = 0;
            InputStream body = response.body();
            StallGuard guard = new StallGuard(body, readTimeout);
            OutputStream out = Channels.newOutputStream(channel);
            try (body; guard) {
                byte[] buffer = new byte[BUFFER_BYTES];
                listener.onProgress(name, 0, total);
                for (int n; (n = body.read(buffer)) >= 0 && !guard.stalled(); ) {
                    guard.dataArrived();
                    out.write(buffer, 0, n);
                    digest.update(buffer, 0, n);
                    done += n;
                    listener.onProgress(name, done, total);
                }
            } catch (IOException e) {
                if (!guard.stalled()) {
                    throw failure(url, target, expected, "the connection broke after " + done + " bytes ("
                            + e.getMessage() + ")", e);
                }
            }
            if (guard.stalled()) {
                throw failure(url, target, expected, "no data arrived for " + describe(readTimeout) + " after "
                        + done + " bytes", null);
            }
            if (total >= 0 && done != total) {
                throw failure(url, target, expected, "received " + done + " of " + total + " bytes", null);
            }
            String actual = HexFormat.of().formatHex(digest.digest());
            if (expected != null && !actual.equals(expected)) {
                throw new DownloadException("the file downloaded from " + url + " has SHA-256 " + actual
                        + " but " + expected + " was expected; it was discarded. Retry later, or put a correct copy at "
                        + target);
            }
        });
    }

    private HttpResponse<InputStream> send(URI url, Path target, String expected) {
        HttpClient client = HttpClient.newBuilder()
                .connectTimeout(connectTimeout)
                .followRedirects(HttpClient.Redirect.NORMAL)
                .build();
        HttpRequest request = HttpRequest.newBuilder(url).timeout(readTimeout).GET().build();
        HttpResponse<InputStream> response;
        try {
            response = client.send(request, HttpResponse.BodyHandlers.ofInputStream());
        } catch (ConnectException | UnknownHostException | HttpTimeoutException e) {
            throw failure(url, target, expected, "the server cannot be reached (" + e + ")", e);
        } catch (IOException e) {
            throw failure(url, target, expected, e.toString(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw failure(url, target, expected, "interrupted", e);
        }
        if (response.statusCode() != 200) {
            try {
                response.body().close(); // release the connection without reading the error page
            } catch (IOException ignored) {
                // the status is the error worth reporting
            }
            throw failure(url, target, expected, "the server answered HTTP " + response.statusCode(), null);
        }
        return response;
    }

    /**
     * Closes a response body when no data arrived for the read timeout. The HTTP client's timeout covers only the
     * response headers, and a read from a stalled body would otherwise block for as long as the server keeps the
     * connection open.
     */
    private static final class StallGuard implements AutoCloseable {
        private static final ScheduledExecutorService WATCHDOG = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "clip4j-download-watchdog");
            thread.setDaemon(true);
            return thread;
        });

        private final AtomicLong lastData = new AtomicLong(System.nanoTime());
        private final AtomicBoolean stalled = new AtomicBoolean();
        private final ScheduledFuture<?> check;

        StallGuard(InputStream body, Duration timeout) {
            long limit = timeout.toNanos();
            long period = Math.max(limit / 4, TimeUnit.MILLISECONDS.toNanos(50));
            check = WATCHDOG.scheduleWithFixedDelay(() -> {
                if (System.nanoTime() - lastData.get() > limit && stalled.compareAndSet(false, true)) {
                    try {
                        body.close(); // wakes the reader: its read returns -1 or throws
                    } catch (IOException ignored) {
                        // the reader reports the stall
                    }
                }
            }, period, period, TimeUnit.NANOSECONDS);
        }

        void dataArrived() {
            lastData.set(System.nanoTime());
        }

        boolean stalled() {
            return stalled.get();
        }

        @Override
        public void close() {
            check.cancel(false);
        }
    }

    private static DownloadException failure(URI url, Path target, String sha256, String why, Throwable cause) {
        return new DownloadException("cannot download " + url + ": " + why + ". To work offline, copy the file to "
                + target + " (SHA-256 " + sha256 + ")", cause);
    }

    private static String describe(Duration duration) {
        return duration.toSeconds() >= 1 ? duration.toSeconds() + " s" : duration.toMillis() + " ms";
    }

    private static MessageDigest newDigest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
