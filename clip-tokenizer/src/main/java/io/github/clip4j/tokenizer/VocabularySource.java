package io.github.clip4j.tokenizer;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * Where one vocabulary comes from, in this order: an explicit path, a system property, an environment variable,
 * then the copy bundled in this jar as a class-path resource. A path named by the first three that does not exist
 * is an error, not a reason to look further: a typo should not silently fall back to another vocabulary.
 *
 * <p>Nothing here touches the network. The bundled copy is read straight from the class path; the build verified
 * its SHA-256 when it bundled it, so it is not hashed again at run time. Immutable and thread-safe.
 */
final class VocabularySource {
    private final String description;
    private final String fileName;
    private final String property;
    private final String environmentVariable;
    private final String resource;
    private final Function<String, String> properties;
    private final Function<String, String> environment;
    private final Function<String, InputStream> resources;

    /**
     * @param description what the file is, for messages ("the BPE vocabulary")
     * @param fileName the file's name ({@code vocab.txt})
     * @param resource the bundled copy's class-path name, relative to this package
     * @param resources opens a class-path resource by that name, or returns null when it is absent
     */
    VocabularySource(String description, String fileName, String property, String environmentVariable,
            String resource, Function<String, String> properties, Function<String, String> environment,
            Function<String, InputStream> resources) {
        this.description = Objects.requireNonNull(description, "description");
        this.fileName = Objects.requireNonNull(fileName, "fileName");
        this.property = Objects.requireNonNull(property, "property");
        this.environmentVariable = Objects.requireNonNull(environmentVariable, "environmentVariable");
        this.resource = Objects.requireNonNull(resource, "resource");
        this.properties = Objects.requireNonNull(properties, "properties");
        this.environment = Objects.requireNonNull(environment, "environment");
        this.resources = Objects.requireNonNull(resources, "resources");
    }

    /** The class path of this jar: resources next to this class. */
    static InputStream bundledResource(String name) {
        return VocabularySource.class.getResourceAsStream(name);
    }

    /** A file reader and a bundled-stream reader for one kind of vocabulary. */
    interface Reader<T> {
        T readFile(Path file);

        T readStream(InputStream in, String source) throws IOException;
    }

    /**
     * The file named by the system property, else by the environment variable.
     *
     * @throws VocabularyException if the named file does not exist
     */
    Optional<Path> configured() {
        Path path = configured(property, properties, "system property");
        if (path == null) {
            path = configured(environmentVariable, environment, "environment variable");
        }
        return Optional.ofNullable(path);
    }

    /** {@code explicit} if it exists; an explicit choice wins over every other source. */
    Path explicit(Path explicit) {
        Objects.requireNonNull(explicit, "explicit");
        if (!Files.isRegularFile(explicit)) {
            throw new VocabularyException(capitalized() + " " + explicit + " does not exist; pass the path of "
                    + fileName);
        }
        return explicit;
    }

    /** {@return whether this jar carries the bundled copy} */
    boolean isBundled() {
        try (InputStream in = resources.apply(resource)) {
            return in != null;
        } catch (IOException e) {
            return false;
        }
    }

    /** {@return the class-path name of the bundled copy, for messages} */
    String bundledName() {
        return VocabularySource.class.getPackageName().replace('.', '/') + "/" + resource;
    }

    /**
     * The configured file if there is one, else the bundled copy.
     *
     * @throws VocabularyException if a configured file does not exist, nothing is configured and this jar was
     *     built without the bundled copy, or the vocabulary found is unusable
     */
    <T> T read(Reader<T> reader) {
        Optional<Path> file = configured();
        if (file.isPresent()) {
            return reader.readFile(file.get());
        }
        InputStream in = resources.apply(resource);
        if (in == null) {
            throw new VocabularyException("no " + fileName + ": this clip4j jar was built without the bundled "
                    + description + " (" + bundledName() + "); set -D" + property + "=FILE or "
                    + environmentVariable + "=FILE to a copy of " + fileName + ", or pass its path explicitly");
        }
        String source = "bundled " + bundledName();
        try (in) {
            return reader.readStream(in, source);
        } catch (IOException e) {
            throw new VocabularyException("cannot read " + description + " " + source + ": " + e, e);
        }
    }

    private String capitalized() {
        return Character.toUpperCase(description.charAt(0)) + description.substring(1);
    }

    private Path configured(String name, Function<String, String> source, String kind) {
        String value = source.apply(name);
        if (value == null || value.isBlank()) {
            return null;
        }
        Path path = Path.of(value.strip());
        if (!Files.isRegularFile(path)) {
            throw new VocabularyException(capitalized() + " named by " + kind + " " + name + " does not exist: "
                    + path + "; fix the path or unset " + name);
        }
        return path;
    }
}
