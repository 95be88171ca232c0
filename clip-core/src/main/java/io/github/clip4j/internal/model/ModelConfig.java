package io.github.clip4j.internal.model;

import io.github.clip4j.CheckpointException;
import io.github.clip4j.internal.weights.HostTensor;
import io.github.clip4j.internal.weights.StateDict;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * The architecture of a CLIP model: the ten constructor arguments of OpenAI's {@code CLIP} class, in its order.
 *
 * <p>{@code visionLayers} has one element (the block count) for a Vision Transformer and four (blocks per stage)
 * for a ModifiedResNet; {@code visionPatchSize} is 0 for a ResNet (the reference passes {@code None}).
 *
 * <pre>{@code
 * ModelConfig vitB32 = new ModelConfig(512, 224, List.of(12), 768, 32, 77, 49408, 512, 8, 12);
 * }</pre>
 *
 * @param embedDim          the size of the shared image-text embedding space (512 for ViT-B/32)
 * @param imageResolution   the side in pixels of the square input images (224, or 336 for ViT-L/14@336px)
 * @param visionLayers      residual blocks of the image encoder: {@code [layers]} for a ViT, blocks per stage
 *                          for a ResNet (e.g. {@code [3, 4, 6, 3]} for RN50); unmodifiable
 * @param visionWidth       the ViT's hidden size, or the ResNet's base channel count (64 for RN50)
 * @param visionPatchSize   the side in pixels of a ViT patch (32 for ViT-B/32), 0 for a ResNet
 * @param contextLength     the number of token positions of the text encoder (77)
 * @param vocabSize         the number of token ids of the text encoder (49408 for OpenAI's BPE vocabulary)
 * @param transformerWidth  the text encoder's hidden size
 * @param transformerHeads  the text encoder's attention heads per layer
 * @param transformerLayers the text encoder's residual attention blocks (BERT: hidden layers)
 * @param visionHeadWidth   the size of one attention head of the image encoder: 64 for OpenAI's models and most of
 *                          Chinese-CLIP's, 80 for Chinese-CLIP's ViT-H-14
 * @param bert              the text encoder's BERT-only settings for a Chinese-CLIP model, or null for OpenAI's causal
 *                          text transformer. With BERT, {@code transformerWidth}, {@code transformerHeads} and
 *                          {@code transformerLayers} are its hidden size, heads and layers, {@code vocabSize} its
 *                          word-piece vocabulary and {@code contextLength} the tokenizer's row length (52)
 */
public record ModelConfig(
        int embedDim,
        int imageResolution,
        List<Integer> visionLayers,
        int visionWidth,
        int visionPatchSize,
        int contextLength,
        int vocabSize,
        int transformerWidth,
        int transformerHeads,
        int transformerLayers,
        int visionHeadWidth,
        BertConfig bert) {

    /** The head size of OpenAI's image encoders (and the default of Chinese-CLIP's {@code vision_head_width}). */
    public static final int DEFAULT_VISION_HEAD_WIDTH = 64;

    /**
     * An OpenAI CLIP architecture: head size 64, the causal text transformer.
     *
     * @param embedDim          see the record components
     * @param imageResolution   see the record components
     * @param visionLayers      see the record components
     * @param visionWidth       see the record components
     * @param visionPatchSize   see the record components
     * @param contextLength     see the record components
     * @param vocabSize         see the record components
     * @param transformerWidth  see the record components
     * @param transformerHeads  see the record components
     * @param transformerLayers see the record components
     */
    public ModelConfig(int embedDim, int imageResolution, List<Integer> visionLayers, int visionWidth,
            int visionPatchSize, int contextLength, int vocabSize, int transformerWidth, int transformerHeads,
            int transformerLayers) {
        this(embedDim, imageResolution, visionLayers, visionWidth, visionPatchSize, contextLength, vocabSize,
                transformerWidth, transformerHeads, transformerLayers, DEFAULT_VISION_HEAD_WIDTH, null);
    }

    /**
     * Validates the arguments and copies {@code visionLayers}.
     *
     * @param embedDim          positive
     * @param imageResolution   positive; a multiple of the patch size (ViT) or of 32 (ResNet)
     * @param visionLayers      1 or 4 positive counts; copied, not null
     * @param visionWidth       for a ViT at least 64 and divisible by its head count {@code visionWidth / 64};
     *                          even for a ResNet
     * @param visionPatchSize   positive for a ViT, 0 for a ResNet
     * @param contextLength     positive
     * @param vocabSize         positive
     * @param transformerWidth  positive and divisible by {@code transformerHeads}
     * @param transformerHeads  positive
     * @param transformerLayers positive
     * @param visionHeadWidth   positive; divides {@code visionWidth} for a ViT
     * @param bert              null, or BERT's settings with {@code contextLength} at most its positions
     * @throws IllegalArgumentException if the values cannot describe a CLIP model
     */
    public ModelConfig {
        visionLayers = List.copyOf(Objects.requireNonNull(visionLayers, "visionLayers"));
        if (visionLayers.size() != 1 && visionLayers.size() != 4) {
            throw new IllegalArgumentException("visionLayers must have 1 (ViT) or 4 (ResNet) entries: " + visionLayers);
        }
        for (int n : visionLayers) {
            positive(n, "vision layer count");
        }
        positive(embedDim, "embedDim");
        positive(imageResolution, "imageResolution");
        positive(visionWidth, "visionWidth");
        positive(contextLength, "contextLength");
        positive(vocabSize, "vocabSize");
        positive(transformerWidth, "transformerWidth");
        positive(transformerHeads, "transformerHeads");
        positive(transformerLayers, "transformerLayers");
        positive(visionHeadWidth, "visionHeadWidth");
        if (bert != null && contextLength > bert.maxPositionEmbeddings()) {
            throw new IllegalArgumentException("contextLength " + contextLength + " exceeds BERT's "
                    + bert.maxPositionEmbeddings() + " positions");
        }
        if (transformerWidth % transformerHeads != 0) {
            throw new IllegalArgumentException("transformerWidth " + transformerWidth
                    + " is not divisible by transformerHeads " + transformerHeads);
        }
        if (visionLayers.size() == 1) {
            positive(visionPatchSize, "visionPatchSize");
            if (imageResolution % visionPatchSize != 0) {
                throw new IllegalArgumentException("imageResolution " + imageResolution
                        + " is not a multiple of visionPatchSize " + visionPatchSize);
            }
            if (visionWidth < visionHeadWidth || visionWidth % (visionWidth / visionHeadWidth) != 0) {
                throw new IllegalArgumentException("a Vision Transformer needs visionWidth >= " + visionHeadWidth
                        + " with width // " + visionHeadWidth + " heads dividing it, got " + visionWidth);
            }
        } else {
            if (visionPatchSize != 0) {
                throw new IllegalArgumentException("a ResNet has no patch size (use 0), got " + visionPatchSize);
            }
            if (imageResolution % 32 != 0 || visionWidth % 2 != 0) {
                throw new IllegalArgumentException("a ResNet needs imageResolution divisible by 32 and "
                        + "an even visionWidth, got " + imageResolution + " and " + visionWidth);
            }
        }
    }

    /**
     * Whether the image encoder is a Vision Transformer (else a ModifiedResNet).
     *
     * @return {@code true} if {@link #visionLayers()} has a single entry
     */
    public boolean isVisionTransformer() {
        return visionLayers.size() == 1;
    }

    /**
     * Attention heads of the image encoder, as the reference computes them.
     *
     * @return {@code visionWidth / visionHeadWidth} for a ViT; {@code visionWidth * 32 / visionHeadWidth} for a
     *     ResNet's attention pool (the head width is 64 except for Chinese-CLIP's ViT-H-14)
     */
    public int visionHeads() {
        return isVisionTransformer() ? visionWidth / visionHeadWidth : visionWidth * 32 / visionHeadWidth;
    }

    /**
     * The fields by name, as a record prints them. An OpenAI configuration prints exactly as before the Chinese-CLIP
     * fields existed (the model identity hashes this text, so indexes built earlier keep matching their model).
     *
     * @return e.g. {@code ModelConfig[embedDim=512, imageResolution=224, visionLayers=[12], ...]}
     */
    @Override
    public String toString() {
        String common = "ModelConfig[embedDim=" + embedDim + ", imageResolution=" + imageResolution
                + ", visionLayers=" + visionLayers + ", visionWidth=" + visionWidth + ", visionPatchSize="
                + visionPatchSize + ", contextLength=" + contextLength + ", vocabSize=" + vocabSize
                + ", transformerWidth=" + transformerWidth + ", transformerHeads=" + transformerHeads
                + ", transformerLayers=" + transformerLayers;
        if (bert == null && visionHeadWidth == DEFAULT_VISION_HEAD_WIDTH) {
            return common + "]";
        }
        return common + ", visionHeadWidth=" + visionHeadWidth + ", bert=" + bert + "]";
    }

    /**
     * Whether the text encoder is Chinese-CLIP's BERT (else OpenAI's causal transformer).
     *
     * @return {@code true} if {@link #bert()} is set
     */
    public boolean isBert() {
        return bert != null;
    }

    /**
     * What a Chinese-CLIP checkpoint does not say about its architecture: the reference reads these from the model's
     * JSON configs ({@code vision_head_width}, {@code text_num_attention_heads}, {@code text_hidden_act}) and from
     * its tokenizer (the context length).
     *
     * @param visionHeadWidth the image encoder's head size (64; 80 for ViT-H-14)
     * @param textHeads       BERT's attention heads, or 0 for {@code hidden size / 64} (every released model)
     * @param textHiddenAct   BERT's activation, e.g. {@code gelu}
     * @param contextLength   the token rows' length, 52 for Chinese-CLIP
     */
    public record Hints(int visionHeadWidth, int textHeads, String textHiddenAct, int contextLength) {
        /** The released models' values: head size 64 in both towers, exact GELU, 52 tokens. */
        public static final Hints DEFAULT = new Hints(DEFAULT_VISION_HEAD_WIDTH, 0, "gelu", 52);
    }

    /**
     * Whether {@code stateDict} is a Chinese-CLIP model (a BERT text encoder under {@code bert.}) rather than
     * OpenAI's.
     *
     * @param stateDict the weights, with any {@code module.} prefix already removed; not null
     * @return {@code true} if some name starts with {@code bert.}
     */
    public static boolean isChineseClip(StateDict stateDict) {
        return stateDict.contains("bert.embeddings.word_embeddings.weight")
                || stateDict.names().stream().anyMatch(k -> k.startsWith("bert."));
    }

    /**
     * Infers the architecture from tensor shapes, exactly as the reference's {@code build_model} does; a
     * Chinese-CLIP checkpoint gets {@link Hints#DEFAULT} for what its shapes do not say.
     *
     * @param stateDict weights with OpenAI's (or Chinese-CLIP's) parameter names; not null
     * @return the configuration those tensors describe
     * @throws CheckpointException if a tensor the inference needs is missing or has an impossible shape
     */
    public static ModelConfig fromStateDict(StateDict stateDict) {
        return fromStateDict(stateDict, Hints.DEFAULT);
    }

    /**
     * Infers the architecture from tensor shapes, taking what shapes cannot tell from {@code hints} (used only for a
     * Chinese-CLIP checkpoint; an OpenAI one is read exactly as {@code build_model} does).
     *
     * @param stateDict weights with OpenAI's or Chinese-CLIP's parameter names; not null
     * @param hints     head counts, activation and context length of a Chinese-CLIP model; not null
     * @return the configuration those tensors describe
     * @throws CheckpointException if a tensor the inference needs is missing or has an impossible shape, or the
     *     hints do not fit the shapes
     */
    public static ModelConfig fromStateDict(StateDict stateDict, Hints hints) {
        Objects.requireNonNull(stateDict, "stateDict");
        Objects.requireNonNull(hints, "hints");
        try {
            return infer(stateDict, hints);
        } catch (IllegalArgumentException e) {
            throw new CheckpointException(stateDict.source() + ": not a CLIP checkpoint: " + e.getMessage(), e);
        }
    }

    private static ModelConfig infer(StateDict sd, Hints hints) {
        if (!sd.contains("visual.proj") && !sd.contains("visual.attnpool.positional_embedding")) {
            throw new CheckpointException(sd.source() + ": not a CLIP checkpoint with OpenAI's parameter names "
                    + "(neither visual.proj nor visual.attnpool.positional_embedding is present)");
        }
        boolean vit = sd.contains("visual.proj");
        List<Integer> visionLayers;
        int visionWidth;
        int patchSize;
        int imageResolution;
        if (vit) {
            HostTensor conv1 = sd.get("visual.conv1.weight");
            visionWidth = dim(conv1, 0);
            visionLayers = List.of((int) sd.names().stream()
                    .filter(k -> k.startsWith("visual.") && k.endsWith(".attn.in_proj_weight")).count());
            patchSize = dim(conv1, -1);
            int grid = squareSide(sd, "visual.positional_embedding");
            imageResolution = patchSize * grid;
        } else {
            Integer[] counts = new Integer[4];
            for (int b = 1; b <= 4; b++) {
                counts[b - 1] = blockCount(sd, "visual.layer" + b);
            }
            visionLayers = List.of(counts);
            visionWidth = dim(sd.get("visual.layer1.0.conv1.weight"), 0);
            patchSize = 0;
            imageResolution = squareSide(sd, "visual.attnpool.positional_embedding") * 32;
        }
        int embedDim = dim(sd.get("text_projection"), 1);
        if (isChineseClip(sd)) {
            int hidden = dim(sd.get("bert.embeddings.word_embeddings.weight"), 1);
            int heads = hints.textHeads() > 0 ? hints.textHeads() : hidden / 64;
            if (heads < 1 || hidden % heads != 0) {
                throw new IllegalArgumentException("BERT hidden size " + hidden + " is not divisible by " + heads
                        + " attention heads (text_num_attention_heads)");
            }
            BertConfig bert = new BertConfig(dim(sd.get("bert.encoder.layer.0.intermediate.dense.weight"), 0),
                    dim(sd.get("bert.embeddings.position_embeddings.weight"), 0),
                    dim(sd.get("bert.embeddings.token_type_embeddings.weight"), 0), hints.textHiddenAct());
            int bertLayers = blockCount(sd, "bert.encoder.layer", 3);
            return new ModelConfig(embedDim, imageResolution, visionLayers, visionWidth, patchSize,
                    hints.contextLength(), dim(sd.get("bert.embeddings.word_embeddings.weight"), 0), hidden, heads,
                    bertLayers, hints.visionHeadWidth(), bert);
        }
        int contextLength = dim(sd.get("positional_embedding"), 0);
        int vocabSize = dim(sd.get("token_embedding.weight"), 0);
        int width = dim(sd.get("ln_final.weight"), 0);
        int layers = blockCount(sd, "transformer.resblocks");
        return new ModelConfig(embedDim, imageResolution, visionLayers, visionWidth, patchSize, contextLength,
                vocabSize, width, width / 64, layers);
    }

    /** The number of distinct third name components of the keys starting with {@code prefix}. */
    private static int blockCount(StateDict sd, String prefix) {
        return blockCount(sd, prefix, 2);
    }

    /** The number of distinct name components at {@code index} of the keys starting with {@code prefix + "."}. */
    private static int blockCount(StateDict sd, String prefix, int index) {
        Set<String> blocks = new TreeSet<>();
        for (String k : sd.names()) {
            if (k.startsWith(prefix + ".")) {
                String[] parts = k.split("\\.");
                if (parts.length > index) {
                    blocks.add(parts[index]);
                }
            }
        }
        return blocks.size();
    }

    private static int squareSide(StateDict sd, String name) {
        int tokens = dim(sd.get(name), 0);
        int side = (int) Math.round(Math.sqrt(tokens - 1));
        if (side * side + 1 != tokens) {
            throw new CheckpointException(sd.source() + ": '" + name + "' has " + tokens
                    + " positions, not a square grid plus one class token");
        }
        return side;
    }

    private static int dim(HostTensor t, int i) {
        if (t.rank() <= (i < 0 ? -i - 1 : i)) {
            throw new IllegalArgumentException("tensor " + t + " has no dimension " + i);
        }
        return Math.toIntExact(t.dim(i));
    }

    private static void positive(int value, String name) {
        if (value <= 0) {
            throw new IllegalArgumentException(name + " must be positive, got " + value);
        }
    }
}
