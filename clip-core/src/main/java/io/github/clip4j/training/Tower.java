package io.github.clip4j.training;

/** The part of a CLIP model a parameter belongs to, used to freeze one side while the other is trained. */
public enum Tower {
    /** The image encoder: every parameter under {@code visual.}. */
    IMAGE,
    /** The text encoder: token and positional embeddings, transformer, final layer norm, text projection. */
    TEXT,
    /** Parameters of neither encoder, i.e. {@code logit_scale}. Trained unless both towers are frozen. */
    SHARED;

    /**
     * The tower of a parameter named the way OpenAI's {@code model.py} names it.
     *
     * <p>Example: {@code Tower.ofClipParameter("visual.conv1.weight") == IMAGE},
     * {@code Tower.ofClipParameter("ln_final.bias") == TEXT}, {@code Tower.ofClipParameter("logit_scale") == SHARED}.
     *
     * @param name a parameter name from OpenAI's checkpoints, not null
     * @return {@link #IMAGE} under {@code visual.}, {@link #SHARED} for {@code logit_scale}, else {@link #TEXT}
     */
    public static Tower ofClipParameter(String name) {
        if (name.startsWith("visual.")) {
            return IMAGE;
        }
        return name.equals("logit_scale") ? SHARED : TEXT;
    }
}
