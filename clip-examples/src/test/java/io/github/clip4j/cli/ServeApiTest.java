package io.github.clip4j.cli;

import static io.github.clip4j.cli.CliFixtures.JSON;
import static io.github.clip4j.cli.CliFixtures.ok;
import static io.github.clip4j.cli.CliFixtures.tinyModel;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.clip4j.Clip;
import io.github.clip4j.retrieval.ImageIndex;
import io.github.clip4j.serve.SearchServer;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code clip serve}'s API on the tiny model: the same answers as {@code clip search}, refusals, file safety. */
class ServeApiTest {
    @TempDir
    static Path dir;

    private static Path index;
    private static Path photos;
    private static Clip clip;
    private static ImageIndex imageIndex;
    private static SearchServer server;
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    @BeforeAll
    static void start() {
        index = ServeTestSupport.indexedPhotos(dir);
        photos = dir.resolve("photos");
        clip = ServeTestSupport.tinyClip();
        imageIndex = ImageIndex.open(index, clip);
        server = SearchServer.start(new InetSocketAddress("127.0.0.1", 0), imageIndex, clip);
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
        if (imageIndex != null) {
            imageIndex.close();
        }
        if (clip != null) {
            clip.close();
        }
    }

    private static HttpResponse<byte[]> get(String pathAndQuery) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(server.url().resolve(pathAndQuery)).timeout(Duration.ofSeconds(60))
                .build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private static HttpResponse<byte[]> post(String pathAndQuery, byte[] body) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(server.url().resolve(pathAndQuery)).timeout(Duration.ofSeconds(60))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static JsonNode json(HttpResponse<byte[]> response) throws IOException {
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json; charset=utf-8");
        return JSON.readTree(response.body());
    }

    private static void assertSameHits(JsonNode api, JsonNode cli) {
        assertThat(api).hasSameSizeAs(cli);
        for (int i = 0; i < cli.size(); i++) {
            assertThat(api.get(i).fieldNames()).toIterable().containsExactly("path", "score");
            assertThat(api.get(i).get("path").asText()).isEqualTo(cli.get(i).get("path").asText());
            assertThat(api.get(i).get("score").asDouble()).isCloseTo(cli.get(i).get("score").asDouble(),
                    within(1e-6));
        }
    }

    @Test
    void textSearchAnswersWhatClipSearchPrints() throws Exception {
        for (String query : List.of("a cat sitting on a chair", "a rocket", "一只猫在椅子上")) {
            for (int k : new int[] {1, 3, 6, 10}) {
                HttpResponse<byte[]> response = get("/api/search?q=" + encode(query) + "&k=" + k);
                assertThat(response.statusCode()).as(new String(response.body(), StandardCharsets.UTF_8))
                        .isEqualTo(200);
                JsonNode cli = ok("search", "--index", index.toString(), "--model", tinyModel().toString(),
                        "--text", query, "--top", String.valueOf(k));
                assertSameHits(json(response), cli);
                assertThat(json(response)).hasSize(Math.min(k, 6));
            }
        }
        // k defaults to clip search's --top default
        JsonNode byDefault = json(get("/api/search?q=a%20dog"));
        assertThat(byDefault).hasSize(Math.min(SearchCommand.DEFAULT_TOP, 6));
    }

    @Test
    void imageSearchAnswersWhatClipSearchImagePrints() throws Exception {
        Path example = photos.resolve("chelsea.png");
        HttpResponse<byte[]> response = post("/api/search?k=3", Files.readAllBytes(example));
        assertThat(response.statusCode()).as(new String(response.body(), StandardCharsets.UTF_8)).isEqualTo(200);
        JsonNode cli = ok("search", "--index", index.toString(), "--model", tinyModel().toString(),
                "--image", example.toString(), "--top", "3", "--no-exclude-query");
        // The API gets bytes, not a path, so it cannot leave the query out: compare with search keeping it.
        assertSameHits(json(response), cli);
        assertThat(json(response).get(0).get("path").asText()).endsWith("chelsea.png");
        // a JPEG too: the library's decoder sniffs the bytes
        JsonNode rocket = json(post("/api/search?k=1", Files.readAllBytes(photos.resolve("rocket.jpg"))));
        assertThat(rocket.get(0).get("path").asText()).endsWith("rocket.jpg");
    }

