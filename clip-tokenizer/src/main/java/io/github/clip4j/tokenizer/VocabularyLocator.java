package io.github.clip4j.tokenizer;

import io.github.clip4j.download.DownloadException;
import io.github.clip4j.internal.download.Downloader;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * Finds CLIP's BPE vocabulary file, in this order:
 * <ol>
 *   <li>an explicit path ({@link #locate(Path)});</li>
 *   <li>the system property {@code clip4j.bpe};</li>
 *   <li>the environment variable {@code CLIP4J_BPE};</li>
 *   <li>{@code ~/.cache/clip/bpe_simple_vocab_16e6.txt.gz}, if its SHA-256 is right;</li>
 *   <li>else a download from the reference repository into that cache, verified by SHA-256 (a partial or
 *       damaged cached file is replaced).</li>
 * </ol>
 * A path given by the first three that does not exist is an error, not a reason to look further: a typo should
 * not silently cause a download.
 *
 * <pre>{@code
 * Path bpe = VocabularyLocator.standard().locate();
 * Path offline = VocabularyLocator.builder().cacheDirectory(Path.of("/opt/clip")).build().locate();
 * }</pre>
 *
 * <p>Every input (properties, environment, cache folder, address, downloader) can be replaced, so the order is
 * testable without touching the real home folder or network. Immutable and thread-safe.
 */
public final class VocabularyLocator {
    /** The system property naming a vocabulary file. */
    public static final String PROPERTY = "clip4j.bpe";
    /** The environment variable naming a vocabulary file. */
    public static final String ENVIRONMENT_VARIABLE = "CLIP4J_BPE";

    private static final System.Logger LOG = System.getLogger(VocabularyLocator.class.getName());

    private final Function<String, String> properties;
    private final Function<String, String> environment;
    private final Path cacheDirectory;
    private final URI downloadUri;
    private final String sha256;
    private final Downloader downloader;

    private VocabularyLocator(Builder builder) {
        this.properties = builder.properties;
        this.environment = builder.environment;
        this.cacheDirectory = builder.cacheDirectory;
        this.downloadUri = builder.downloadUri;
        this.sha256 = builder.sha256;
        this.downloader = builder.downloader;
    }

    /**
     * {@return the locator for this process: its system properties and environment, {@code ~/.cache/clip}} Cheap
     * to call: nothing is read until {@link #locate()}.
     */
    public static VocabularyLocator standard() {
        return builder().build();
    }

    /** {@return a builder that starts from {@link #standard()}'s settings} */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * The vocabulary file, downloading it if needed. A download blocks the calling thread; the {@link Downloader}
     * makes concurrent calls, even from other processes, wait for one download instead of racing.
     *
     * @return an existing file: the configured path, or the cached file after its SHA-256 was checked
     * @throws VocabularyException if a configured path does not exist, or nothing is cached and the download
     *     fails (the message says where to put the file)
     */
    public Path locate() {
        Path configured = configured(PROPERTY, properties, "system property");
        if (configured == null) {
            configured = configured(ENVIRONMENT_VARIABLE, environment, "environment variable");
        }
        if (configured != null) {
            return configured;
        }
        Path cached = cachedFile();
        try {
            if (!Files.isRegularFile(cached)) {
                LOG.log(System.Logger.Level.INFO, "Downloading the CLIP BPE vocabulary from {0} to {1}",
                        downloadUri, cached);
            }
            return downloader.fetch(downloadUri, cached, sha256);
        } catch (DownloadException e) {
            throw new VocabularyException("no usable BPE vocabulary: " + e.getMessage() + ". Alternatively set -D"
                    + PROPERTY + "=FILE or " + ENVIRONMENT_VARIABLE + "=FILE to a copy of " + BpeVocabulary.FILE_NAME,
                    e);
        }
    }

    /**
     * The vocabulary file if it is available without a download: configured by the system property or the
     * environment variable, or already in the cache with the right SHA-256. Unlike {@link #locate()} it never
     * touches the network, so it suits code that has a fallback (e.g. test support).
     *
     * <pre>{@code
     * Optional<Path> bpe = VocabularyLocator.standard().locateWithoutDownload();
     * }</pre>
     *
     * @return the configured or verified cached file, or empty when only a download could provide one
     * @throws VocabularyException if a configured path does not exist (a typo should not go unnoticed)
     */
    public Optional<Path> locateWithoutDownload() {
        Path configured = configured(PROPERTY, properties, "system property");
        if (configured == null) {
            configured = configured(ENVIRONMENT_VARIABLE, environment, "environment variable");
        }
        if (configured != null) {
            return Optional.of(configured);
        }
        Path cached = cachedFile();
        if (!Files.isRegularFile(cached)) {
            return Optional.empty();
        }
        try {
            return sha256.equalsIgnoreCase(Downloader.sha256(cached)) ? Optional.of(cached) : Optional.empty();
        } catch (IOException e) {
            LOG.log(System.Logger.Level.DEBUG, "cannot read the cached vocabulary {0}: {1}", cached, e);
            return Optional.empty();
        }
    }

    /**
     * {@code explicit} if it exists: an explicit choice wins over every other source. The file's content is not
     * checked here; {@link BpeVocabulary#read(Path)} does that.
     *
     * @param explicit the vocabulary file the user chose, not null
     * @return {@code explicit} itself
     * @throws VocabularyException if {@code explicit} does not exist
     */
    public Path locate(Path explicit) {
        Objects.requireNonNull(explicit, "explicit");
        if (!Files.isRegularFile(explicit)) {
            throw new VocabularyException("the BPE vocabulary " + explicit + " does not exist; pass the path of "
                    + BpeVocabulary.FILE_NAME);
        }
        return explicit;
    }

    /**
     * {@return where the vocabulary is cached: {@code <cache directory>/bpe_simple_vocab_16e6.txt.gz}} The file may
     * not exist yet.
     */
    public Path cachedFile() {
        return cacheDirectory.resolve(BpeVocabulary.FILE_NAME);
    }

    private static Path configured(String name, Function<String, String> source, String kind) {
        String value = source.apply(name);
        if (value == null || value.isBlank()) {
            return null;
        }
        Path path = Path.of(value.strip());
        if (!Files.isRegularFile(path)) {
            throw new VocabularyException("the BPE vocabulary named by " + kind + " " + name + " does not exist: "
                    + path + "; fix the path or unset " + name);
        }
        return path;
    }

    /** Settings for a {@link VocabularyLocator}; each defaults to the process's own. */
    public static final class Builder {
        private Function<String, String> properties = System::getProperty;
        private Function<String, String> environment = System::getenv;
        private Path cacheDirectory = Path.of(System.getProperty("user.home"), ".cache", "clip");
        private URI downloadUri = BpeVocabulary.DOWNLOAD_URI;
        private String sha256 = BpeVocabulary.SHA256;
        private Downloader downloader = Downloader.create();

        private Builder() {}

        /**
         * Where system properties are read (default {@link System#getProperty(String)}).
         *
         * @param properties maps a property name to its value, or to null when it is unset; not null
         * @return this builder
         */
        public Builder properties(Function<String, String> properties) {
            this.properties = Objects.requireNonNull(properties, "properties");
            return this;
        }

        /**
         * Where environment variables are read (default {@link System#getenv(String)}).
         *
         * @param environment maps a variable name to its value, or to null when it is unset; not null
         * @return this builder
         */
        public Builder environment(Function<String, String> environment) {
            this.environment = Objects.requireNonNull(environment, "environment");
            return this;
        }

        /**
         * The cache folder (default {@code ~/.cache/clip}, shared with the reference).
         *
         * @param cacheDirectory the folder holding {@code bpe_simple_vocab_16e6.txt.gz}; created on download if
         *     missing; not null
         * @return this builder
         */
        public Builder cacheDirectory(Path cacheDirectory) {
            this.cacheDirectory = Objects.requireNonNull(cacheDirectory, "cacheDirectory");
            return this;
        }

        /**
         * The download address (default the reference repository's raw file), e.g. an internal mirror. The file
         * found there must still have the SHA-256 of OpenAI's vocabulary.
         *
         * @param downloadUri the address of {@code bpe_simple_vocab_16e6.txt.gz}; not null
         * @return this builder
         */
        public Builder downloadUri(URI downloadUri) {
            this.downloadUri = Objects.requireNonNull(downloadUri, "downloadUri");
            return this;
        }

        /**
         * The downloader, e.g. one that reports progress (default {@link Downloader#create()}).
         *
         * @param downloader fetches and verifies the file; not null
         * @return this builder
         */
        public Builder downloader(Downloader downloader) {
            this.downloader = Objects.requireNonNull(downloader, "downloader");
            return this;
        }

        /** The expected SHA-256 of the download: only tests serve a vocabulary other than OpenAI's. */
        Builder sha256(String sha256) {
            this.sha256 = Objects.requireNonNull(sha256, "sha256");
            return this;
        }

        /** {@return a locator with these settings} The builder can be reused afterwards. */
        public VocabularyLocator build() {
            return new VocabularyLocator(this);
        }
    }
}
