package io.github.clip4j.benchmarks;

import io.github.clip4j.internal.weights.Float16;
import io.github.clip4j.internal.weights.SafetensorsReader;
import io.github.clip4j.internal.weights.TorchCheckpointWriter;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Collectors;

/**
 * Checkpoints of the released models' sizes with random fp16 weights (the released files are fp16), written
 * without holding the model in memory. Normalisation weights are 1, BatchNorm variances near 1, everything else
 * uniform in +-0.02 (fixed seed), {@code logit_scale} is {@code ln(100)}.
 */
final class RandomCheckpoints {
    private RandomCheckpoints() {}

    /**
     * {@code RandomCheckpoints MODEL FILE}: writes a random checkpoint of {@code MODEL}'s shape (ViT-B/32, ViT-B/16,
     * RN50) in the released archive layout, which clip4j loads and Python's {@code torch.load} reads (the ONNX
     * export in {@code scripts/export_onnx.py} builds the reference model from the same file).
     */
    public static void main(String[] args) throws IOException {
        if (args.length != 2) {
            throw new IllegalArgumentException("usage: RandomCheckpoints MODEL FILE.pt");
        }
        writeTorchArchive(ModelShape.named(args[0]), Path.of(args[1]).toAbsolutePath());
    }

    /** Writes {@code shape} as fp16 safetensors with OpenAI's names. */
    static void writeSafetensors(ModelShape shape, Path file) throws IOException {
        Map<String, long[]> tensors = shape.tensors();
        StringBuilder header = new StringBuilder("{");
        long offset = 0;
        for (Map.Entry<String, long[]> e : tensors.entrySet()) {
            long bytes = 2 * ModelShape.numel(e.getValue());
            header.append(header.length() > 1 ? "," : "").append('"').append(e.getKey()).append("\":{\"dtype\":\"F16\",")
                    .append("\"shape\":").append(Arrays.stream(e.getValue()).mapToObj(Long::toString)
                            .collect(Collectors.joining(",", "[", "]")))
                    .append(",\"data_offsets\":[").append(offset).append(',').append(offset + bytes).append("]}");
            offset += bytes;
        }
        byte[] headerBytes = header.append('}').toString().getBytes(StandardCharsets.UTF_8);
        SplittableRandom random = new SplittableRandom(42);
        try (FileChannel out = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            out.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(0, headerBytes.length));
            out.write(ByteBuffer.wrap(headerBytes));
            ByteBuffer chunk = ByteBuffer.allocateDirect(1 << 20).order(ByteOrder.LITTLE_ENDIAN);
            for (Map.Entry<String, long[]> e : tensors.entrySet()) {
                String name = e.getKey();
                boolean ones = (name.contains("ln_") || name.contains("bn") || name.contains("downsample.1"))
                        && name.endsWith(".weight");
                for (long i = ModelShape.numel(e.getValue()); i > 0; i--) {
                    float v = (float) ((random.nextDouble() - 0.5) * 0.04);
                    if (ones) {
                        v = 1f;
                    } else if (name.endsWith("running_var")) {
                        v = 1f + Math.abs(v);
                    } else if (name.equals("logit_scale")) {
                        v = (float) Math.log(100);
                    }
                    chunk.putShort(Float16.fromFloat(v));
                    if (!chunk.hasRemaining()) {
                        out.write(chunk.flip());
                        chunk.clear();
                    }
                }
            }
            out.write(chunk.flip());
        }
    }

    /** Writes {@code shape} in the released files' archive layout (a zip of fp16 storages). */
    static void writeTorchArchive(ModelShape shape, Path file) throws IOException {
        Path staging = Files.createTempFile(file.getParent(), "random", ".safetensors");
        try {
            writeSafetensors(shape, staging);
            TorchCheckpointWriter.write(SafetensorsReader.read(staging), file);
        } finally {
            Files.deleteIfExists(staging);
        }
    }
}
