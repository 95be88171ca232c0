package io.github.clip4j.training;

import io.github.clip4j.Clip;
import io.github.clip4j.internal.ClipAccess;

import io.github.clip4j.internal.training.NamedParameters;
import io.github.clip4j.internal.training.OutputFiles;
import static java.util.Objects.requireNonNull;

import io.github.clip4j.internal.model.ClipModel;
import io.github.clip4j.internal.loading.ChineseClipConfigs;
import io.github.clip4j.internal.weights.SafetensorsWriter;
import io.github.clip4j.internal.weights.StateDict;
import io.github.clip4j.internal.weights.TorchCheckpointWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.bytedeco.pytorch.Module;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Saves trained weights as a checkpoint that clip4j and the Python tools load: every parameter and buffer under
 * OpenAI's names, in float32, in the format the file name's extension asks for.
 *
 * <ul>
 *   <li>{@code .safetensors}: read by {@code Clip.load}, {@code safetensors.torch.load_file} and open_clip;
 *       {@code metadata} goes to {@code __metadata__} (with {@code "format": "pt"}, the safetensors convention).
 *   <li>{@code .pt} or {@code .pth}: a {@code torch.save}d state dict, which Python's {@code torch.load} and
 *       {@code clip.load("fine-tuned.pt")} read (metadata is not stored).
 * </ul>
 *
 * <pre>{@code
 * FineTunedWeights.requireSupported(out);            // before training: refuse "out.bin" at once
 * OutputFiles.requireWritable(out, "output checkpoint");
 * ... trainer.fit(train) ...
 * FineTunedWeights.save(clip, out);
 * }</pre>
 */
public final class FineTunedWeights {
    private static final Logger log = LoggerFactory.getLogger(FineTunedWeights.class);

    private FineTunedWeights() {}

    /** The checkpoint formats, chosen by file extension. */
    enum Format {
        /** {@code .safetensors}. */
        SAFETENSORS,
        /** {@code .pt} / {@code .pth}: {@code torch.save} of a state dict. */
        TORCH;

        /**
         * The format of {@code file}'s extension, ignoring case.
         *
         * @param file the checkpoint path, not null; only its file name is looked at
         * @return {@link #SAFETENSORS} for {@code .safetensors}, {@link #TORCH} for {@code .pt} and {@code .pth}
         * @throws TrainingException if the extension is neither {@code .safetensors} nor {@code .pt}/{@code .pth}
         */
        static Format of(Path file) {
            requireNonNull(file, "file");
            Path name = file.getFileName();
            String lower = name == null ? "" : name.toString().toLowerCase(Locale.ROOT);
            if (lower.endsWith(".safetensors")) {
                return SAFETENSORS;
            }
            if (lower.endsWith(".pt") || lower.endsWith(".pth")) {
                return TORCH;
            }
            throw new TrainingException("cannot tell the checkpoint format of " + file
                    + ": name it .safetensors (safetensors) or .pt (torch.save state dict)");
        }
    }

    /**
     * Checks that {@code file}'s extension names a supported format, so that a run is refused before training
     * rather than after.
     *
     * @param file the planned output path, not null
     * @throws TrainingException if it does not
     */
    public static void requireSupported(Path file) {
        Format.of(file);
    }

    /**
     * Saves {@code clip}'s weights to {@code file} without metadata; see {@link #save(Clip, Path, Map)}.
     *
     * @param clip the open model whose weights are saved, not null; it is not closed
     * @param file the output file, its extension choosing the format; an existing file is replaced
     * @throws TrainingException if the extension is not supported
     * @throws io.github.clip4j.CheckpointException if the file cannot be written
     */
    public static void save(Clip clip, Path file) {
        save(clip, file, Map.of());
    }

    /**
     * Saves every parameter and buffer of {@code clip}'s model (float32, OpenAI's parameter names) to {@code file},
     * atomically (a temporary file, then a rename), in the format of its extension.
     *
     * @param clip the open model whose parameters and buffers are saved, not null; it is not closed
     * @param file the output file, its extension choosing the format; an existing file is replaced
     * @param metadata strings stored in a safetensors header (ignored for {@code .pt}), e.g. the training settings
     * @throws TrainingException if the extension is not supported
     * @throws io.github.clip4j.CheckpointException if the file cannot be written
     */
    public static void save(Clip clip, Path file, Map<String, String> metadata) {
        requireNonNull(clip, "clip");
        Module module = ClipAccess.model(clip).module();
        requireNonNull(metadata, "metadata");
        Format format = Format.of(file);
        StateDict weights = NamedParameters.toStateDict(module, "fine-tuned weights for " + file);
        // a Chinese-CLIP model's head counts are not in its tensors: kept in the header, or as NAME.json beside
        Map<String, String> config = ChineseClipConfigs.keepWith(ClipAccess.model(clip).config(), file);
        switch (format) {
            case SAFETENSORS -> {
                Map<String, String> header = new LinkedHashMap<>();
                header.put("format", "pt");
                header.putAll(config);
                header.putAll(metadata);
                SafetensorsWriter.write(weights, file, header);
            }
            case TORCH -> TorchCheckpointWriter.write(weights, file);
        }
        log.info("saved {} tensors to {} ({})", weights.size(), file, format);
    }
}
