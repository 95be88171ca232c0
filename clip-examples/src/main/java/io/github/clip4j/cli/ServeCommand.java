package io.github.clip4j.cli;

import io.github.clip4j.Clip;
import io.github.clip4j.retrieval.ImageIndex;
import io.github.clip4j.serve.SearchServer;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code clip serve --index FILE [--model M] [--host 127.0.0.1] [--port 8080]}: a search service and web page over
 * an index (see {@link SearchServer}) until SIGTERM or Ctrl-C.
 *
 * <p>When listening it prints one JSON line, {@code {"url":"http://HOST:PORT/"}}, and flushes it; logs go to
 * stderr. On SIGTERM a shutdown hook asks the command to stop: requests in progress get {@value #GRACE_SECONDS}
 * seconds to finish, then the server, the index and the model are closed and the JVM exits.
 */
@Command(name = "serve",
        mixinStandardHelpOptions = true,
        versionProvider = ClipCli.Version.class,
        description = {"Serve a search page and a JSON API over an index (see 'clip index') until stopped.",
            "Prints one JSON line when listening: {\"url\": \"http://HOST:PORT/\"}.",
            "GET /api/search?q=TEXT&k=K answers what 'clip search' prints; POST /api/search?k=K takes an image;"
                    + " GET /api/image?path=P and /api/thumb?path=P serve the index's files; GET / is the page.",
            "SIGTERM or Ctrl-C stops it; requests in progress finish first."})
final class ServeCommand implements Callable<Integer> {
    /** Seconds requests in progress get to finish when the server is stopped. */
    static final int GRACE_SECONDS = 3;

    @ParentCommand
    private ClipCli cli;

    @Spec
    private CommandLine.Model.CommandSpec spec;

    @Option(names = "--index", paramLabel = "FILE", required = true, description = "The index file to serve.")
    private Path index;

    @Option(names = "--model", paramLabel = "M",
            description = "The model that built the index (default: the one the index names).")
    private String model;

    @Option(names = "--host", paramLabel = "HOST", defaultValue = "127.0.0.1",
            description = "The address to listen on (default: ${DEFAULT-VALUE}, this machine only).")
    private String host;

    @Option(names = "--port", paramLabel = "P", defaultValue = "8080",
            description = "The port to listen on; 0 picks a free one (default: ${DEFAULT-VALUE}).")
    private int port;

    @Mixin
    private ModelOptions options;

    @Override
    public Integer call() throws InterruptedException {
        if (port < 0 || port > 65_535) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "--port must be from 0 to 65535 (0 = any free port), not " + port);
        }
        if (host.isBlank()) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--host must not be blank");
        }
        String indexModelId = ImageIndex.modelIdOf(index);
        CountDownLatch stopRequested = new CountDownLatch(1);
        CountDownLatch closed = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            stopRequested.countDown();
            try {
                // The JVM exits when the hooks return: wait for the server, index and model to close.
                closed.await(GRACE_SECONDS + 5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "clip-serve-shutdown");
        try (Clip clip = SearchCommand.loadModel(cli, index, indexModelId, model, options);
             ImageIndex imageIndex = ImageIndex.open(index, clip, options.batchSize);
             SearchServer server = SearchServer.start(new InetSocketAddress(host, port), imageIndex, clip)) {
            Runtime.getRuntime().addShutdownHook(hook);
            PrintWriter out = spec.commandLine().getOut();
            Json.println(out, Map.of("url", server.url().toString()));
            out.flush();
            PrintWriter err = spec.commandLine().getErr();
            err.println("clip serve: " + imageIndex.size() + " images of " + index + " at " + server.url()
                    + " (Ctrl-C to stop)");
            err.flush();
            stopRequested.await();
            server.stop(Duration.ofSeconds(GRACE_SECONDS));
        } finally {
            closed.countDown();
        }
        return 0;
    }
}
