package io.github.clip4j.internal.training;

import io.github.clip4j.training.ContrastiveTrainer;
import java.util.Objects;

/**
 * Builds a {@link ContrastiveTrainer} over any {@link ContrastiveModel}, image loader and caption tokenizer: for
 * clip4j's own tests and benchmarks (toy models, synthetic images). Users start from
 * {@code ContrastiveTrainer.builder(clip)}, whose signature mentions no engine type.
 */
public final class TrainerAccess {
    /** What {@code ContrastiveTrainer} offers clip4j's internals. */
    public interface Accessor {
        /**
         * {@return a trainer builder with CLIP's defaults}
         *
         * @param model the model to train in place
         * @param images decodes and preprocesses image files
         * @param tokenizer turns captions into fixed-length token rows
         */
        ContrastiveTrainer.Builder builder(ContrastiveModel model, ImageLoader images, CaptionTokenizer tokenizer);
    }

    private static volatile Accessor accessor;

    private TrainerAccess() {}

    /**
     * Called once, by {@code ContrastiveTrainer}'s static initialiser.
     *
     * @param instance the accessor
     */
    public static void register(Accessor instance) {
        accessor = Objects.requireNonNull(instance, "instance");
    }

    /**
     * {@return a trainer builder with CLIP's defaults (AdamW, warm-up + cosine, batch 32, one epoch)}
     *
     * @param model the model to train in place, not null
     * @param images decodes and preprocesses image files exactly as inference does, not null
     * @param tokenizer turns captions into fixed-length token rows, not null
     */
    public static ContrastiveTrainer.Builder builder(ContrastiveModel model, ImageLoader images,
            CaptionTokenizer tokenizer) {
        Accessor a = accessor;
        if (a == null) {
            try {
                // Initialising ContrastiveTrainer registers the accessor.
                Class.forName(ContrastiveTrainer.class.getName(), true, ContrastiveTrainer.class.getClassLoader());
            } catch (ClassNotFoundException e) {
                throw new IllegalStateException(e);
            }
            a = accessor;
        }
        return a.builder(model, images, tokenizer);
    }
}
