package io.github.clip4j.serve;

import static java.util.Objects.requireNonNull;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.github.clip4j.Embedding;
import io.github.clip4j.EmbeddingModel;
import io.github.clip4j.cli.Json;
import io.github.clip4j.common.ClipException;
import io.github.clip4j.retrieval.ImageIndex;
import io.github.clip4j.retrieval.SearchHit;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP search service of {@code clip serve}: a JSON API and a web page over an open {@link ImageIndex}.
 *
 * <ul>
 *   <li>{@code GET /api/search?q=TEXT&k=K}: the {@code k} (default {@value #DEFAULT_K}) images closest to the text,
 *       as {@code clip search} prints them: {@code [{"path": P, "score": s}]}, best first.
 *   <li>{@code POST /api/search?k=K} with an image file as the body: the images closest to it (decoded by the
 *       library exactly like {@code clip search --image}).
 *   <li>{@code GET /api/image?path=P}: the indexed file {@code P} (a path as the results give it);
 *       {@code GET /api/thumb?path=P[&size=S]} or {@code /api/image?path=P&size=S}: a JPEG at most {@code S} pixels
 *       (default {@value #DEFAULT_THUMBNAIL_SIZE}) on its longer side. Only files of the index, still inside an
 *       indexed folder, are served; anything else is 404.
 *   <li>{@code GET /}: the search page (HTML, JavaScript and CSS from the jar; no CDN).
 * </ul>
 *
 * <p>Refused requests get a 4xx status and a JSON body {@code {"error": "..."}}; an unexpected failure is a 500 with
 * the same body (the stack trace goes to the log only). Queries run on a bounded pool of HTTP threads; the model is
 * reached through one thread that batches concurrent texts, behind a bounded queue (503 when full). When bound to a
 * loopback address, requests whose {@code Host} is not a loopback name are refused (403): a web page elsewhere
 * cannot reach the service through DNS rebinding.
 *
 * <p>Built on the JDK's {@code com.sun.net.httpserver}: no dependency, enough for a local tool.
 */
public final class SearchServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(SearchServer.class);

    /** Results per query unless {@code k} says otherwise (as {@code clip search --top}). */
    public static final int DEFAULT_K = 10;
    /** The longer side of a thumbnail unless {@code size} says otherwise. */
    public static final int DEFAULT_THUMBNAIL_SIZE = 256;
    private static final int MIN_THUMBNAIL_SIZE = 16;
    private static final int MAX_THUMBNAIL_SIZE = 1024;
    private static final long MODEL_TIMEOUT_SECONDS = 120;

    private static final String CSP = "default-src 'none'; script-src 'self'; style-src 'self'; "
            + "img-src 'self' blob: data:; connect-src 'self'; base-uri 'none'; form-action 'none'; "
            + "frame-ancestors 'none'";

    /**
     * What the server accepts and how much it runs at once.
     *
     * @param maxK the largest {@code k} a query may ask for
     * @param maxQueryChars the longest text query, in characters (code points)
     * @param maxBodyBytes the largest image a {@code POST} may send
     * @param threads HTTP worker threads
     * @param queueSize requests waiting for a worker, and queries waiting for the model (each bounded by this)
     * @param maxBatch texts embedded in one model call at most
     */
    public record Limits(int maxK, int maxQueryChars, int maxBodyBytes, int threads, int queueSize, int maxBatch) {
        /** k up to 100, queries up to 1,000 characters, images up to 16 MiB, 8 threads, queues of 256, batches of 32. */
        public static final Limits DEFAULT = new Limits(100, 1000, 16 << 20, 8, 256, 32);

        /**
         * Checks the limits.
         *
         * @throws IllegalArgumentException if any is below 1
         */
        public Limits {
            if (maxK < 1 || maxQueryChars < 1 || maxBodyBytes < 1 || threads < 1 || queueSize < 1 || maxBatch < 1) {
                throw new IllegalArgumentException("every server limit must be at least 1");
            }
        }
    }

    private final ImageIndex index;
    private final Limits limits;
    private final HttpServer http;
    private final ThreadPoolExecutor pool;
    private final ModelQueue model;
    private final IndexedFiles files;
    private final Map<String, Page> pages;
    private final Path uploads;
    private final URI url;
    private final boolean loopbackOnly;
    private final AtomicInteger active = new AtomicInteger();
    private final AtomicInteger uploadCount = new AtomicInteger();
    private volatile boolean stopping;
    private boolean stopped;

    private record Page(byte[] bytes, String contentType) {}

    private SearchServer(HttpServer http, ThreadPoolExecutor pool, ImageIndex index, EmbeddingModel model,
            Limits limits, InetSocketAddress requested, Path uploads) {
        this.http = http;
        this.pool = pool;
        this.index = index;
        this.limits = limits;
        this.model = new ModelQueue(model, limits.queueSize(), limits.maxBatch());
        this.files = new IndexedFiles(index);
        this.pages = Map.of(
                "/", page("index.html", "text/html; charset=utf-8"),
                "/index.html", page("index.html", "text/html; charset=utf-8"),
                "/app.js", page("app.js", "text/javascript; charset=utf-8"),
                "/style.css", page("style.css", "text/css; charset=utf-8"));
        this.uploads = uploads;
        InetAddress bound = http.getAddress().getAddress();
        this.loopbackOnly = bound.isLoopbackAddress();
        String host = requested.getHostString();
        this.url = URI.create("http://" + (host.contains(":") ? "[" + host + "]" : host) + ":"
                + http.getAddress().getPort() + "/");
    }

    /**
     * Starts serving {@code index} on {@code address} with the {@link Limits#DEFAULT default limits}.
     *
     * @see #start(InetSocketAddress, ImageIndex, EmbeddingModel, Limits)
     */
    public static SearchServer start(InetSocketAddress address, ImageIndex index, EmbeddingModel model) {
        return start(address, index, model, Limits.DEFAULT);
    }

    /**
     * Starts serving {@code index} on {@code address}; it answers until {@link #stop stopped}.
     *
     * @param address where to listen, e.g. {@code new InetSocketAddress("127.0.0.1", 0)} (port 0: any free port)
     * @param index the open index to search; it stays the caller's to close, after the server
     * @param model the index's model (thread-safe, as {@code Clip} is); it stays the caller's to close
     * @param limits what requests may ask and how much runs at once
     * @return the running server; {@link #url()} says where
     * @throws ServerException if the address cannot be listened on (e.g. the port is taken)
     */
    public static SearchServer start(InetSocketAddress address, ImageIndex index, EmbeddingModel model,
            Limits limits) {
        requireNonNull(address, "address");
        requireNonNull(index, "index");
        requireNonNull(model, "model");
        requireNonNull(limits, "limits");
        String where = address.getHostString() + ":" + address.getPort();
        if (address.isUnresolved()) {
            throw new ServerException("cannot listen on " + where + ": unknown host", null);
        }
        HttpServer http;
        try {
            http = HttpServer.create(address, 128);
        } catch (BindException e) {
            throw new ServerException("cannot listen on " + where + ": " + e.getMessage()
                    + "; choose another --port (0 picks a free one) or --host", e);
        } catch (IOException e) {
            throw new ServerException("cannot listen on " + where + ": " + e, e);
        }
        Path uploads;
        try {
            uploads = Files.createTempDirectory("clip-serve-"); // owner-only on POSIX
        } catch (IOException e) {
            http.stop(0);
            throw new ServerException("cannot create a folder for uploaded query images: " + e, e);
        }
        AtomicInteger threadNumber = new AtomicInteger();
        // Bounded threads and queue; when both are full the dispatcher runs the request itself, which stops it
        // accepting more until then: back-pressure onto the TCP backlog instead of unbounded memory.
        ThreadPoolExecutor pool = new ThreadPoolExecutor(limits.threads(), limits.threads(), 30, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(limits.queueSize()), r -> {
                    Thread t = new Thread(r, "clip-serve-http-" + threadNumber.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                }, new ThreadPoolExecutor.CallerRunsPolicy());
        SearchServer server = new SearchServer(http, pool, index, model, limits, address, uploads);
        http.setExecutor(pool);
        http.createContext("/", server::handle);
        http.start();
        log.info("serving {} ({} images) at {}", index.file(), index.size(), server.url);
        return server;
    }

    /**
     * Where the server listens.
     *
     * @return {@code http://HOST:PORT/}, with the host as given and the actual port
     */
    public URI url() {
        return url;
    }

    /**
     * The socket address the server is bound to.
     *
     * @return the local address, with the actual port
     */
    public InetSocketAddress address() {
        return http.getAddress();
    }

    /**
     * Stops the server: new requests are refused (503), requests being answered get up to {@code grace} to finish,
     * then the socket and the threads are closed. Idempotent.
     *
     * @param grace how long requests in progress may take to finish
     */
    public void stop(Duration grace) {
        synchronized (this) {
            if (stopped) {
                return;
            }
            stopped = true;
        }
        stopping = true;
        long deadline = System.nanoTime() + grace.toNanos();
        while (active.get() > 0 && System.nanoTime() < deadline) {
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        http.stop(0);
        model.stop(Math.max(100, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
        pool.shutdown();
        try {
            if (!pool.awaitTermination(1, TimeUnit.SECONDS)) {
                pool.shutdownNow();
            }
        } catch (InterruptedException e) {
            pool.shutdownNow();
            Thread.currentThread().interrupt();
        }
        try {
            Files.deleteIfExists(uploads);
        } catch (IOException e) {
            log.debug("cannot delete {}: {}", uploads, e.toString());
        }
        log.info("stopped serving {}", index.file());
    }

    /** Stops the server, giving requests in progress up to two seconds to finish. */
    @Override
    public void close() {
        stop(Duration.ofSeconds(2));
    }

    private void handle(HttpExchange exchange) {
        active.incrementAndGet();
        long start = System.nanoTime();
        try {
            if (stopping) {
                throw new HttpError(503, "the server is stopping");
            }
            checkHost(exchange);
            route(exchange);
        } catch (HttpError e) {
            sendError(exchange, e.status(), e.getMessage());
        } catch (RuntimeException | IOException | Error e) {
            log.warn("{} {} failed", exchange.getRequestMethod(), exchange.getRequestURI().getRawPath(), e);
            sendError(exchange, 500, "internal error: " + e.getClass().getSimpleName() + " (see the server's log)");
        } finally {
            exchange.close();
            active.decrementAndGet();
            if (log.isDebugEnabled()) {
                log.debug("{} {} -> {} in {} ms", exchange.getRequestMethod(), exchange.getRequestURI().getRawPath(),
                        exchange.getResponseCode(), (System.nanoTime() - start) / 1_000_000);
            }
        }
    }

    private void route(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getRawPath();
        String method = exchange.getRequestMethod();
        switch (path == null ? "" : path) {
            case "/api/search" -> {
                if (method.equals("GET")) {
                    textSearch(exchange);
                } else if (method.equals("POST")) {
                    imageSearch(exchange);
                } else {
                    throw methodNotAllowed(exchange, "GET, POST");
                }
            }
            case "/api/image", "/api/thumb" -> {
                if (!method.equals("GET")) {
                    throw methodNotAllowed(exchange, "GET");
                }
                image(exchange, path.equals("/api/thumb"));
            }
            default -> {
                Page page = pages.get(path);
                if (page == null) {
                    throw HttpError.notFound("no such page: " + path);
                }
                if (!method.equals("GET")) {
                    throw methodNotAllowed(exchange, "GET");
                }
                if (page.contentType().startsWith("text/html")) {
                    exchange.getResponseHeaders().set("Content-Security-Policy", CSP);
                }
                send(exchange, 200, page.contentType(), page.bytes());
            }
        }
    }

    private static HttpError methodNotAllowed(HttpExchange exchange, String allowed) {
        exchange.getResponseHeaders().set("Allow", allowed);
        return new HttpError(405, exchange.getRequestMethod() + " is not allowed here; use " + allowed);
    }

    private void textSearch(HttpExchange exchange) throws IOException {
        Map<String, String> params = params(exchange);
        String q = params.get("q");
        if (q == null || q.isBlank()) {
            throw HttpError.badRequest("missing q: ask GET /api/search?q=TEXT&k=K");
        }
        int length = q.codePointCount(0, q.length());
        if (length > limits.maxQueryChars()) {
            throw HttpError.badRequest("q is too long: " + length + " characters, at most " + limits.maxQueryChars());
        }
        int k = k(params);
        Embedding query = await(model.embedText(q));
        sendHits(exchange, index.search(query, k));
    }

    private void imageSearch(HttpExchange exchange) throws IOException {
        String declared = exchange.getRequestHeaders().getFirst("Content-Length");
        if (declared != null) {
            long length;
            try {
                length = Long.parseLong(declared.strip());
            } catch (NumberFormatException e) {
                throw HttpError.badRequest("Content-Length is not a number");
            }
            if (length > limits.maxBodyBytes()) {
                throw tooLarge(length);
            }
        }
        byte[] body;
        try (InputStream in = exchange.getRequestBody()) {
            body = in.readNBytes(limits.maxBodyBytes() + 1);
        }
        if (body.length > limits.maxBodyBytes()) {
            throw tooLarge(body.length);
        }
        // The query's parameters are checked only once the (bounded) body has been read: refused earlier, the
        // exchange closed the connection on an upload larger than the JDK server drains, and the client, still
        // sending, could see a reset instead of the 400 (a flaky ServeApiTest in CI).
        int k = k(params(exchange));
        if (body.length == 0) {
            throw HttpError.badRequest("no image: POST the image file as the request body");
        }
        Path upload = uploads.resolve("query-" + uploadCount.incrementAndGet() + ".img");
        try {
            Files.write(upload, body);
            Embedding query;
            try {
                query = await(model.embedImage(upload));
            } catch (ClipException e) {
                String message = String.valueOf(e.getMessage()).replace(upload.toString(), "the uploaded image");
                throw HttpError.badRequest("cannot use the uploaded image: " + message);
            }
            sendHits(exchange, index.search(query, k));
        } finally {
            Files.deleteIfExists(upload);
        }
    }

    private HttpError tooLarge(long length) {
        return HttpError.badRequest("the image is too large: " + length + " bytes, at most "
                + limits.maxBodyBytes());
    }

    private void image(HttpExchange exchange, boolean thumbnail) throws IOException {
        Map<String, String> params = params(exchange);
        String path = params.get("path");
        if (path == null || path.isEmpty()) {
            throw HttpError.badRequest("missing path: ask /api/image?path=P with a path from the search results");
        }
        String size = params.get("size");
        IndexedFiles.Content content;
        if (thumbnail || size != null) {
            content = files.thumbnail(path, size == null ? DEFAULT_THUMBNAIL_SIZE
                    : intParam("size", size, MIN_THUMBNAIL_SIZE, MAX_THUMBNAIL_SIZE));
        } else {
            content = files.read(path);
        }
        exchange.getResponseHeaders().set("Cache-Control", "private, max-age=300");
        send(exchange, 200, content.contentType(), content.bytes());
    }

    private int k(Map<String, String> params) {
        String k = params.get("k");
        return k == null ? Math.min(DEFAULT_K, limits.maxK()) : intParam("k", k, 1, limits.maxK());
    }

    private static int intParam(String name, String value, int min, int max) {
        int n;
        try {
            n = Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw HttpError.badRequest(name + " must be a whole number from " + min + " to " + max + ", not \""
                    + abbreviate(value) + "\"");
        }
        if (n < min || n > max) {
            throw HttpError.badRequest(name + " must be from " + min + " to " + max + ", not " + n);
        }
        return n;
    }

    /** The query string's parameters, percent-decoded as UTF-8; a name given twice is refused. */
    private Map<String, String> params(HttpExchange exchange) {
        String raw = exchange.getRequestURI().getRawQuery();
        Map<String, String> params = new HashMap<>();
        if (raw == null || raw.isEmpty()) {
            return params;
        }
        // A character is at most 4 UTF-8 bytes, each %XX; room for the other parameters.
        if (raw.length() > 12L * limits.maxQueryChars() + 4096) {
            throw HttpError.badRequest("the query string is too long: " + raw.length() + " characters");
        }
        for (String pair : raw.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String name = decode(eq < 0 ? pair : pair.substring(0, eq));
            String value = eq < 0 ? "" : decode(pair.substring(eq + 1));
            if (params.putIfAbsent(name, value) != null) {
                throw HttpError.badRequest("parameter " + abbreviate(name) + " is given twice");
            }
        }
        return params;
    }

    private static String decode(String s) {
        try {
            return URLDecoder.decode(s, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw HttpError.badRequest("malformed percent-encoding in the query string");
        }
    }

    /** Under a loopback address, only requests for a loopback host name: no DNS rebinding from other sites. */
    private void checkHost(HttpExchange exchange) {
        if (!loopbackOnly) {
            return;
        }
        String host = exchange.getRequestHeaders().getFirst("Host");
        if (host == null) {
            return; // HTTP/1.0 tools; browsers always send it
        }
        String name = host.strip().toLowerCase(Locale.ROOT);
        if (name.startsWith("[")) {
            int end = name.indexOf(']');
            name = end < 0 ? name : name.substring(1, end);
        } else if (name.indexOf(':') >= 0) {
            name = name.substring(0, name.indexOf(':'));
        }
        if (name.equals("localhost") || name.endsWith(".localhost") || name.equals("::1")
                || name.matches("127(\\.\\d{1,3}){3}") || name.equals(url.getHost().replaceAll("[\\[\\]]", ""))) {
            return;
        }
        throw new HttpError(403, "this server answers only to a loopback host name, not to " + abbreviate(host));
    }

    private static Embedding await(CompletableFuture<Embedding> future) {
        try {
            return future.get(MODEL_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            future.cancel(false);
            throw new HttpError(503, "the model did not answer within " + MODEL_TIMEOUT_SECONDS + " s; try again");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new HttpError(503, "the server is stopping");
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException r) {
                throw r;
            }
            if (cause instanceof Error err) {
                throw err;
            }
            throw new IllegalStateException(cause);
        }
    }

    private static void sendHits(HttpExchange exchange, List<SearchHit> hits) throws IOException {
        send(exchange, 200, "application/json; charset=utf-8",
                Json.toJson(Json.hits(hits)).getBytes(StandardCharsets.UTF_8));
    }

    private static void sendError(HttpExchange exchange, int status, String message) {
        if (exchange.getResponseCode() != -1) {
            return; // the headers are out: all we can do is close
        }
        try {
            exchange.getResponseHeaders().remove("Cache-Control");
            send(exchange, status, "application/json; charset=utf-8",
                    Json.toJson(Map.of("error", message)).getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            log.debug("cannot send the error to the client: {}", e.toString());
        }
    }

    private static void send(HttpExchange exchange, int status, String contentType, byte[] body) throws IOException {
        Headers headers = exchange.getResponseHeaders();
        headers.set("Content-Type", contentType);
        headers.set("X-Content-Type-Options", "nosniff");
        headers.set("Referrer-Policy", "no-referrer");
        if (!headers.containsKey("Cache-Control")) {
            headers.set("Cache-Control", "no-store");
        }
        exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        // Closing the body flushes the response before the exchange drains an unread request body (which waits for
        // the client: a refused upload must not wait for its bytes to be answered).
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    private static String abbreviate(String s) {
        return s.length() <= 40 ? s : s.substring(0, 40) + "...";
    }

    private static Page page(String resource, String contentType) {
        try (InputStream in = SearchServer.class.getResourceAsStream("web/" + resource)) {
            if (in == null) {
                throw new IllegalStateException("the jar lacks the page resource web/" + resource);
            }
            return new Page(in.readAllBytes(), contentType);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
