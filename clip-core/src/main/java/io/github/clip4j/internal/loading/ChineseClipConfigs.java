package io.github.clip4j.internal.loading;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.clip4j.CheckpointException;
import io.github.clip4j.internal.model.ModelConfig;
import io.github.clip4j.internal.weights.StateDict;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a Chinese-CLIP checkpoint's tensors do not say about its architecture, and where clip4j finds it: the
 * vision head width, BERT's head count and activation (the reference's {@code model_configs/*.json}) and the
 * context length (its tokenizer's 52).
 *
 * <p>Order: a {@code NAME.json} beside a checkpoint file {@code NAME.pt} / {@code NAME.safetensors} (the vision json
 * with the text json's keys, as the reference's {@code create_model} merges them); the config of the released
 * model the user named ({@code cn-clip/ViT-B-16}, ...); the {@code clip4j.config} entry a fine-tuned safetensors
 * file carries; the released model whose shapes the checkpoint has; else the released models' common values (head
 * size 64, exact GELU) with a warning.
 */
public final class ChineseClipConfigs {
    private static final Logger LOG = LoggerFactory.getLogger(ChineseClipConfigs.class);

    /** The metadata key of a safetensors file under which clip4j stores a Chinese-CLIP model's JSON config. */
    public static final String METADATA_KEY = "clip4j.config";

    /** The released model of a registry name, by the part after {@code cn-clip/}. */
    private static final Map<String, Released> RELEASED = released();

    /**
     * A released model's config: the vision json's values and the text json's, merged.
     *
     * @param name              the reference's model name, e.g. {@code ViT-B-16}
     * @param visionWidth       {@code vision_width}
     * @param visionLayers      {@code vision_layers} (the block count of a ViT, the sum of stages of a ResNet)
     * @param visionHeadWidth   {@code vision_head_width}
     * @param textHidden        {@code text_hidden_size}
     * @param textLayers        {@code text_num_hidden_layers}
     * @param textHeads         {@code text_num_attention_heads}
     */
    record Released(String name, int visionWidth, int visionLayers, int visionHeadWidth, int textHidden,
                    int textLayers, int textHeads) {
        ModelConfig.Hints hints() {
            return new ModelConfig.Hints(visionHeadWidth, textHeads, "gelu", CONTEXT_LENGTH);
        }

        boolean matches(ModelConfig shapes) {
            int layers = shapes.visionLayers().stream().mapToInt(Integer::intValue).sum();
            return shapes.visionWidth() == visionWidth && layers == visionLayers
                    && shapes.transformerWidth() == textHidden && shapes.transformerLayers() == textLayers;
        }
    }

    /** Chinese-CLIP's context length, the default of {@code cn_clip.clip.tokenize}. */
    public static final int CONTEXT_LENGTH = 52;

    private ChineseClipConfigs() {}

    private static Map<String, Released> released() {
        // cn_clip/clip/model_configs: ViT-B-16, ViT-L-14 and ViT-L-14-336 with RoBERTa-wwm-ext-base-chinese (768
        // hidden, 12 layers, 12 heads), ViT-H-14 (vision_head_width 80) with RoBERTa-wwm-ext-large-chinese (1024,
        // 24, 16), RN50 ([3,4,6,3], width 64) with RBT3-chinese (768, 3 layers, 12 heads); all "gelu".
        Map<String, Released> out = new LinkedHashMap<>();
        for (Released r : new Released[] {
            new Released("ViT-B-16", 768, 12, 64, 768, 12, 12),
            new Released("ViT-L-14", 1024, 24, 64, 768, 12, 12),
            new Released("ViT-L-14-336", 1024, 24, 64, 768, 12, 12),
            new Released("ViT-H-14", 1280, 32, 80, 1024, 24, 16),
            new Released("RN50", 64, 16, 64, 768, 3, 12)}) {
            out.put(r.name(), r);
        }
        return Map.copyOf(out);
    }

    /**
     * The hints for a Chinese-CLIP checkpoint.
     *
     * @param weights   the checkpoint's tensors (and metadata)
     * @param file      the checkpoint file, or null if the weights were given in memory
     * @param modelName the name the user gave (a registry name such as {@code cn-clip/ViT-B-16}), or null
     * @return the head counts, activation and context length to build the model with
     * @throws CheckpointException if a {@code NAME.json} beside the file cannot be read
     */
    public static ModelConfig.Hints hints(StateDict weights, Path file, String modelName) {
        if (file != null && Files.isRegularFile(file)) {
            Optional<Path> json = besideFile(file);
            if (json.isPresent()) {
                return fromJson(read(json.get()), json.get().toString());
            }
        }
        if (modelName != null) {
            String key = modelName.startsWith("cn-clip/") ? modelName.substring("cn-clip/".length()) : modelName;
            Released released = RELEASED.get(key);
            if (released != null) {
                return released.hints();
            }
        }
        String stored = weights.metadata().get(METADATA_KEY);
        if (stored != null) {
            try {
                return fromJson(new ObjectMapper().readTree(stored), weights.source() + " (" + METADATA_KEY + ")");
            } catch (IOException e) {
                throw new CheckpointException(weights.source() + ": its " + METADATA_KEY + " metadata is not JSON: "
                        + e.getMessage() + "; remove it or put a NAME.json beside the file", e);
            }
        }
        ModelConfig shapes = ModelConfig.fromStateDict(weights);
        for (Released released : RELEASED.values()) {
            if (released.matches(shapes)) {
                return released.hints();
            }
        }
        LOG.warn("{}: a Chinese-CLIP checkpoint with no config beside it and the shapes of no released model: "
                + "assuming attention heads of 64 values and exact GELU; put the model's config as {} beside the file "
                + "if that is wrong", weights.source(), file == null ? "NAME.json" : jsonName(file));
        return ModelConfig.Hints.DEFAULT;
    }

    /**
     * The JSON config a Chinese-CLIP model needs besides its tensors (the keys the reference's config files use), for
     * storing with fine-tuned weights.
     *
     * @param config the model's architecture
     * @return a JSON object with {@code vision_head_width}, {@code text_num_attention_heads},
     *     {@code text_hidden_act} and {@code context_length}
     */
    public static String toJson(ModelConfig config) {
        return "{\"vision_head_width\": " + config.visionHeadWidth() + ", \"text_num_attention_heads\": "
                + config.transformerHeads() + ", \"text_hidden_act\": \"" + config.bert().hiddenAct()
                + "\", \"context_length\": " + config.contextLength() + "}";
    }

    /**
     * Keeps a Chinese-CLIP model's config with weights saved to {@code file}, so they reload as the same model:
     * for a safetensors file the returned metadata entry goes into its header; for any other format the config is
     * written as {@code NAME.json} beside the file (the reference's layout). Nothing for an OpenAI model.
     *
     * @param config the saved model's architecture
     * @param file   the checkpoint file being written
     * @return the metadata entries to add to a safetensors header (empty for an OpenAI model)
     */
    public static Map<String, String> keepWith(ModelConfig config, Path file) {
        if (!config.isBert()) {
            return Map.of();
        }
        String json = toJson(config);
        if (file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".safetensors")) {
            return Map.of(METADATA_KEY, json);
        }
        byte[] bytes = json.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        io.github.clip4j.internal.io.AtomicFiles.writeUnchecked(file.resolveSibling(jsonName(file)),
                channel -> io.github.clip4j.internal.io.AtomicFiles.writeFully(channel,
                        java.nio.ByteBuffer.wrap(bytes)));
        return Map.of();
    }

    /** {@code NAME.json} beside {@code NAME.pt}, {@code NAME.safetensors}, ... if it exists. */
    static Optional<Path> besideFile(Path file) {
        Path json = file.resolveSibling(jsonName(file));
        return Files.isRegularFile(json) ? Optional.of(json) : Optional.empty();
    }

    private static String jsonName(Path file) {
        String name = file.getFileName().toString();
        int dot = name.lastIndexOf('.');
        return (dot > 0 ? name.substring(0, dot) : name) + ".json";
    }

    private static JsonNode read(Path json) {
        try {
            JsonNode node = new ObjectMapper().readTree(json.toFile());
            if (node == null || !node.isObject()) {
                throw new CheckpointException(json + ": not a JSON object; a Chinese-CLIP config such as "
                        + "{\"vision_head_width\": 64, \"text_num_attention_heads\": 12, ...} is expected");
            }
            return node;
        } catch (IOException e) {
            throw new CheckpointException(json + ": cannot read the model's config: " + e.getMessage()
                    + "; fix or remove the file", e);
        }
    }

    /** The hints in a reference-style config (missing keys take the reference's defaults). */
    static ModelConfig.Hints fromJson(JsonNode node, String source) {
        int headWidth = node.path("vision_head_width").asInt(ModelConfig.DEFAULT_VISION_HEAD_WIDTH);
        int heads = node.path("text_num_attention_heads").asInt(0);
        String act = node.path("text_hidden_act").asText("gelu").toLowerCase(Locale.ROOT);
        int context = node.path("context_length").asInt(CONTEXT_LENGTH);
        if (headWidth < 1 || heads < 0 || context < 2) {
            throw new CheckpointException(source + ": vision_head_width " + headWidth + ", text_num_attention_heads "
                    + heads + " or context_length " + context + " is out of range; fix the config");
        }
        return new ModelConfig.Hints(headWidth, heads, act, context);
    }
}
