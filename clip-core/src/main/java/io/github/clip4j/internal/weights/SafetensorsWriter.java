package io.github.clip4j.internal.weights;

import io.github.clip4j.CheckpointException;
import io.github.clip4j.internal.io.AtomicFiles;
import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;

/**
 * Writes a {@link StateDict} as a <a href="https://huggingface.co/docs/safetensors">safetensors</a> file, the
 * format {@link SafetensorsReader} and Python's {@code safetensors.torch.load_file} read.
 *
 * <p>Tensors keep their names, dtypes and insertion order; the header is padded with spaces to a multiple of 8
 * bytes so the data is aligned. The file is written atomically (a temporary file, then a rename).
 *
 * <pre>{@code
 * SafetensorsWriter.write(weights, Path.of("fine-tuned.safetensors"), Map.of("epochs", "3"));
 * }</pre>
 */
public final class SafetensorsWriter {
    private static final ObjectMapper JSON = new ObjectMapper();

    private SafetensorsWriter() {}

    /**
     * Writes {@code weights} and {@code metadata} (stored as {@code __metadata__}) to {@code file}. The file is
     * written beside its target and renamed into place, so a failure leaves any existing file untouched.
     *
     * @param weights  the tensors to store, in their own dtypes and in iteration order; not null
     * @param file     the target path; missing parent folders are created; an existing file is replaced
     * @param metadata free-form string pairs for the header ({@link StateDict#metadata()} is not added
     *                 implicitly); may be empty, not null
     * @throws CheckpointException if a name is invalid or the file cannot be written
     */
    public static void write(StateDict weights, Path file, Map<String, String> metadata) {
        requireNonNull(weights, "weights");
        requireNonNull(file, "file");
        requireNonNull(metadata, "metadata");
        byte[] header = header(weights, metadata, file);
        try {
            AtomicFiles.write(file, channel -> {
                ByteBuffer length = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(0, header.length);
                AtomicFiles.writeFully(channel, length);
                AtomicFiles.writeFully(channel, ByteBuffer.wrap(header));
                for (HostTensor tensor : weights.tensors().values()) {
                    AtomicFiles.writeFully(channel, tensor.data());
                }
            });
        } catch (java.io.IOException e) {
            throw new CheckpointException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    private static byte[] header(StateDict weights, Map<String, String> metadata, Path file) {
        ObjectNode root = JSON.createObjectNode();
        if (!metadata.isEmpty()) {
            ObjectNode meta = root.putObject("__metadata__");
            metadata.forEach((k, v) -> meta.put(requireNonNull(k, "metadata key"),
                    requireNonNull(v, "metadata value of " + k)));
        }
        long offset = 0;
        for (Map.Entry<String, HostTensor> e : weights.tensors().entrySet()) {
            String name = e.getKey();
            if (name.isEmpty() || name.equals("__metadata__")) {
                throw new CheckpointException("cannot write " + file + ": invalid tensor name '" + name + "'");
            }
            HostTensor tensor = e.getValue();
            long size = tensor.numel() * tensor.dtype().byteSize();
            ObjectNode entry = root.putObject(name);
            entry.put("dtype", tensor.dtype().name());
            long[] shape = tensor.shape();
            var shapeNode = entry.putArray("shape");
            for (long d : shape) {
                shapeNode.add(d);
            }
            entry.putArray("data_offsets").add(offset).add(offset + size);
            offset += size;
        }
        byte[] json;
        try {
            json = JSON.writeValueAsString(root).getBytes(StandardCharsets.UTF_8);
        } catch (JsonProcessingException e) {
            throw new CheckpointException("cannot write " + file + ": " + e.getOriginalMessage(), e);
        }
        int padded = (json.length + 7) / 8 * 8;
        byte[] out = new byte[padded];
        System.arraycopy(json, 0, out, 0, json.length);
        for (int i = json.length; i < padded; i++) {
            out[i] = ' ';
        }
        return out;
    }
}
