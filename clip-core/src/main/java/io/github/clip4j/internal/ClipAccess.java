package io.github.clip4j.internal;

import io.github.clip4j.Clip;
import io.github.clip4j.internal.image.ClipPreprocessor;
import io.github.clip4j.internal.model.ClipModel;
import io.github.clip4j.internal.weights.StateDict;
import java.util.Objects;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * The engine behind a public {@link Clip}, for clip4j's own packages (training, retrieval, the command line) and
 * never for users: {@code Clip}'s API has no native types, so the model is reached through here. {@code Clip}
 * registers the accessor when its class initialises (the JDK's "shared secrets" pattern).
 */
public final class ClipAccess {
    private static volatile Function<Clip, ClipEngine> engines;
    private static volatile BiFunction<Clip.Builder, StateDict, Clip.Builder> weights;

    private ClipAccess() {}

    /**
     * Called once, by {@code Clip}'s static initialiser.
     *
     * @param engineOfClip the engine behind a {@code Clip}
     * @param builderWithWeights sets a builder to load weights in memory
     */
    public static void register(Function<Clip, ClipEngine> engineOfClip,
                                BiFunction<Clip.Builder, StateDict, Clip.Builder> builderWithWeights) {
        engines = Objects.requireNonNull(engineOfClip, "engineOfClip");
        weights = Objects.requireNonNull(builderWithWeights, "builderWithWeights");
    }

    /**
     * {@return the engine behind {@code clip}} Not guarded by {@link Clip#close()}: callers keep {@code clip} open.
     *
     * @param clip the facade
     */
    public static ClipEngine engine(Clip clip) {
        initialise();
        return engines.apply(clip);
    }

    /**
     * {@return the model {@code clip} runs; owned by {@code clip}, never to be closed by the caller}
     *
     * @param clip the facade
     */
    public static ClipModel model(Clip clip) {
        return engine(clip).model();
    }

    /**
     * {@return the image transform {@code clip} applies}
     *
     * @param clip the facade
     */
    public static ClipPreprocessor preprocessor(Clip clip) {
        return engine(clip).preprocessor();
    }

    /**
     * {@return a builder that loads {@code weights}, for TinyClip and tests}
     *
     * @param stateDict the full state dict with OpenAI's parameter names
     */
    public static Clip.Builder builder(StateDict stateDict) {
        initialise();
        return weights.apply(Clip.builder(), stateDict);
    }

    private static void initialise() {
        if (engines == null) {
            try {
                // Initialising Clip registers the functions.
                Class.forName(Clip.class.getName(), true, Clip.class.getClassLoader());
            } catch (ClassNotFoundException e) {
                throw new IllegalStateException(e);
            }
        }
    }
}
