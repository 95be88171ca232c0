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
 * @param transformerLayers the text encoder's residual attention blocks
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
        int transformerLayers) {

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
            if (visionWidth < 64 || visionWidth % (visionWidth / 64) != 0) {
                throw new IllegalArgumentException("a Vision Transformer needs visionWidth >= 64 with width // 64 "
                        + "heads dividing it, got " + visionWidth);
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
     * @return {@code visionWidth / 64} for a ViT; {@code visionWidth * 32 / 64} for a ResNet's attention pool
     */
    public int visionHeads() {
        return isVisionTransformer() ? visionWidth / 64 : visionWidth * 32 / 64;
    }

    /**
     * Infers the architecture from tensor shapes, exactly as the reference's {@code build_model} does.
     *
     * @param stateDict weights with OpenAI's parameter names; not null
     * @return the configuration those tensors describe
     * @throws CheckpointException if a tensor the inference needs is missing or has an impossible shape
     */
    public static ModelConfig fromStateDict(StateDict stateDict) {
        Objects.requireNonNull(stateDict, "stateDict");
        try {
            return infer(stateDict);
        } catch (IllegalArgumentException e) {
            throw new CheckpointException(stateDict.source() + ": not a CLIP checkpoint: " + e.getMessage(), e);
        }
    }

    private static ModelConfig infer(StateDict sd) {
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
        int contextLength = dim(sd.get("positional_embedding"), 0);
        int vocabSize = dim(sd.get("token_embedding.weight"), 0);
        int width = dim(sd.get("ln_final.weight"), 0);
        int layers = blockCount(sd, "transformer.resblocks");
        return new ModelConfig(embedDim, imageResolution, visionLayers, visionWidth, patchSize, contextLength,
                vocabSize, width, width / 64, layers);
    }

    /** The number of distinct third name components of the keys starting with {@code prefix}. */
    private static int blockCount(StateDict sd, String prefix) {
        Set<String> blocks = new TreeSet<>();
        for (String k : sd.names()) {
            if (k.startsWith(prefix)) {
                String[] parts = k.split("\\.");
                if (parts.length > 2) {
                    blocks.add(parts[2]);
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