    @Test
    void sixtyFourConcurrentQueriesAreAllAnswered() throws Exception {
        List<String> queries = List.of("a cat", "a rocket", "a cup of coffee", "a camera man");
        List<JsonNode> expected = new ArrayList<>();
        for (String q : queries) {
            expected.add(json(get("/api/search?q=" + encode(q) + "&k=6")));
        }
        ExecutorService clients = Executors.newFixedThreadPool(64);
        try {
            List<Callable<HttpResponse<byte[]>>> calls = new ArrayList<>();
            for (int i = 0; i < 64; i++) {
                String q = queries.get(i % queries.size());
                calls.add(() -> get("/api/search?q=" + encode(q) + "&k=6"));
            }
            List<Future<HttpResponse<byte[]>>> answers = clients.invokeAll(calls);
            for (int i = 0; i < answers.size(); i++) {
                HttpResponse<byte[]> response = answers.get(i).get();
                assertThat(response.statusCode()).as("query %d", i).isEqualTo(200);
                assertSameHitsLoosely(json(response), expected.get(i % queries.size()));
            }
        } finally {
            clients.shutdownNow();
        }
    }

    /** Batched texts may differ from single ones in the last bits of a float. */
    private static void assertSameHitsLoosely(JsonNode api, JsonNode expected) {
        assertThat(api).hasSameSizeAs(expected);
        for (int i = 0; i < expected.size(); i++) {
            assertThat(api.get(i).get("score").asDouble()).isCloseTo(expected.get(i).get("score").asDouble(),
                    within(1e-4));
        }
    }

