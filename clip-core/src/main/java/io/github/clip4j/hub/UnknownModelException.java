package io.github.clip4j.hub;

import io.github.clip4j.common.ClipException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * A model was named that is neither a registry name nor a usable file or folder. The message lists the known
 * names and says that a checkpoint file or a Hugging Face model folder is accepted too.
 */
public class UnknownModelException extends ClipException {
    private static final long serialVersionUID = 1L;

    private static final String ALTERNATIVES = "A checkpoint file (.pt, .safetensors) or a Hugging Face model folder"
            + " (with config.json) is also accepted.";

    /** What the user named, as given. */
    private final String model;
    /** The registry names that would have been accepted, unmodifiable. */
    private final List<String> knownNames;

    /**
     * An exception with a message of the caller's own; the factories in this package write the usual ones.
     *
     * @param message what is wrong and how to fix it
     * @param model what the user named
     * @param knownNames the registry names that would have been accepted
     */
    public UnknownModelException(String message, String model, List<String> knownNames) {
        super(message);
        this.model = model;
        this.knownNames = List.copyOf(knownNames);
    }

    /**
     * What the user named, as given, e.g. to show it again in a user interface.
     *
     * @return the name or path the user gave
     */
    public String model() {
        return model;
    }

    /**
     * The registry names that would have been accepted, e.g. to offer them in a user interface.
     *
     * @return the names, unmodifiable, in the registry's order
     */
    public List<String> knownNames() {
        return knownNames;
    }

    public static UnknownModelException notRegistered(String model, ModelRegistry registry) {
        return new UnknownModelException("unknown model \"" + model + "\"" + suggestion(model, registry)
                + ". Known names: " + String.join(", ", registry.names()) + ". " + ALTERNATIVES,
                model, registry.names());
    }

    public static UnknownModelException notFound(String model, Path path, ModelRegistry registry) {
        return new UnknownModelException("unknown model \"" + model + "\": it is not a model name and there is no file"
                + " or folder at " + path + suggestion(model, registry) + ". Known names: "
                + String.join(", ", registry.names()) + ". " + ALTERNATIVES, model, registry.names());
    }

    public static UnknownModelException folderWithoutConfig(String model, Path folder, ModelRegistry registry) {
        return new UnknownModelException("model folder " + folder + " has no config.json, so it is not a Hugging Face"
                + " model folder; name the folder that holds config.json and the weights, a checkpoint file, or one"
                + " of: " + String.join(", ", registry.names()), model, registry.names());
    }

    private static String suggestion(String model, ModelRegistry registry) {
        Optional<String> suggested = registry.suggest(model);
        return suggested.map(name -> " (did you mean \"" + name + "\"?)").orElse("");
    }
}
