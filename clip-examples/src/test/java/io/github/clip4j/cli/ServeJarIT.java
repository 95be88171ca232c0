package io.github.clip4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.clip4j.testsupport.Fixtures;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code clip serve} as a user runs it: the packaged jar in a child process, stopped by SIGTERM. */
class ServeJarIT {
    @TempDir
    Path dir;

    @Test
    void servesPrintsOneUrlLineAndStopsPromptlyOnSigterm() throws Exception {
        Path index = ServeTestSupport.indexedPhotos(dir);
        Path jar = Path.of("target", "clip.jar");
        assertThat(jar).as("built by the package phase").isRegularFile();
        Process process = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dclip4j.bpe=" + Fixtures.bpeVocabulary(), "-jar", jar.toString(), "serve", "--index",
                index.toString(), "--model", CliFixtures.tinyModel().toString(), "--port", "0").start();
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> readAll(process.getErrorStream()));
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8));
            CompletableFuture<String> firstLine = CompletableFuture.supplyAsync(() -> readLine(out));
            String line = firstLine.get(180, TimeUnit.SECONDS);
            assertThat(line).as("stdout; stderr so far: %s", err.getNow("")).isNotNull();
            CompletableFuture<String> rest = CompletableFuture.supplyAsync(() -> readRest(out));
            JsonNode json = CliFixtures.JSON.readTree(line);
            assertThat(json.fieldNames()).toIterable().containsExactly("url");
            URI url = URI.create(json.get("url").asText());
            assertThat(url.getHost()).isEqualTo("127.0.0.1");
            assertThat(url.getPort()).isPositive();

            HttpClient http = HttpClient.newHttpClient();
            HttpResponse<String> hits = http.send(HttpRequest.newBuilder(url.resolve("/api/search?q=a%20cat&k=3"))
                    .timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(hits.statusCode()).isEqualTo(200);
            assertThat(CliFixtures.JSON.readTree(hits.body())).hasSize(3);
            JsonNode cli = CliFixtures.ok("search", "--index", index.toString(), "--model",
                    CliFixtures.tinyModel().toString(), "--text", "a cat", "--top", "3");
            for (int i = 0; i < 3; i++) {
                assertThat(CliFixtures.JSON.readTree(hits.body()).get(i).get("path")).isEqualTo(cli.get(i).get("path"));
            }
            HttpResponse<String> page = http.send(HttpRequest.newBuilder(url).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(page.body()).contains("<title>clip4j search</title>");

            long start = System.nanoTime();
            process.destroy(); // SIGTERM
            assertThat(process.waitFor(5, TimeUnit.SECONDS)).as("exited within 5 s of SIGTERM").isTrue();
            long millis = (System.nanoTime() - start) / 1_000_000;
            assertThat(rest.get(10, TimeUnit.SECONDS)).as("nothing more on stdout").isEmpty();
            String stderr = err.get(10, TimeUnit.SECONDS);
            assertThat(stderr).contains("clip serve:").contains(url.toString()).doesNotContain("\tat ");
            System.err.println("clip serve stopped " + millis + " ms after SIGTERM, exit status "
                    + process.exitValue());
        } finally {
            process.destroyForcibly();
        }
    }

    private static String readLine(BufferedReader reader) {
        try {
            return reader.readLine();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String readRest(BufferedReader reader) {
        StringBuilder rest = new StringBuilder();
        try {
            for (String line; (line = reader.readLine()) != null; ) {
                rest.append(line).append('\n');
            }
        } catch (IOException e) {
            // the pipe closed with the process: nothing more
        }
        return rest.toString();
    }

    private static String readAll(InputStream in) {
        try {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
