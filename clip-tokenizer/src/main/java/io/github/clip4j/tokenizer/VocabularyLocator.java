package io.github.clip4j.tokenizer;

import java.io.InputStream;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * Finds CLIP's BPE vocabulary, in this order:
 * <ol>
 *   <li>an explicit path ({@link #locate(Path)}, {@link ClipTokenizer#load(Path)});</li>
 *   <li>the file named by the system property {@value #PROPERTY};</li>
 *   <li>the file named by the environment variable {@value #ENVIRONMENT_VARIABLE};</li>
 *   <li>the copy bundled in the clip-tokenizer jar ({@value #BUNDLED_RESOURCE}), read straight from the class
 *       path;</li>
 *   <li>else a {@link VocabularyException} saying the jar was built without it and how to name a file.</li>
 * </ol>
 * A path given by the first three that does not exist is an error, not a reason to look further: a typo should
 * not silently fall back to another file. Nothing is ever downloaded: the build verified the bundled copy's
 * SHA-256 ({@link BpeVocabulary#SHA256}) when it put it in the jar.
 *
 * <pre>{@code
 * BpeVocabulary bpe = VocabularyLocator.standard().read();      // -Dclip4j.bpe, CLIP4J_BPE, else the bundled copy
 * Optional<Path> configured = VocabularyLocator.standard().configured();
 * }</pre>
 *
 * <p>The properties and environment can be replaced, so the order is testable. Immutable and thread-safe.
 */
public final class VocabularyLocator {
    /** The system property naming a vocabulary file. */
    public static final String PROPERTY = "clip4j.bpe";
    /** The environment variable naming a vocabulary file. */
    public static final String ENVIRONMENT_VARIABLE = "CLIP4J_BPE";
    /** The class-path name of the vocabulary bundled in the clip-tokenizer jar. */
    public static final String BUNDLED_RESOURCE = "io/github/clip4j/tokenizer/" + BpeVocabulary.FILE_NAME;

    private final VocabularySource source;
    private final Function<String, InputStream> resources;

    private VocabularyLocator(Builder builder) {
        this.resources = builder.resources;
        this.source = new VocabularySource("the BPE vocabulary", BpeVocabulary.FILE_NAME, PROPERTY,
                ENVIRONMENT_VARIABLE, BpeVocabulary.FILE_NAME, builder.properties, builder.environment,
                builder.resources);
    }

    /**
     * {@return the locator for this process: its system properties and environment, this jar's bundled copy}
     * Cheap to call: nothing is read until {@link #read()}.
     */
    public static VocabularyLocator standard() {
        return builder().build();
    }

    /** {@return a builder that starts from {@link #standard()}'s settings} */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * The vocabulary: the configured file if there is one, else the bundled copy. Reading decompresses and parses
     * the whole file (about 0.2 s): read once and share the result.
     *
     * @return CLIP's vocabulary
     * @throws VocabularyException if a configured file does not exist or is not CLIP's vocabulary, or nothing is
     *     configured and the jar was built without the bundled copy
     */
    public BpeVocabulary read() {
        if (source.configured().isEmpty()) {
            // The build's binary copy of the bundled tables, when present: no inflating and parsing at start-up.
            BpeVocabulary compact = CompactVocabulary.readBundled(resources, "bundled " + source.bundledName());
            if (compact != null) {
                return compact;
            }
        }
        return source.read(new VocabularySource.Reader<>() {
            @Override
            public BpeVocabulary readFile(Path file) {
                return BpeVocabulary.read(file);
            }

            @Override
            public BpeVocabulary readStream(InputStream in, String name) {
                return BpeVocabulary.read(in, name, BpeVocabulary.CLIP_MERGE_COUNT);
            }
        });
    }

    /**
     * The file named by the system property {@value #PROPERTY}, else by the environment variable
     * {@value #ENVIRONMENT_VARIABLE}.
     *
     * <pre>{@code
     * Optional<Path> bpe = VocabularyLocator.standard().configured();   // empty: the bundled copy will be used
     * }</pre>
     *
     * @return the configured file, or empty when neither is set
     * @throws VocabularyException if a configured path does not exist (a typo should not go unnoticed)
     */
    public Optional<Path> configured() {
        return source.configured();
    }

    /** {@return whether the clip-tokenizer jar on the class path carries the bundled vocabulary} */
    public boolean hasBundledVocabulary() {
        return source.isBundled();
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
        return source.explicit(explicit);
    }

    /** Settings for a {@link VocabularyLocator}; each defaults to the process's own. */
    public static final class Builder {
        private Function<String, String> properties = System::getProperty;
        private Function<String, String> environment = System::getenv;
        private Function<String, InputStream> resources = VocabularySource::bundledResource;

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

        /** Where the bundled copy is opened (tests: a jar built without it returns null). */
        Builder resources(Function<String, InputStream> resources) {
            this.resources = Objects.requireNonNull(resources, "resources");
            return this;
        }

        /** {@return a locator with these settings} The builder can be reused afterwards. */
        public VocabularyLocator build() {
            return new VocabularyLocator(this);
        }
    }
}
