package io.github.clip4j.model;

import io.github.clip4j.weights.CheckpointException;
import io.github.clip4j.weights.HostTensor;
import io.github.clip4j.weights.StateDict;
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

    /** Validates the arguments and copies {@code visionLayers}. */
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

    /** Whether the image encoder is a Vision Transformer (else a ModifiedResNet). */
    public boolean isVisionTransformer() {
        return visionLayers.size() == 1;
    }

    /** Attention heads of the image encoder: {@code width / 64} for a ViT, {@code width * 32 / 64} for a ResNet. */
    public int visionHeads() {
        return isVisionTransformer() ? visionWidth / 64 : visionWidth * 32 / 64;
    }

    /**
     * Infers the architecture from tensor shapes, exactly as the reference's {@code build_model} does.
     *
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
