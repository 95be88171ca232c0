package io.github.clip4j.training;

/**
 * Which parameters AdamW's decoupled weight decay applies to; the others go to a parameter group with decay 0.
 */
@FunctionalInterface
public interface WeightDecayRule {
    /**
     * CLIP's rule (the paper's and open_clip's): no decay on gains and biases (every parameter with fewer than
     * two dimensions, which covers layer-norm weights, biases, {@code class_embedding} and {@code logit_scale}),
     * on embeddings ({@code token_embedding.weight}, {@code positional_embedding}, {@code visual.positional_embedding})
     * or on {@code logit_scale}; decay on every other matrix and convolution kernel.
     */
    WeightDecayRule CLIP = (name, rank) -> rank >= 2 && !name.contains("embedding") && !name.contains("logit_scale");

    /** Decay on every parameter, as a plain {@code AdamW(model.parameters())} does (the training fixture). */
    WeightDecayRule ALL = (name, rank) -> true;

    /** Whether the parameter {@code name} with {@code rank} dimensions gets weight decay. */
    boolean decays(String name, long rank);
}