    @Test
    void badRequestsAreRefusedWithAJsonError() throws Exception {
        String longQuery = "a".repeat(1001);
        for (String bad : List.of("/api/search", "/api/search?q=", "/api/search?q=%20%20", "/api/search?k=3",
                "/api/search?q=cat&k=0", "/api/search?q=cat&k=-1", "/api/search?q=cat&k=abc",
                "/api/search?q=cat&k=101", "/api/search?q=cat&k=99999999999", "/api/search?q=cat&k=1.5",
                "/api/search?q=" + longQuery, "/api/search?q=cat&q=dog",
                "/api/image", "/api/image?path=", "/api/thumb?path=x&size=5", "/api/thumb?path=x&size=big")) {
            assertRefused(get(bad), 400, bad);
        }
        // Not a URI at all: the JDK's HTTP parser refuses it before the server sees it (its own short 400 page).
        assertThat(raw("GET /api/search?q=%ZZ HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")).startsWith("HTTP/1.1 400")
                .doesNotContain("\tat ");
        assertRefused(post("/api/search?k=3", new byte[0]), 400, "empty body");
        assertRefused(post("/api/search?k=3", "this is not an image".getBytes(StandardCharsets.UTF_8)), 400,
                "not an image");
        byte[] truncated = java.util.Arrays.copyOf(Files.readAllBytes(photos.resolve("chelsea.png")), 200);
        assertRefused(post("/api/search?k=3", truncated), 400, "truncated PNG");
        assertRefused(post("/api/search?k=0", Files.readAllBytes(photos.resolve("chelsea.png"))), 400, "k=0");
        assertRefused(HTTP.send(HttpRequest.newBuilder(server.url().resolve("/api/search?q=cat"))
                .method("DELETE", HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofByteArray()), 405, "DELETE");
        for (String missing : List.of("/nope", "/api", "/api/", "/api/nope", "/index.htm", "/app.js/x",
                "/WEB-INF/web.xml", "/io/github/clip4j/serve/web/app.js")) {
            assertRefused(get(missing), 404, missing);
        }
        // the page's messages never carry stack traces, and the server keeps answering
        assertThat(get("/api/search?q=cat").statusCode()).isEqualTo(200);
    }

    @Test
    void aBodyOverTheLimitIsRefusedBeforeItIsRead() throws Exception {
        String response = raw("POST /api/search?k=3 HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: image/png\r\n"
                + "Content-Length: " + (SearchServer.Limits.DEFAULT.maxBodyBytes() + 1) + "\r\n\r\n");
        assertThat(response).startsWith("HTTP/1.1 400").contains("\"error\":").contains("too large");
    }

    @Test
    void aStreamedBodyOverTheLimitIsRefused() throws Exception {
        SearchServer.Limits small = new SearchServer.Limits(10, 100, 1024, 2, 8, 4);
        try (SearchServer tiny = SearchServer.start(new InetSocketAddress("127.0.0.1", 0), imageIndex, clip, small)) {
            HttpResponse<byte[]> response = HTTP.send(HttpRequest.newBuilder(tiny.url().resolve("/api/search"))
                    .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(new byte[1025])))
                    .build(), HttpResponse.BodyHandlers.ofByteArray());
            assertRefused(response, 400, "chunked body over the limit");
            assertRefused(HTTP.send(HttpRequest.newBuilder(tiny.url().resolve("/api/search?q=" + "b".repeat(101)))
                    .build(), HttpResponse.BodyHandlers.ofByteArray()), 400, "query over the limit");
            assertRefused(HTTP.send(HttpRequest.newBuilder(tiny.url().resolve("/api/search?q=cat&k=11"))
                    .build(), HttpResponse.BodyHandlers.ofByteArray()), 400, "k over the limit");
        }
    }

    private static void assertRefused(HttpResponse<byte[]> response, int status, String what) throws IOException {
        String body = new String(response.body(), StandardCharsets.UTF_8);
        assertThat(response.statusCode()).as(what + ": " + body).isEqualTo(status);
        JsonNode json = json(response);
        assertThat(json.fieldNames()).toIterable().as(what).containsExactly("error");
        assertThat(json.get("error").asText()).as(what).isNotBlank().doesNotContain("\tat ").doesNotContain("\n");
    }

    @Test
    void onlyIndexedFilesAreServed() throws Exception {
        Path chelsea = photos.resolve("chelsea.png");
        HttpResponse<byte[]> image = get("/api/image?path=" + encode(chelsea.toString()));
        assertThat(image.statusCode()).isEqualTo(200);
        assertThat(image.headers().firstValue("Content-Type")).hasValue("image/png");
        assertThat(image.body()).isEqualTo(Files.readAllBytes(chelsea));

        for (String variant : List.of("/api/thumb?path=" + encode(chelsea.toString()),
                "/api/image?path=" + encode(chelsea.toString()) + "&size=256")) {
            HttpResponse<byte[]> thumb = get(variant);
            assertThat(thumb.statusCode()).isEqualTo(200);
            assertThat(thumb.headers().firstValue("Content-Type")).hasValue("image/jpeg");
            BufferedImage decoded = ImageIO.read(new ByteArrayInputStream(thumb.body()));
            assertThat(Math.max(decoded.getWidth(), decoded.getHeight())).isEqualTo(256);
        }

        Path outside = Files.writeString(dir.resolve("secret.png"), "not for the web");
        for (String path : List.of(outside.toString(), "/etc/passwd", photos + "/../secret.png",
                photos + "/../../" + dir.getFileName() + "/secret.png", photos + "/./chelsea.png",
                photos + "//chelsea.png", "photos/chelsea.png", "chelsea.png", "../secret.png",
                photos.resolve("notes.txt").toString(), photos.resolve("broken.jpg").toString(),
                photos.toString(), index.toString(), "file://" + chelsea, chelsea + "\u0000")) {
            assertRefused(get("/api/image?path=" + encode(path)), 404, path);
            assertRefused(get("/api/thumb?path=" + encode(path)), 404, path);
        }
        // the request path itself is not a file path either
        assertThat(raw("GET /../../../etc/passwd HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")).startsWith("HTTP/1.1 404");
        assertThat(raw("GET /api/image/..%2F..%2Fetc%2Fpasswd HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"))
                .startsWith("HTTP/1.1 404");
    }

    @Test
    void symbolicLinksCannotLeadOutOfTheIndexedFolders() throws Exception {
        Path root = Files.createDirectories(dir.resolve("linked"));
        Path folder = Files.createDirectories(root.resolve("photos/sub"));
        Files.copy(CliFixtures.image("coffee.png"), root.resolve("photos/coffee.png"));
        Files.copy(CliFixtures.image("logo.png"), folder.resolve("logo.png"));
        Path linkedIndex = root.resolve("linked.clipindex");
        try (ImageIndex other = ImageIndex.open(linkedIndex, clip)) {
            other.addDirectory(root.resolve("photos"));
        }
        Path secrets = Files.createDirectories(dir.resolve("secrets"));
        Files.writeString(secrets.resolve("logo.png"), "secret in a folder outside");
        Files.writeString(secrets.resolve("coffee.png"), "secret file outside");
        try (ImageIndex other = ImageIndex.open(linkedIndex, clip);
             SearchServer linked = SearchServer.start(new InetSocketAddress("127.0.0.1", 0), other, clip)) {
            Path coffee = root.resolve("photos/coffee.png");
            Path logo = folder.resolve("logo.png");
            assertThat(status(linked, coffee)).isEqualTo(200);
            assertThat(status(linked, logo)).isEqualTo(200);
            // an indexed file replaced by a link to a file outside
            Files.delete(coffee);
            Files.createSymbolicLink(coffee, secrets.resolve("coffee.png"));
            // an indexed folder replaced by a link to a folder outside
            Files.delete(logo);
            Files.delete(folder);
            Files.createSymbolicLink(folder, secrets);
            assertThat(status(linked, coffee)).isEqualTo(404);
            assertThat(status(linked, logo)).isEqualTo(404);
        }
    }

    @Test
    void anIndexedFileThatIsNotAnImageIsNotHandedOut() throws Exception {
        // What a crafted index achieves by declaring a folder such as "/" and listing a secret in it: an entry that
        // passes every path check but is not an image. The server types files by content and refuses this one.
        Path root = Files.createDirectories(dir.resolve("typed/photos"));
        Path coffee = Files.copy(CliFixtures.image("coffee.png"), root.resolve("coffee.png"));
        Path typedIndex = dir.resolve("typed/typed.clipindex");
        try (ImageIndex other = ImageIndex.open(typedIndex, clip)) {
            other.addDirectory(root);
        }
        try (ImageIndex other = ImageIndex.open(typedIndex, clip);
             SearchServer typed = SearchServer.start(new InetSocketAddress("127.0.0.1", 0), other, clip)) {
            assertThat(status(typed, coffee)).isEqualTo(200);
            Files.writeString(coffee, "root:x:0:0:root:/root:/bin/bash\n");
            for (String api : List.of("/api/image?path=", "/api/thumb?path=")) {
                HttpResponse<byte[]> response = HTTP.send(HttpRequest.newBuilder(
                        typed.url().resolve(api + encode(coffee.toString()))).build(),
                        HttpResponse.BodyHandlers.ofByteArray());
                assertThat(response.statusCode()).as(api).isEqualTo(404);
                assertThat(new String(response.body(), java.nio.charset.StandardCharsets.UTF_8)).as(api)
                        .contains("not an image").doesNotContain("root:x");
            }
        }
    }

    private static int status(SearchServer on, Path path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(on.url().resolve("/api/image?path=" + encode(path.toString())))
                .build(), HttpResponse.BodyHandlers.ofByteArray()).statusCode();
    }

    @Test
    void aForeignHostNameIsRefused() throws Exception {
        assertThat(raw("GET /api/search?q=cat HTTP/1.1\r\nHost: evil.example:" + server.address().getPort()
                + "\r\n\r\n")).startsWith("HTTP/1.1 403").contains("\"error\":");
        assertThat(raw("GET /api/search?q=cat HTTP/1.1\r\nHost: localhost:" + server.address().getPort()
                + "\r\n\r\n")).startsWith("HTTP/1.1 200");
    }

    @Test
    void thePageIsServedFromTheJarAsUtf8() throws Exception {
        HttpResponse<byte[]> page = get("/");
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().firstValue("Content-Type")).hasValue("text/html; charset=utf-8");
        assertThat(page.headers().firstValue("Content-Security-Policy")).get().asString()
                .contains("default-src 'none'");
        String html = new String(page.body(), StandardCharsets.UTF_8);
        assertThat(html).contains("<meta charset=\"utf-8\">").contains("lang=").contains("沙发上的猫")
                .doesNotContain("http://").doesNotContain("https://");
        assertThat(get("/app.js").headers().firstValue("Content-Type")).hasValue("text/javascript; charset=utf-8");
        assertThat(get("/style.css").statusCode()).isEqualTo(200);
        assertThat(new String(get("/app.js").body(), StandardCharsets.UTF_8)).doesNotContain("http");
    }

    /**
     * One raw HTTP/1.1 exchange, for requests HttpClient would not send: the response's status line, headers and
     * body (read by its Content-Length, not to the end of the connection: a refused upload's is not closed at once).
     */
    private static String raw(String request) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", server.address().getPort())) {
            socket.setSoTimeout(30_000);
            OutputStream out = socket.getOutputStream();
            out.write(request.getBytes(StandardCharsets.UTF_8));
            out.flush();
            InputStream in = socket.getInputStream();
            StringBuilder head = new StringBuilder();
            while (!head.toString().endsWith("\r\n\r\n")) {
                int b = in.read();
                if (b < 0) {
                    break;
                }
                head.append((char) b);
            }
            java.util.regex.Matcher length = java.util.regex.Pattern.compile("(?i)content-length: *(\\d+)")
                    .matcher(head);
            byte[] body = length.find() ? in.readNBytes(Integer.parseInt(length.group(1))) : new byte[0];
            return head + new String(body, StandardCharsets.UTF_8);
        }
    }

    @Test
    void theUrlNamesTheHostAndTheActualPort() {
        URI url = server.url();
        assertThat(url.getScheme()).isEqualTo("http");
        assertThat(url.getHost()).isEqualTo("127.0.0.1");
        assertThat(url.getPort()).isEqualTo(server.address().getPort()).isPositive();
        assertThat(url.getPath()).isEqualTo("/");
    }
}
