package io.github.clip4j.internal;

import io.github.clip4j.Clip;
import io.github.clip4j.internal.image.ClipPreprocessor;
import io.github.clip4j.internal.model.ClipModel;
import io.github.clip4j.internal.weights.StateDict;
import java.util.Objects;

/**
 * The engine behind a public {@link Clip}, for clip4j's own packages (training, retrieval, the command line) and
 * never for users: {@code Clip}'s API has no native types, so the model is reached through here. {@code Clip}
 * registers the accessor when its class initialises (the JDK's "shared secrets" pattern).
 */
public final class ClipAccess {
    /** What {@code Clip} exposes to clip4j's internals. */
    public interface Accessor {
        /**
         * {@return the model {@code clip} runs; owned by {@code clip}, never to be closed by the caller}
         *
         * @param clip an open model
         */
        ClipModel model(Clip clip);

        /**
         * {@return the image transform {@code clip} applies}
         *
         * @param clip a model
         */
        ClipPreprocessor preprocessor(Clip clip);

        /**
         * {@return {@code builder}, set to load {@code weights} instead of a named model}
         *
         * @param builder a builder
         * @param weights the full state dict with OpenAI's names
         */
        Clip.Builder weights(Clip.Builder builder, StateDict weights);
    }

    private static volatile Accessor accessor;

    private ClipAccess() {}

    /**
     * Called once, by {@code Clip}'s static initialiser.
     *
     * @param instance the accessor
     */
    public static void register(Accessor instance) {
        accessor = Objects.requireNonNull(instance, "instance");
    }

    /**
     * {@return the model {@code clip} runs} Not guarded by {@link Clip#close()}: callers keep {@code clip} open.
     *
     * @param clip the facade
     */
    public static ClipModel model(Clip clip) {
        return accessor().model(clip);
    }

    /**
     * {@return the image transform {@code clip} applies}
     *
     * @param clip the facade
     */
    public static ClipPreprocessor preprocessor(Clip clip) {
        return accessor().preprocessor(clip);
    }

    /**
     * {@return a builder that loads {@code weights}, for TinyClip and tests}
     *
     * @param weights the full state dict with OpenAI's parameter names
     */
    public static Clip.Builder builder(StateDict weights) {
        return accessor().weights(Clip.builder(), weights);
    }

    private static Accessor accessor() {
        Accessor a = accessor;
        if (a == null) {
            try {
                // Initialising Clip registers the accessor.
                Class.forName(Clip.class.getName(), true, Clip.class.getClassLoader());
            } catch (ClassNotFoundException e) {
                throw new IllegalStateException(e);
            }
            a = accessor;
        }
        return a;
    }
}
