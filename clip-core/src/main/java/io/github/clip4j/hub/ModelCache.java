package io.github.clip4j.hub;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;

/**
 * The folder that downloaded checkpoints are kept in, and the name each one has there.
 *
 * <p>The default folder is {@code ~/.cache/clip}, the one OpenAI's Python package uses, so checkpoints it already
 * downloaded are reused (and the other way round); a file keeps the last segment of its address as its name
 * ({@code ViT-B-32.pt}), again like the reference. The default can be moved without code changes: the system
 * property {@value #FOLDER_PROPERTY} wins over the environment variable {@value #FOLDER_ENV}, which wins over
 * {@code ~/.cache/clip}. A leading {@code ~} in either is the user's home folder.
 *
 * <pre>{@code
 * ModelCache.defaultCache().folder();                   // /home/me/.cache/clip
 * ModelCache.at(Path.of("/data/models")).pathOf(ModelRegistry.openai().get("RN50"));   // /data/models/RN50.pt
 * }</pre>
 *
 * <p>Instances are immutable and thread-safe; the folder is created when the first file is downloaded.
 */
public final class ModelCache {
    /** The system property that moves the default cache folder. */
    public static final String FOLDER_PROPERTY = "clip4j.cache";
    /** The environment variable that moves the default cache folder (the system property wins). */
    public static final String FOLDER_ENV = "CLIP4J_CACHE";

    private final Path folder;

    private ModelCache(Path folder) {
        this.folder = folder;
    }

    /**
     * The cache in the folder named by the system property {@value #FOLDER_PROPERTY}, else by the environment
     * variable {@value #FOLDER_ENV}, else {@code ~/.cache/clip}. Read on every call, so a property set at run time
     * is seen by the next call.
     *
     * @return the cache in the configured folder (absolute; not created yet)
     */
    public static ModelCache defaultCache() {
        return new ModelCache(defaultFolder(System.getProperty(FOLDER_PROPERTY), System.getenv(FOLDER_ENV),
                System.getProperty("user.home")));
    }

    /**
     * A cache in a folder of the caller's choice, e.g. a shared folder on a server, ignoring the property and the
     * environment variable.
     *
     * @param folder the folder, not null; a relative path is resolved against the working directory now
     * @return the cache in {@code folder}, made absolute and normalized (the folder need not exist yet)
     */
    public static ModelCache at(Path folder) {
        return new ModelCache(requireNonNull(folder, "folder").toAbsolutePath().normalize());
    }

    /**
     * The folder that checkpoints are downloaded to and looked up in.
     *
     * @return the folder, absolute and normalized
     */
    public Path folder() {
        return folder;
    }

    /**
     * Where a model's checkpoint is, or will be once downloaded. Nothing is read or checked.
     *
     * @param model the model, not null
     * @return the folder resolved with the model's {@link RegisteredModel#fileName() file name}
     */
    public Path pathOf(RegisteredModel model) {
        return folder.resolve(requireNonNull(model, "model").fileName());
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof ModelCache && ((ModelCache) other).folder.equals(folder);
    }

    @Override
    public int hashCode() {
        return folder.hashCode();
    }

    @Override
    public String toString() {
        return "ModelCache[" + folder + "]";
    }

    /** The default folder from the property's and the environment variable's values (either may be null). */
    static Path defaultFolder(String property, String env, String userHome) {
        requireNonNull(userHome, "userHome");
        String chosen = !isBlank(property) ? property : !isBlank(env) ? env : null;
        Path folder = chosen == null ? Path.of(userHome, ".cache", "clip") : expandHome(chosen.strip(), userHome);
        return folder.toAbsolutePath().normalize();
    }

    private static Path expandHome(String path, String userHome) {
        if (path.equals("~")) {
            return Path.of(userHome);
        }
        if (path.startsWith("~/") || path.startsWith("~\\")) {
            return Path.of(userHome, path.substring(2));
        }
        return Path.of(path);
    }

    private static boolean isBlank(String value) {
        return value == null || value.isBlank();
    }
}
