package io.github.clip4j.internal.download;

import io.github.clip4j.download.DownloadException;
import io.github.clip4j.download.FetchInChildProcess;
import io.github.clip4j.testsupport.TestHttpServer;
import static io.github.clip4j.testsupport.TestHttpServer.bytes;
import static io.github.clip4j.testsupport.TestHttpServer.sha256;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class DownloaderTest {
    private static final byte[] CONTENT = bytes(200_000, 42);
    private static final String SHA = sha256(CONTENT);

    @TempDir
    Path dir;

    private TestHttpServer server;
    private Path target;

    @BeforeEach
    void startServer() {
        server = TestHttpServer.start();
        target = dir.resolve("cache").resolve("model.pt");
    }

    @AfterEach
    void stopServer() {
        server.close();
    }

    @Test
    void downloadsAndVerifiesTheFile() throws IOException {
        URI url = server.serve("/files/model.pt", CONTENT);

        Path result = Downloader.create().fetch(url, target, SHA);

        assertThat(result).isEqualTo(target);
        assertDownloadedOnce();
    }

    @Test
    void acceptsTheChecksumInUpperCase() throws IOException {
        URI url = server.serve("/files/model.pt", CONTENT);

        Downloader.create().fetch(url, target, SHA.toUpperCase(java.util.Locale.ROOT));

        assertThat(Files.readAllBytes(target)).isEqualTo(CONTENT);
    }

    @Test
    void anExistingVerifiedFileIsReturnedWithoutAnyRequest() throws IOException {
        URI url = server.serve("/files/model.pt", CONTENT);
        Files.createDirectories(target.getParent());
        Files.write(target, CONTENT);

        Path result = Downloader.create().fetch(url, target, SHA);

        assertThat(result).isEqualTo(target);
        assertThat(server.requests()).isZero();
    }

    @Test
    void aChecksumMismatchFailsAndLeavesNoFile() {
        byte[] tampered = CONTENT.clone();
        tampered[1000] ^= 1;
        URI url = server.serve("/files/model.pt", tampered);

        assertThatThrownBy(() -> Downloader.create().fetch(url, target, SHA))
                .isInstanceOf(DownloadException.class)
                .hasMessageContaining(url.toString())
                .hasMessageContaining(sha256(tampered))
                .hasMessageContaining(SHA)
                .hasMessageContaining(target.toString());
        assertThat(target).doesNotExist();
        assertNoTemporaryFiles();
    }

    @Test
    void aChecksumMismatchLeavesAnExistingTargetUntouched() throws IOException {
        byte[] stale = "an older, different file".getBytes(StandardCharsets.UTF_8);
        Files.createDirectories(target.getParent());
        Files.write(target, stale);
        URI url = server.serve("/files/model.pt", bytes(1000, 7));

        assertThatThrownBy(() -> Downloader.create().fetch(url, target, SHA)).isInstanceOf(DownloadException.class);

        assertThat(Files.readAllBytes(target)).isEqualTo(stale);
        assertNoTemporaryFiles();
    }

    @ParameterizedTest
    @ValueSource(ints = {404, 500})
    void anHttpErrorFailsWithTheStatus(int status) {
        URI url = server.fail("/files/model.pt", status);

        assertThatThrownBy(() -> Downloader.create().fetch(url, target, SHA))
                .isInstanceOf(DownloadException.class)
                .hasMessageContaining("HTTP " + status)
                .hasMessageContaining(url.toString())
                .hasMessageContaining(target.toString());
        assertThat(target).doesNotExist();
        assertNoTemporaryFiles();
    }

    @Test
    void aConnectionClosedMidBodyFailsAndLeavesNoFile() {
        URI url = server.handle("/files/model.pt", exchange -> {
            exchange.sendResponseHeaders(200, CONTENT.length);
            OutputStream out = exchange.getResponseBody();
            out.write(CONTENT, 0, CONTENT.length / 2);
            out.flush();
            // Closing the exchange before the announced length makes the server drop the connection.
            exchange.close();
        });

        assertThatThrownBy(() -> Downloader.create().fetch(url, target, SHA))
                .isInstanceOf(DownloadException.class)
                .hasMessageContaining(url.toString())
                .hasMessageContaining(target.toString());
        assertThat(target).doesNotExist();
        assertNoTemporaryFiles();
    }

    @Test
    void aPartialFileAtTheTargetIsReplaced() throws IOException {
        Files.createDirectories(target.getParent());
        Files.write(target, java.util.Arrays.copyOf(CONTENT, CONTENT.length / 3));
        URI url = server.serve("/files/model.pt", CONTENT);

        Downloader.create().fetch(url, target, SHA);

        assertDownloadedOnce();
    }

    @Test
    void aTargetThatIsAFolderIsRefused() throws IOException {
        Files.createDirectories(target);
        URI url = server.serve("/files/model.pt", CONTENT);

        assertThatThrownBy(() -> Downloader.create().fetch(url, target, SHA))
                .isInstanceOf(DownloadException.class)
                .hasMessageContaining(target.toString())
                .hasMessageContaining("not a regular file");
        assertThat(target).isDirectory();
        assertThat(server.requests()).isZero();
    }

    @Test
    void twoThreadsFetchingTheSameFileDownloadItOnce() throws Exception {
        CountDownLatch bothStarted = new CountDownLatch(2);
        URI url = server.handle("/files/model.pt", exchange -> {
            awaitQuietly(bothStarted);
            sleepQuietly(300); // let the other thread reach the lock while this download is under way
            TestHttpServer.respond(exchange, 200, CONTENT);
        });
        ExecutorService threads = Executors.newFixedThreadPool(2);
        try {
            List<Future<Path>> results = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                results.add(threads.submit(() -> {
                    bothStarted.countDown();
                    return Downloader.create().fetch(url, target, SHA);
                }));
            }
            for (Future<Path> result : results) {
                assertThat(result.get(30, TimeUnit.SECONDS)).isEqualTo(target);
            }
        } finally {
            threads.shutdownNow();
        }
        assertDownloadedOnce();
    }

    @Test
    void twoProcessesFetchingTheSameFileDownloadItOnce() throws Exception {
        CountDownLatch bothReady = new CountDownLatch(1);
        URI url = server.handle("/files/model.pt", exchange -> {
            // Hold the first download until both processes are inside fetch, so the second one has to wait.
            awaitQuietly(bothReady);
            TestHttpServer.respond(exchange, 200, CONTENT);
        });
        List<Process> processes = new ArrayList<>();
        try {
            for (int i = 0; i < 2; i++) {
                processes.add(startChild(url));
            }
            for (Process process : processes) {
                String line = new BufferedReader(new InputStreamReader(process.getInputStream(),
                        StandardCharsets.UTF_8)).readLine();
                assertThat(line).as("child's first line").isEqualTo("ready");
            }
            sleepQuietly(500); // let the second child reach the lock
            bothReady.countDown();
            for (Process process : processes) {
                if (!process.waitFor(45, TimeUnit.SECONDS)) {
                    fail("the child process did not finish within 45 s");
                }
                assertThat(process.exitValue())
                        .as(new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8))
                        .isZero();
            }
        } finally {
            processes.forEach(Process::destroyForcibly);
        }
        assertDownloadedOnce();
    }

    @Test
    void theListenerSeesIncreasingProgressEndingAtTheTotal() {
        URI url = server.serve("/files/model.pt", CONTENT);
        List<long[]> events = new ArrayList<>();
        List<String> names = new ArrayList<>();

        Downloader.create()
                .withListener((name, done, total) -> {
                    names.add(name);
                    events.add(new long[] {done, total});
                })
                .fetch(url, target, SHA);

        assertThat(names).containsOnly("model.pt");
        assertThat(events).hasSizeGreaterThan(2);
        assertThat(events).allSatisfy(event -> assertThat(event[1]).isEqualTo(CONTENT.length));
        for (int i = 1; i < events.size(); i++) {
            assertThat(events.get(i)[0]).as("event %d", i).isGreaterThan(events.get(i - 1)[0]);
        }
        assertThat(events.get(events.size() - 1)[0]).isEqualTo(CONTENT.length);
    }

    @Test
    void theListenerIsNotCalledForACachedFile() throws IOException {
        URI url = server.serve("/files/model.pt", CONTENT);
        Files.createDirectories(target.getParent());
        Files.write(target, CONTENT);
        List<Long> events = new ArrayList<>();

        Downloader.create().withListener((name, done, total) -> events.add(done)).fetch(url, target, SHA);

        assertThat(events).isEmpty();
    }

    @Test
    void offlineTheMessageSaysWhereToPutTheFile() {
        URI url = TestHttpServer.closedPortUri("/files/model.pt");

        assertThatThrownBy(() -> Downloader.create().withTimeouts(Duration.ofSeconds(5), Duration.ofSeconds(5))
                        .fetch(url, target, SHA))
                .isInstanceOf(DownloadException.class)
                .hasMessageContaining("cannot be reached")
                .hasMessageContaining(url.toString())
                .hasMessageContaining("copy the file to " + target)
                .hasMessageContaining(SHA);
        assertThat(target).doesNotExist();
        assertNoTemporaryFiles();
    }

    @Test
    void aBodyThatStallsFailsAfterTheReadTimeout() {
        CountDownLatch released = new CountDownLatch(1);
        URI url = server.handle("/files/model.pt", exchange -> {
            exchange.sendResponseHeaders(200, CONTENT.length);
            OutputStream out = exchange.getResponseBody();
            out.write(CONTENT, 0, 1000);
            out.flush();
            awaitQuietly(released); // stall until the test ends
        });
        try {
            long start = System.nanoTime();
            assertThatThrownBy(() -> Downloader.create().withTimeouts(Duration.ofSeconds(5), Duration.ofSeconds(1))
                            .fetch(url, target, SHA))
                    .isInstanceOf(DownloadException.class)
                    .hasMessageContaining("no data")
                    .hasMessageContaining(target.toString());
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(20));
        } finally {
            released.countDown();
        }
        assertThat(target).doesNotExist();
        assertNoTemporaryFiles();
    }

    @Test
    void rejectsAMalformedChecksum() {
        URI url = server.serve("/files/model.pt", CONTENT);

        assertThatThrownBy(() -> Downloader.create().fetch(url, target, "abc123"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("abc123");
        assertThat(server.requests()).isZero();
    }

    @Test
    void rejectsNonPositiveTimeouts() {
        assertThatThrownBy(() -> Downloader.create().withTimeouts(Duration.ZERO, Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Downloader.create().withTimeouts(Duration.ofSeconds(1), Duration.ofSeconds(-1)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void sha256OfAFileMatchesTheStandardTestVector() throws IOException {
        Path file = Files.writeString(dir.resolve("abc.txt"), "abc", StandardCharsets.US_ASCII);

        // FIPS 180-2, appendix B.1
        assertThat(Downloader.sha256(file))
                .isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }

    private Process startChild(URI url) throws IOException {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        return new ProcessBuilder(java.toString(), "-cp", System.getProperty("java.class.path"),
                FetchInChildProcess.class.getName(), url.toString(), target.toString(), SHA)
                .start();
    }

    /** The target holds the content, fetched with one request, and no partial download is left beside it. */
    private void assertDownloadedOnce() throws IOException {
        assertThat(Files.readAllBytes(target)).isEqualTo(CONTENT);
        assertThat(server.requests()).isEqualTo(1);
        assertNoTemporaryFiles();
    }

    private void assertNoTemporaryFiles() {
        Path folder = target.getParent();
        if (!Files.isDirectory(folder)) {
            return;
        }
        try (Stream<Path> files = Files.list(folder)) {
            assertThat(files.map(f -> f.getFileName().toString()))
                    .as("files in %s", folder)
                    .noneMatch(name -> name.endsWith(".part"));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static void sleepQuietly(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
