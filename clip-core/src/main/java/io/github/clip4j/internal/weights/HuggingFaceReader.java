package io.github.clip4j.internal.weights;

import io.github.clip4j.CheckpointException;
import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads a Hugging Face transformers CLIP folder ({@code config.json} with {@code model.safetensors}, a sharded
 * {@code model.safetensors.index.json}, or {@code pytorch_model.bin}) and renames its weights to OpenAI's.
 *
 * <p>The mapping inverts transformers' {@code convert_clip_original_pytorch_to_hf.py}: the separate q/k/v
 * projections are concatenated (in that order) into {@code attn.in_proj_weight}/{@code in_proj_bias}, the
 * {@code Linear} projections {@code visual_projection}/{@code text_projection} are transposed into OpenAI's
 * matrices {@code visual.proj}/{@code text_projection}, and {@code position_ids} buffers are dropped. A weight
 * the mapping does not know is an error rather than silently lost.
 *
 * <p>The metadata carries {@code input_resolution}, {@code context_length} and {@code vocab_size} from
 * {@code config.json} (the same keys {@link TorchArchiveReader} uses) and, when {@code preprocessor_config.json}
 * is present, {@code image_mean}, {@code image_std} (comma-separated), {@code image_resize} and
 * {@code image_crop}; {@link #preprocessor(Path)} gives the latter as a value.
 */
public final class HuggingFaceReader {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long MAX_JSON_BYTES = 64L * 1024 * 1024;
    private static final Pattern LAYER = Pattern.compile("(vision|text)_model\\.encoder\\.layers\\.(\\d+)\\.(.+)");
    private static final Pattern QKV = Pattern.compile("self_attn\\.([qkv])_proj\\.(weight|bias)");
    private static final Map<String, String> LAYER_PARTS = Map.of(
            "self_attn.out_proj.weight", "attn.out_proj.weight",
            "self_attn.out_proj.bias", "attn.out_proj.bias",
            "layer_norm1.weight", "ln_1.weight",
            "layer_norm1.bias", "ln_1.bias",
            "layer_norm2.weight", "ln_2.weight",
            "layer_norm2.bias", "ln_2.bias",
            "mlp.fc1.weight", "mlp.c_fc.weight",
            "mlp.fc1.bias", "mlp.c_fc.bias",
            "mlp.fc2.weight", "mlp.c_proj.weight",
            "mlp.fc2.bias", "mlp.c_proj.bias");
    private static final Map<String, String> TOP_LEVEL = Map.ofEntries(
            Map.entry("vision_model.embeddings.class_embedding", "visual.class_embedding"),
            Map.entry("vision_model.embeddings.patch_embedding.weight", "visual.conv1.weight"),
            Map.entry("vision_model.embeddings.position_embedding.weight", "visual.positional_embedding"),
            Map.entry("vision_model.pre_layrnorm.weight", "visual.ln_pre.weight"),
            Map.entry("vision_model.pre_layrnorm.bias", "visual.ln_pre.bias"),
            Map.entry("vision_model.post_layernorm.weight", "visual.ln_post.weight"),
            Map.entry("vision_model.post_layernorm.bias", "visual.ln_post.bias"),
            Map.entry("text_model.embeddings.token_embedding.weight", "token_embedding.weight"),
            Map.entry("text_model.embeddings.position_embedding.weight", "positional_embedding"),
            Map.entry("text_model.final_layer_norm.weight", "ln_final.weight"),
            Map.entry("text_model.final_layer_norm.bias", "ln_final.bias"),
            Map.entry("logit_scale", "logit_scale"));
    private static final Map<String, String> TRANSPOSED = Map.of(
            "visual_projection.weight", "visual.proj",
            "text_projection.weight", "text_projection");

    private HuggingFaceReader() {}

    /**
     * Whether {@code folder} looks like a transformers model folder (it has a {@code config.json}). Only the
     * file's presence is checked; {@link #read} validates the content.
     *
     * @param folder any path; not null
     * @return {@code true} if it is a directory containing a regular file {@code config.json}
     */
    public static boolean isModelFolder(Path folder) {
        return Files.isDirectory(folder) && Files.isRegularFile(folder.resolve("config.json"));
    }

    /**
     * Reads the CLIP weights of a transformers folder with OpenAI's names.
     *
     * @param folder a {@code CLIPModel} folder as saved by {@code save_pretrained} or downloaded from the Hub;
     *               not null
     * @return the weights renamed (and, for the projections, transposed) to OpenAI's layout, with
     *         {@code input_resolution}, {@code context_length}, {@code vocab_size} and, when a
     *         {@code preprocessor_config.json} is present, the {@code image_*} entries in its metadata
     * @throws CheckpointException if the folder has no config or weights, is not a CLIP model, or a file is corrupt
     */
    public static StateDict read(Path folder) {
        requireNonNull(folder, "folder");
        JsonNode config = json(folder.resolve("config.json"), folder);
        String modelType = config.path("model_type").asText("");
        if (!modelType.equals("clip")) {
            throw new CheckpointException(folder + ": config.json declares model_type '" + modelType
                    + "', not 'clip'; only CLIP models (CLIPModel) can be loaded");
        }
        StateDict raw = readWeights(folder);
        Map<String, String> metadata = new LinkedHashMap<>();
        putInt(metadata, "input_resolution", config.path("vision_config").path("image_size"));
        putInt(metadata, "context_length", config.path("text_config").path("max_position_embeddings"));
        putInt(metadata, "vocab_size", config.path("text_config").path("vocab_size"));
        preprocessor(folder).ifPresent(p -> {
            metadata.put("image_mean", join(p.mean()));
            metadata.put("image_std", join(p.std()));
            metadata.put("image_resize", Integer.toString(p.resizeShortestEdge()));
            metadata.put("image_crop", Integer.toString(p.cropSize()));
        });
        return new StateDict(toOpenAiNames(raw, folder), metadata, folder.toString());
    }

    /**
     * The folder's {@code preprocessor_config.json} as a value, or empty when the file is absent.
     *
     * @param folder a transformers model folder; not null
     * @return the declared preprocessing, or empty if the folder has no {@code preprocessor_config.json}
     * @throws CheckpointException if the file exists but is malformed
     */
    public static Optional<PreprocessorConfig> preprocessor(Path folder) {
        Path file = folder.resolve("preprocessor_config.json");
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        JsonNode node = json(file, folder);
        try {
            float[] mean = floats(node.get("image_mean"));
            float[] std = floats(node.get("image_std"));
            int resize = size(node.get("size"), "shortest_edge");
            int crop = node.has("crop_size") ? size(node.get("crop_size"), "height") : resize;
            return Optional.of(new PreprocessorConfig(mean, std, resize, crop));
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new CheckpointException(file + ": malformed preprocessor config (" + e.getMessage() + ")");
        }
    }

    private static StateDict readWeights(Path folder) {
        Path single = folder.resolve("model.safetensors");
        if (Files.isRegularFile(single)) {
            return SafetensorsReader.read(single);
        }
        Path index = folder.resolve("model.safetensors.index.json");
        if (Files.isRegularFile(index)) {
            return readSharded(folder, index);
        }
        Path bin = folder.resolve("pytorch_model.bin");
        if (Files.isRegularFile(bin)) {
            return TorchArchiveReader.read(bin);
        }
        throw new CheckpointException(folder + ": no weights found (expected model.safetensors,"
                + " model.safetensors.index.json or pytorch_model.bin)");
    }

    private static StateDict readSharded(Path folder, Path index) {
        JsonNode weightMap = json(index, folder).path("weight_map");
        if (!weightMap.isObject()) {
            throw new CheckpointException(index + ": no weight_map object");
        }
        Set<String> shards = new LinkedHashSet<>();
        weightMap.elements().forEachRemaining(n -> shards.add(n.asText()));
        Map<String, HostTensor> tensors = new LinkedHashMap<>();
        Path base = folder.toAbsolutePath().normalize();
        for (String shard : shards) {
            Path file = base.resolve(shard).normalize();
            if (!file.startsWith(base) || file.equals(base)) {
                throw new CheckpointException(index + ": shard '" + shard + "' lies outside the model folder");
            }
            tensors.putAll(SafetensorsReader.read(file).tensors());
        }
        return new StateDict(tensors, Map.of(), index.toString());
    }

    private static Map<String, HostTensor> toOpenAiNames(StateDict raw, Path folder) {
        Map<String, HostTensor> out = new LinkedHashMap<>();
        // prefix ("visual.transformer.resblocks.0.attn.in_proj_") -> part ("weight") -> q/k/v -> tensor
        Map<String, Map<String, Map<String, HostTensor>>> qkv = new TreeMap<>();
        List<String> unknown = new ArrayList<>();
        for (Map.Entry<String, HostTensor> e : raw.tensors().entrySet()) {
            String name = e.getKey();
            HostTensor tensor = e.getValue();
            if (name.endsWith("embeddings.position_ids")) {
                continue; // a constant arange buffer, not a weight
            }
            if (TOP_LEVEL.containsKey(name)) {
                out.put(TOP_LEVEL.get(name), tensor);
                continue;
            }
            if (TRANSPOSED.containsKey(name)) {
                try {
                    out.put(TRANSPOSED.get(name), HostTensors.transpose(tensor));
                } catch (IllegalArgumentException ex) {
                    throw new CheckpointException(folder + ": " + name + ": " + ex.getMessage());
                }
                continue;
            }
            Matcher layer = LAYER.matcher(name);
            if (layer.matches()) {
                String prefix = (layer.group(1).equals("vision") ? "visual.transformer" : "transformer")
                        + ".resblocks." + layer.group(2) + ".";
                String part = layer.group(3);
                Matcher m = QKV.matcher(part);
                if (m.matches()) {
                    qkv.computeIfAbsent(prefix + "attn.in_proj_", k -> new TreeMap<>())
                            .computeIfAbsent(m.group(2), k -> new TreeMap<>())
                            .put(m.group(1), tensor);
                    continue;
                }
                if (LAYER_PARTS.containsKey(part)) {
                    out.put(prefix + LAYER_PARTS.get(part), tensor);
                    continue;
                }
            }
            unknown.add(name);
        }
        if (!unknown.isEmpty()) {
            throw new CheckpointException(folder + ": weights with no OpenAI CLIP equivalent: " + unknown);
        }
        qkv.forEach((prefix, parts) -> parts.forEach((part, byLetter) -> {
            List<HostTensor> pieces = new ArrayList<>();
            for (String letter : List.of("q", "k", "v")) {
                HostTensor piece = byLetter.get(letter);
                if (piece == null) {
                    throw new CheckpointException(folder + ": " + letter + "_proj." + part + " is missing for "
                            + prefix + part);
                }
                pieces.add(piece);
            }
            try {
                out.put(prefix + part, HostTensors.concat(pieces));
            } catch (IllegalArgumentException ex) {
                throw new CheckpointException(folder + ": " + prefix + part + ": " + ex.getMessage());
            }
        }));
        return out;
    }

    private static JsonNode json(Path file, Path folder) {
        try {
            if (!Files.isRegularFile(file)) {
                throw new CheckpointException(folder + ": missing " + file.getFileName());
            }
            if (Files.size(file) > MAX_JSON_BYTES) {
                throw new CheckpointException(file + ": larger than " + MAX_JSON_BYTES + " bytes");
            }
            JsonNode node = JSON.readTree(file.toFile());
            if (node == null || !node.isObject()) {
                throw new CheckpointException(file + ": not a JSON object");
            }
            return node;
        } catch (IOException e) {
            throw new CheckpointException(file + ": unreadable JSON (" + e.getMessage() + ")", e);
        }
    }

    private static void putInt(Map<String, String> metadata, String key, JsonNode node) {
        if (node.isInt()) {
            metadata.put(key, Integer.toString(node.asInt()));
        }
    }

    private static float[] floats(JsonNode node) {
        if (node == null || !node.isArray()) {
            throw new IllegalArgumentException("expected an array of numbers, got " + node);
        }
        float[] out = new float[node.size()];
        Iterator<JsonNode> it = node.elements();
        for (int i = 0; it.hasNext(); i++) {
            JsonNode n = it.next();
            if (!n.isNumber()) {
                throw new IllegalArgumentException("not a number: " + n);
            }
            out[i] = n.floatValue();
        }
        return out;
    }

    /** A size that is a plain int (older configs) or an object such as {@code {"shortest_edge": 224}}. */
    private static int size(JsonNode node, String field) {
        if (node != null && node.isInt()) {
            return node.asInt();
        }
        if (node != null && node.path(field).isInt()) {
            return node.path(field).asInt();
        }
        throw new IllegalArgumentException("expected a size, got " + node);
    }

    private static String join(float[] values) {
        StringBuilder sb = new StringBuilder();
        for (float v : values) {
            if (sb.length() > 0) {
                sb.append(',');
            }
            sb.append(v);
        }
        return sb.toString();
    }
}
