package io.github.clip4j.internal.hub;

import io.github.clip4j.hub.ModelRegistry;
import static java.util.Objects.requireNonNull;

import java.nio.file.Path;

/**
 * What a model name resolved to: a local file or folder to load, and what kind it is.
 *
 * <pre>{@code
 * ModelSource source = ModelLocator.create().locate("ViT-B/32");
 * source.kind();   // RELEASED
 * source.path();   // ~/.cache/clip/ViT-B-32.pt
 * source.name();   // "ViT-B/32"
 * }</pre>
 *
 * @param kind how the model was named
 * @param path the checkpoint file, or the Hugging Face model folder
 * @param name a name to show users: the registry name, or the file's or folder's name
 */
public record ModelSource(Kind kind, Path path, String name) {

    /** How a model was named, which also tells a loader what to expect at {@link #path()}. */
    public enum Kind {
        /** A registry name ({@link ModelRegistry}); the path is the verified checkpoint in the cache. */
        RELEASED,
        /** A checkpoint file given by path: TorchScript archive, {@code torch.save}d state dict or safetensors. */
        CHECKPOINT_FILE,
        /** A Hugging Face model folder: it holds {@code config.json} and the weights. */
        HUGGING_FACE_FOLDER
    }

    /**
     * Checks that no field is null and the name is not blank; whether the path exists is the locator's concern.
     *
     * @param kind how the model was named
     * @param path the checkpoint file, or the Hugging Face model folder
     * @param name a name to show users, not blank
     * @throws IllegalArgumentException if {@code name} is blank
     */
    public ModelSource {
        requireNonNull(kind, "kind");
        requireNonNull(path, "path");
        requireNonNull(name, "name");
        if (name.isBlank()) {
            throw new IllegalArgumentException("name must not be blank");
        }
    }

    /**
     * Whether {@link #path()} is a folder rather than one checkpoint file.
     *
     * @return true for a {@link Kind#HUGGING_FACE_FOLDER}, false for a single checkpoint file
     */
    public boolean isFolder() {
        return kind == Kind.HUGGING_FACE_FOLDER;
    }
}
