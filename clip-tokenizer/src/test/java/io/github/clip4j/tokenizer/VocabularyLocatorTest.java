package io.github.clip4j.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import io.github.clip4j.internal.download.Downloader;
import io.github.clip4j.testsupport.Fixtures;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Where the vocabulary comes from (explicit > property > environment > cache > download), with the home folder,
 * environment, properties and the server all replaced: a local HTTP server on 127.0.0.1 serves the file.
 */
class VocabularyLocatorTest {
    private static final byte[] VOCABULARY = SyntheticVocabulary.gzip(List.of("a b", "b c</w>"));

    @TempDir
    Path dir;

    private HttpServer server;
    private final AtomicInteger requests = new AtomicInteger();
    private volatile int status = 200;
    private volatile byte[] body = VOCABULARY;

    @BeforeEach
    void startServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/bpe.txt.gz", exchange -> {
            requests.incrementAndGet();
            byte[] bytes = status == 200 ? body : new byte[0];
            exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        });
        server.start();
    }

    @AfterEach
    void stopServer() {
        server.stop(0);
    }

    @Test
    void anExplicitPathWinsOverEverything() throws IOException {
        Path explicit = Files.write(dir.resolve("explicit.txt.gz"), VOCABULARY);
        Path property = Files.write(dir.resolve("property.txt.gz"), VOCABULARY);
        VocabularyLocator locator = locator(Map.of(VocabularyLocator.PROPERTY, property.toString()), Map.of());
        assertThat(locator.locate(explicit)).isEqualTo(explicit);
        assertThat(requests).hasValue(0);
    }

    @Test
    void thePropertyWinsOverTheEnvironment() throws IOException {
        Path property = Files.write(dir.resolve("property.txt.gz"), VOCABULARY);
        Path environment = Files.write(dir.resolve("environment.txt.gz"), VOCABULARY);
        VocabularyLocator locator = locator(Map.of(VocabularyLocator.PROPERTY, property.toString()),
                Map.of(VocabularyLocator.ENVIRONMENT_VARIABLE, environment.toString()));
        assertThat(locator.locate()).isEqualTo(property);
    }

    @Test
    void theEnvironmentWinsOverTheCache() throws IOException {
        Path environment = Files.write(dir.resolve("environment.txt.gz"), VOCABULARY);
        VocabularyLocator locator = locator(Map.of(), Map.of(VocabularyLocator.ENVIRONMENT_VARIABLE,
                environment.toString()));
        Files.createDirectories(locator.cachedFile().getParent());
        Files.write(locator.cachedFile(), VOCABULARY);
        assertThat(locator.locate()).isEqualTo(environment);
    }

    @Test
    void aVerifiedCachedFileIsUsedWithoutDownloading() throws IOException {
        VocabularyLocator locator = locator(Map.of(), Map.of());
        Files.createDirectories(locator.cachedFile().getParent());
        Files.write(locator.cachedFile(), VOCABULARY);
        assertThat(locator.locate()).isEqualTo(locator.cachedFile());
        assertThat(requests).hasValue(0);
    }

    @Test
    void aMissingVocabularyIsDownloadedIntoTheCache() throws IOException {
        VocabularyLocator locator = locator(Map.of(), Map.of());
        Path located = locator.locate();
        assertThat(located).isEqualTo(locator.cachedFile());
        assertThat(Files.readAllBytes(located)).isEqualTo(VOCABULARY);
        assertThat(requests).hasValue(1);
        assertThat(BpeVocabulary.read(located, 2).size()).isEqualTo(516);
    }

    @Test
    void clipsOwnFileIsDownloadedAndVerifiedWithItsPublishedChecksum() throws IOException {
        body = Files.readAllBytes(Fixtures.bpeVocabulary());
        VocabularyLocator locator = base(Map.of(), Map.of()).sha256(BpeVocabulary.SHA256).build();
        Path located = locator.locate();
        assertThat(located).isEqualTo(locator.cachedFile());
        assertThat(ClipTokenizer.load(located).tokenize("a photo of a cat"))
                .isEqualTo(ReferenceCases.tokenizer().tokenize("a photo of a cat"));
    }

    @Test
    void aPartialCachedFileIsReplaced() throws IOException {
        VocabularyLocator locator = locator(Map.of(), Map.of());
        Files.createDirectories(locator.cachedFile().getParent());
        Files.write(locator.cachedFile(), java.util.Arrays.copyOf(VOCABULARY, VOCABULARY.length / 3));
        assertThat(locator.locate()).isEqualTo(locator.cachedFile());
        assertThat(Files.readAllBytes(locator.cachedFile())).isEqualTo(VOCABULARY);
        assertThat(requests).hasValue(1);
    }

    @Test
    void aDownloadWithTheWrongChecksumIsDiscarded() {
        body = SyntheticVocabulary.gzip(List.of("x y"));
        VocabularyLocator locator = locator(Map.of(), Map.of());
        assertThatThrownBy(locator::locate).isInstanceOf(VocabularyException.class)
                .hasMessageContaining("SHA-256").hasMessageContaining(locator.cachedFile().toString());
        assertThat(locator.cachedFile()).doesNotExist();
    }

    @Test
    void aServerErrorIsReportedWithWhereToPutTheFile() {
        status = 500;
        VocabularyLocator locator = locator(Map.of(), Map.of());
        assertThatThrownBy(locator::locate).isInstanceOf(VocabularyException.class)
                .hasMessageContaining("HTTP 500").hasMessageContaining(locator.cachedFile().toString())
                .hasMessageContaining(VocabularyLocator.PROPERTY);
        assertThat(locator.cachedFile()).doesNotExist();
    }

    @Test
    void offlineSaysWhereToPutTheFile() throws IOException {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }
        VocabularyLocator locator = base(Map.of(), Map.of())
                .downloadUri(URI.create("http://127.0.0.1:" + closedPort + "/bpe.txt.gz")).build();
        assertThatThrownBy(locator::locate).isInstanceOf(VocabularyException.class)
                .hasMessageContaining(locator.cachedFile().toString())
                .hasMessageContaining(VocabularyLocator.ENVIRONMENT_VARIABLE);
    }

    @Test
    void aConfiguredPathThatDoesNotExistIsAnError() {
        Path missing = dir.resolve("typo.txt.gz");
        VocabularyLocator byProperty = locator(Map.of(VocabularyLocator.PROPERTY, missing.toString()), Map.of());
        assertThatThrownBy(byProperty::locate).isInstanceOf(VocabularyException.class)
                .hasMessageContaining(VocabularyLocator.PROPERTY).hasMessageContaining(missing.toString());
        VocabularyLocator byEnvironment = locator(Map.of(),
                Map.of(VocabularyLocator.ENVIRONMENT_VARIABLE, missing.toString()));
        assertThatThrownBy(byEnvironment::locate).isInstanceOf(VocabularyException.class)
                .hasMessageContaining(VocabularyLocator.ENVIRONMENT_VARIABLE);
        assertThatThrownBy(() -> byEnvironment.locate(missing)).isInstanceOf(VocabularyException.class)
                .hasMessageContaining(missing.toString());
        assertThat(requests).hasValue(0);
    }

    @Test
    void theStandardCacheIsUnderTheHomeFolder() {
        assertThat(VocabularyLocator.standard().cachedFile())
                .isEqualTo(Path.of(System.getProperty("user.home"), ".cache", "clip", BpeVocabulary.FILE_NAME));
    }

    private VocabularyLocator locator(Map<String, String> properties, Map<String, String> environment) {
        return base(properties, environment).build();
    }

    private VocabularyLocator.Builder base(Map<String, String> properties, Map<String, String> environment) {
        return VocabularyLocator.builder()
                .properties(properties::get)
                .environment(environment::get)
                .cacheDirectory(dir.resolve("home/.cache/clip"))
                .downloadUri(URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/bpe.txt.gz"))
                .downloader(Downloader.create().withTimeouts(Duration.ofSeconds(5), Duration.ofSeconds(5)))
                .sha256(sha256(VOCABULARY));
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }
}
