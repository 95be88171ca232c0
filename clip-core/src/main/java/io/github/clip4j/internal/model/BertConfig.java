package io.github.clip4j.internal.model;

import java.util.Objects;
import java.util.Set;

/**
 * The settings of Chinese-CLIP's BERT text encoder that {@link ModelConfig}'s common fields do not hold (hidden size,
 * heads, layers and vocabulary are there): the reference's {@code text_intermediate_size},
 * {@code text_max_position_embeddings}, {@code text_type_vocab_size} and {@code text_hidden_act}. The layer-norm
 * epsilon is fixed by the reference's code at 1e-12.
 *
 * @param intermediateSize      the feed-forward width ({@code intermediate.dense} outputs), 3072 for the base models
 * @param maxPositionEmbeddings the rows of {@code position_embeddings}, 512 for the released models
 * @param typeVocabSize         the rows of {@code token_type_embeddings} (2); only type 0 is used
 * @param hiddenAct             the feed-forward activation: {@code gelu} (exact, with erf; every released model),
 *                              {@code gelu_new} (tanh approximation), {@code relu} or {@code swish}
 */
public record BertConfig(int intermediateSize, int maxPositionEmbeddings, int typeVocabSize, String hiddenAct) {
    /** The activations the reference's {@code ACT2FN} knows. */
    public static final Set<String> ACTIVATIONS = Set.of("gelu", "gelu_new", "relu", "swish");

    /** The layer-norm epsilon of every BERT layer norm (the reference's {@code BertLayerNorm} default). */
    public static final double LAYER_NORM_EPS = 1e-12;

    /**
     * Validates the settings.
     *
     * @param intermediateSize      positive
     * @param maxPositionEmbeddings positive
     * @param typeVocabSize         positive
     * @param hiddenAct             one of {@link #ACTIVATIONS}
     * @throws IllegalArgumentException if a value is out of range or the activation is unknown
     */
    public BertConfig {
        Objects.requireNonNull(hiddenAct, "hiddenAct");
        if (intermediateSize < 1 || maxPositionEmbeddings < 1 || typeVocabSize < 1) {
            throw new IllegalArgumentException("BERT sizes must be positive, got intermediate " + intermediateSize
                    + ", positions " + maxPositionEmbeddings + ", token types " + typeVocabSize);
        }
        if (!ACTIVATIONS.contains(hiddenAct)) {
            throw new IllegalArgumentException("text_hidden_act '" + hiddenAct + "' is not one of " + ACTIVATIONS);
        }
    }
}
