package io.github.clip4j.internal.weights;

import io.github.clip4j.CheckpointException;
import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * Reads any supported CLIP checkpoint into a {@link StateDict} with OpenAI's parameter names, detecting the
 * format from the content (never the file name).
 *
 * <pre>{@code
 * StateDict weights = CheckpointReader.read(Path.of("ViT-B-32.pt"));      // TorchScript release
 * StateDict hf = CheckpointReader.read(Path.of("clip-vit-base-patch32")); // transformers folder
 * }</pre>
 *
 * <p>Tensors keep their stored dtypes (OpenAI's releases mix F16 and F32). Descriptive values, where the
 * checkpoint has them, are in {@link StateDict#metadata()}: {@code input_resolution}, {@code context_length},
 * {@code vocab_size} (TorchScript and Hugging Face) and the Hugging Face preprocessor's {@code image_mean},
 * {@code image_std}, {@code image_resize}, {@code image_crop}.
 */
public final class CheckpointReader {
    private CheckpointReader() {}

    /**
     * Reads the checkpoint at {@code path}: a file in any {@link CheckpointFormat} or a transformers folder.
     *
     * @param path a checkpoint file or a Hugging Face model folder; not null
     * @return every tensor of the checkpoint under OpenAI's parameter names, with the metadata described above
     * @throws CheckpointException if the path is missing, of an unknown format, truncated or corrupt
     */
    public static StateDict read(Path path) {
        return switch (detect(path)) {
            case TORCHSCRIPT, TORCH_STATE_DICT -> TorchArchiveReader.read(path);
            case SAFETENSORS -> SafetensorsReader.read(path);
            case HUGGING_FACE -> HuggingFaceReader.read(path);
        };
    }

    /**
     * The format of the checkpoint at {@code path}, from its first bytes (or, for a folder, its {@code config.json}).
     * Zip archives are told apart by the TorchScript-only {@code constants.pkl}.
     *
     * @param path a checkpoint file or a model folder; not null
     * @return the detected format; the file is only sniffed, not fully validated
     * @throws CheckpointException if the path is missing or the content matches no supported format
     */
    public static CheckpointFormat detect(Path path) {
        requireNonNull(path, "path");
        if (Files.isDirectory(path)) {
            if (HuggingFaceReader.isModelFolder(path)) {
                return CheckpointFormat.HUGGING_FACE;
            }
            throw new CheckpointException(path + ": a folder without config.json; expected a Hugging Face"
                    + " transformers model folder or a checkpoint file. " + supported());
        }
        String notRegular = io.github.clip4j.internal.FileKinds.notRegular(path);
        if (notRegular != null) {
            throw new CheckpointException("checkpoint " + path + " " + notRegular);
        }
        byte[] head = new byte[16];
        int n;
        try (InputStream in = Files.newInputStream(path)) {
            n = in.readNBytes(head, 0, head.length);
        } catch (NoSuchFileException e) {
            throw new CheckpointException("checkpoint not found: " + path);
        } catch (IOException e) {
            throw new CheckpointException("cannot read checkpoint " + path + ": " + e.getMessage(), e);
        }
        if (n >= 4 && head[0] == 'P' && head[1] == 'K' && (head[2] == 3 || head[2] == 5)) {
            try (ZipArchive zip = ZipArchive.open(path)) {
                boolean torchScript = zip.entries().keySet().stream().anyMatch(k -> k.endsWith("/constants.pkl"));
                return torchScript ? CheckpointFormat.TORCHSCRIPT : CheckpointFormat.TORCH_STATE_DICT;
            }
        }
        if (n >= 9) {
            long headerLength = ByteBuffer.wrap(head, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
            if (head[8] == '{' && headerLength > 1) {
                return CheckpointFormat.SAFETENSORS;
            }
        }
        if (n >= 2 && (head[0] & 0xff) == 0x80 && head[1] >= 2 && head[1] <= 5) {
            throw new CheckpointException(path + ": a legacy (pre-1.6, non-zip) torch.save file or a plain pickle,"
                    + " which clip4j does not read; re-save it with a current PyTorch (torch.save(torch.load(f), f))"
                    + " or convert it to safetensors");
        }
        // Never quote the bytes: the file may be a secret (/proc/self/environ, a key file).
        throw new CheckpointException(path + ": unknown checkpoint format (the content looks like "
                + io.github.clip4j.internal.FileKinds.describe(head, n) + "). " + supported());
    }

    private static String supported() {
        return "Supported formats: " + Arrays.stream(CheckpointFormat.values())
                .map(CheckpointFormat::description).collect(Collectors.joining("; "));
    }
}
