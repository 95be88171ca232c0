package io.github.clip4j.testsupport;

import static java.util.Objects.requireNonNull;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A local HTTP server on 127.0.0.1 (a free port) for download tests; it counts the requests it receives.
 * Shared with other modules' tests through the test-jar.
 *
 * <pre>{@code
 * try (TestHttpServer server = TestHttpServer.start()) {
 *     URI url = server.serve("/file.bin", bytes);
 *     ...
 *     assertThat(server.requests()).isEqualTo(1);
 * }
 * }</pre>
 */
public final class TestHttpServer implements AutoCloseable {
    private final HttpServer server;
    private final ExecutorService executor;
    private final AtomicInteger requests = new AtomicInteger();

    private TestHttpServer(HttpServer server, ExecutorService executor) {
        this.server = server;
        this.executor = executor;
    }

    /** Starts a server on the loopback address and a free port. */
    public static TestHttpServer start() {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            ExecutorService executor = Executors.newCachedThreadPool(runnable -> {
                Thread thread = new Thread(runnable, "test-http-server");
                thread.setDaemon(true);
                return thread;
            });
            server.setExecutor(executor);
            server.start();
            return new TestHttpServer(server, executor);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Serves {@code body} with status 200 and a Content-Length at {@code path}; returns its address. */
    public URI serve(String path, byte[] body) {
        requireNonNull(body, "body");
        return handle(path, exchange -> respond(exchange, 200, body));
    }

    /** Answers every request to {@code path} with {@code status} and a short text body; returns its address. */
    public URI fail(String path, int status) {
        return handle(path, exchange -> respond(exchange, status, ("status " + status).getBytes()));
    }

    /** Routes requests to {@code path} to {@code handler} (after counting them); returns the path's address. */
    public URI handle(String path, HttpHandler handler) {
        requireNonNull(handler, "handler");
        server.createContext(path, exchange -> {
            requests.incrementAndGet();
            try (exchange) {
                handler.handle(exchange);
            }
        });
        return uri(path);
    }

    /** The address of {@code path} on this server, e.g. {@code http://127.0.0.1:41234/file.bin}. */
    public URI uri(String path) {
        if (!path.startsWith("/")) {
            throw new IllegalArgumentException("path must start with '/': " + path);
        }
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + path);
    }

    /** How many requests arrived so far, on any path. */
    public int requests() {
        return requests.get();
    }

    /** Sends a complete response with a Content-Length. */
    public static void respond(HttpExchange exchange, int status, byte[] body) throws IOException {
        exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    /** An address on which nothing listens: connecting to it is refused, as when a machine is offline. */
    public static URI closedPortUri(String path) {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return URI.create("http://127.0.0.1:" + socket.getLocalPort() + path);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The SHA-256 of {@code bytes} as lowercase hex. */
    public static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Deterministic pseudo-random bytes, e.g. the body of a fake model file. */
    public static byte[] bytes(int length, long seed) {
        byte[] bytes = new byte[length];
        new java.util.Random(seed).nextBytes(bytes);
        return bytes;
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
        try {
            executor.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
