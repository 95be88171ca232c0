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

    /**
     * Whether a parameter gets weight decay. Called once per parameter when the optimizer is built.
     *
     * <pre>{@code
     * WeightDecayRule matricesOnly = (name, rank) -> rank >= 2;
     * }</pre>
     *
     * @param name the parameter's name in the model, e.g. {@code "visual.conv1.weight"}
     * @param rank its number of dimensions (1 for biases and gains, 2 for matrices, 4 for convolution kernels)
     * @return true to decay it, false to put it in the group with weight decay 0
     */
    boolean decays(String name, long rank);
}
