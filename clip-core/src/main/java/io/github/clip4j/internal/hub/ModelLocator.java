package io.github.clip4j.internal.hub;

import io.github.clip4j.hub.ModelCache;
import io.github.clip4j.hub.ModelRegistry;
import io.github.clip4j.hub.RegisteredModel;
import io.github.clip4j.hub.UnknownModelException;
import static java.util.Objects.requireNonNull;

import io.github.clip4j.download.DownloadException;
import io.github.clip4j.download.DownloadListener;
import io.github.clip4j.internal.download.Downloader;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns what a user names as a model into a local file or folder to load, downloading a released checkpoint into
 * the cache when needed.
 *
 * <p>A name is tried, in this order, as:
 * <ol>
 *   <li>a registry name, exactly ({@code "ViT-B/32"}): the checkpoint in the {@link ModelCache}, downloaded and
 *       verified by SHA-256 first if it is missing or damaged ({@link ModelSource.Kind#RELEASED});</li>
 *   <li>an existing file: a checkpoint ({@link ModelSource.Kind#CHECKPOINT_FILE});</li>
 *   <li>an existing folder with {@code config.json}: a Hugging Face model folder
 *       ({@link ModelSource.Kind#HUGGING_FACE_FOLDER}); a folder without one is refused;</li>
 *   <li>a registry name ignoring case ({@code "vit-b/32"}).</li>
 * </ol>
 * Steps 1 and 2 are what the reference's {@code clip.load} does; a file or folder comes before a case-insensitive
 * name so that this leniency never hides one. Anything else is an {@link UnknownModelException} that lists the
 * known names (and suggests one for near misses such as {@code "ViT-B-32"}). Relative paths are resolved against
 * the current directory.
 *
 * <pre>{@code
 * ModelLocator locator = ModelLocator.builder()
 *         .listener((file, done, total) -> bar.update(done, total))
 *         .build();
 * ModelSource source = locator.locate("ViT-B/32");   // downloads ~/.cache/clip/ViT-B-32.pt once
 * }</pre>
 *
 * <p>Downloads are logged at INFO (start, with size and address, and end); progress goes to the listener.
 * Instances are immutable and thread-safe; concurrent downloads of one file (threads or processes) happen once.
 */
public final class ModelLocator {
    private static final Logger LOG = LoggerFactory.getLogger(ModelLocator.class);

    private final ModelRegistry registry;
    private final ModelCache cache;
    private final boolean defaultCache;
    private final Downloader downloader;
    private final DownloadListener listener;
    private final Path workingDirectory;

    private ModelLocator(Builder builder) {
        this.registry = builder.registry;
        this.defaultCache = builder.cache == null;
        this.cache = defaultCache ? ModelCache.defaultCache() : builder.cache;
        this.downloader = builder.downloader;
        this.listener = builder.listener;
        this.workingDirectory = builder.workingDirectory;
    }

    /**
     * A locator for the released models, the default cache, default timeouts and no progress listener.
     *
     * @return a new locator; nothing is read or downloaded until {@link #locate(String)}
     */
    public static ModelLocator create() {
        return builder().build();
    }

    /**
     * A builder that starts from {@link #create()}'s settings, to change the registry, cache, timeouts or listener.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * The registry names are looked up in.
     *
     * @return the registry this locator was built with
     */
    public ModelRegistry registry() {
        return registry;
    }

    /**
     * The cache that released checkpoints are downloaded into.
     *
     * @return the cache given to the builder, else the default cache as it was when the locator was built
     */
    public ModelCache cache() {
        return cache;
    }

    /**
     * Resolves {@code model}: a registry name, a checkpoint file or a Hugging Face model folder (see the class
     * comment for the order). A released checkpoint is downloaded first if the cache lacks a verified copy; this
     * call then blocks until the download ends.
     *
     * @param model a registry name, or the path of a checkpoint file or model folder (relative to the current
     *     directory), not null
     * @return what {@code model} resolved to; for a registry name, the verified checkpoint in the cache
     * @throws UnknownModelException if {@code model} is none of these
     * @throws DownloadException if a released checkpoint is needed but cannot be downloaded; the message names
     *     the model and the file to copy into the cache by hand
     */
    public ModelSource locate(String model) {
        requireNonNull(model, "model");
        Optional<RegisteredModel> exact = registry.find(model);
        if (exact.isPresent()) {
            return released(exact.get());
        }
        Optional<Path> path = asPath(model);
        if (path.isPresent() && Files.exists(path.get())) {
            return local(model, path.get());
        }
        Optional<RegisteredModel> ignoringCase = registry.findIgnoringCase(model);
        if (ignoringCase.isPresent()) {
            return released(ignoringCase.get());
        }
        if (path.isEmpty() || model.isBlank()) {
            throw UnknownModelException.notRegistered(model, registry);
        }
        throw UnknownModelException.notFound(model, path.get(), registry);
    }

    /**
     * Resolves a checkpoint file or Hugging Face model folder given as a path (never a registry name, so nothing
     * is downloaded).
     *
     * @param model the file or folder, not null; a relative path is resolved against the current directory
     * @return a {@link ModelSource.Kind#CHECKPOINT_FILE} or {@link ModelSource.Kind#HUGGING_FACE_FOLDER} source
     * @throws UnknownModelException if nothing is there, or a folder has no {@code config.json}
     */
    public ModelSource locate(Path model) {
        requireNonNull(model, "model");
        Path path = workingDirectory.resolve(model).normalize();
        if (!Files.exists(path)) {
            throw UnknownModelException.notFound(model.toString(), path, registry);
        }
        return local(model.toString(), path);
    }

    private ModelSource local(String model, Path path) {
        if (Files.isDirectory(path)) {
            if (!Files.isRegularFile(path.resolve("config.json"))) {
                throw UnknownModelException.folderWithoutConfig(model, path, registry);
            }
            return new ModelSource(ModelSource.Kind.HUGGING_FACE_FOLDER, path, displayName(path));
        }
        return new ModelSource(ModelSource.Kind.CHECKPOINT_FILE, path, displayName(path));
    }

    private ModelSource released(RegisteredModel model) {
        Path target = cache.pathOf(model);
        AtomicBoolean downloading = new AtomicBoolean();
        long start = System.nanoTime();
        DownloadListener logging = (file, done, total) -> {
            if (downloading.compareAndSet(false, true)) {
                LOG.info("Downloading model {} ({}) from {} to {}", model.name(), size(total), model.url(), target);
            }
            listener.onProgress(file, done, total);
        };
        if (!model.isVerified()) {
            LOG.warn("model {} has no published SHA-256: {} is {} without verification (only its length is checked)",
                    model.name(), target, Files.isRegularFile(target) ? "used" : "downloaded");
        }
        try {
            downloader.withListener(logging).fetch(model.url(), target, model.sha256());
        } catch (DownloadException e) {
            String elsewhere = !defaultCache ? "" : ". Or set -D" + ModelCache.FOLDER_PROPERTY + " (or "
                    + ModelCache.FOLDER_ENV + ") to a folder that already has " + model.fileName();
            throw new DownloadException("cannot get model " + model.name() + ": " + e.getMessage() + elsewhere, e);
        }
        if (downloading.get()) {
            LOG.info("Downloaded model {} to {} in {} s", model.name(), target,
                    String.format(Locale.ROOT, "%.1f", (System.nanoTime() - start) / 1e9));
        } else {
            LOG.debug("Using cached model {} at {}", model.name(), target);
        }
        return new ModelSource(ModelSource.Kind.RELEASED, target, model.name());
    }

    private Optional<Path> asPath(String model) {
        if (model.isBlank()) {
            return Optional.empty();
        }
        try {
            return Optional.of(workingDirectory.resolve(model).normalize());
        } catch (InvalidPathException e) {
            return Optional.empty(); // e.g. a NUL character: it cannot name a file
        }
    }

    private static String displayName(Path path) {
        Path fileName = path.getFileName();
        return fileName == null ? path.toString() : fileName.toString();
    }

    private static String size(long bytes) {
        if (bytes < 0) {
            return "size unknown";
        }
        return bytes >= 1 << 20
                ? String.format(Locale.ROOT, "%.1f MiB", bytes / (double) (1 << 20))
                : bytes + " bytes";
    }

    /** Configures a {@link ModelLocator}. Not thread-safe; {@link #build()} may be called more than once. */
    public static final class Builder {
        private ModelRegistry registry = ModelRegistry.released();
        private ModelCache cache;
        private Downloader downloader = Downloader.create();
        private DownloadListener listener = DownloadListener.NONE;
        private Path workingDirectory = Path.of("").toAbsolutePath();

        private Builder() {}

        /**
         * The names to accept (default: {@link ModelRegistry#released()}, OpenAI's and Chinese-CLIP's); e.g.
         * {@code ModelRegistry.openai().withBaseUrl(mirror)} to download from a mirror.
         *
         * @param registry the registry, not null
         * @return this builder
         */
        public Builder registry(ModelRegistry registry) {
            this.registry = requireNonNull(registry, "registry");
            return this;
        }

        /**
         * Where released checkpoints are kept (default: {@link ModelCache#defaultCache()}, read at build).
         *
         * @param cache the cache, not null
         * @return this builder
         */
        public Builder cache(ModelCache cache) {
            this.cache = requireNonNull(cache, "cache");
            return this;
        }

        /**
         * Receives download progress (default: none), e.g. to draw a progress bar. Not called when the checkpoint
         * is already cached; called on the thread that calls {@link ModelLocator#locate(String)}.
         *
         * @param listener the listener, not null ({@link DownloadListener#NONE} for none)
         * @return this builder
         */
        public Builder listener(DownloadListener listener) {
            this.listener = requireNonNull(listener, "listener");
            return this;
        }

        /**
         * Download timeouts (default: 30 s to connect, 60 s without data); see {@link Downloader#withTimeouts}.
         *
         * @param connect the longest wait for a connection
         * @param read the longest wait for the next data once connected
         * @return this builder
         * @throws IllegalArgumentException if a timeout is not positive (as {@link Downloader#withTimeouts} checks)
         */
        public Builder timeouts(Duration connect, Duration read) {
            this.downloader = Downloader.create().withTimeouts(connect, read);
            return this;
        }

        /** The folder relative paths are resolved against (default: the current directory); for tests. */
        Builder workingDirectory(Path workingDirectory) {
            this.workingDirectory = requireNonNull(workingDirectory, "workingDirectory").toAbsolutePath();
            return this;
        }

        /**
         * Builds a locator from the current settings; the builder can be changed and used again afterwards.
         *
         * @return a new, immutable locator
         */
        public ModelLocator build() {
            return new ModelLocator(this);
        }
    }
}
