package io.github.clip4j.bench;

import io.github.clip4j.model.ClipModel;
import io.github.clip4j.runtime.Device;
import io.github.clip4j.runtime.NativeRuntime;
import io.github.clip4j.runtime.Precision;
import io.github.clip4j.weights.SafetensorsReader;
import io.github.clip4j.weights.StateDict;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Collectors;

/**
 * Throughput of the image encoder for a ViT-B/32-shaped model with random weights (not a test; run by hand):
 * writes a random fp16 checkpoint (like the released ones), measures its load time and peak RSS, then images/s for
 * batches of 16 in fp32 and bf16.
 *
 * <pre>
 * mvn -q -pl clip-core -am test-compile
 * java -cp "clip-core/target/test-classes:clip-core/target/classes:$(cat cp.txt)" \
 *     io.github.clip4j.bench.EncoderBenchmark [threads=2] [batches=5]
 * </pre>
 */
public final class EncoderBenchmark {
    private static final int BATCH = 16;

    private EncoderBenchmark() {}

    public static void main(String[] args) throws IOException {
        int threads = args.length > 0 ? Integer.parseInt(args[0]) : 2;
        int batches = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        NativeRuntime.setThreads(threads);
        Path file = Files.createTempFile("vit-b32-random", ".safetensors");
        try {
            writeRandomVitB32(file);
            long baseline = peakRssKb();
            for (Precision precision : new Precision[] {Precision.FP32, Precision.BF16}) {
                StateDict weights = SafetensorsReader.read(file);
                long start = System.nanoTime();
                try (ClipModel model = ClipModel.load(weights, Device.CPU, precision)) {
                    double loadSeconds = (System.nanoTime() - start) / 1e9;
                    System.out.printf("%s: load %.2f s, peak RSS %d MB (JVM + libtorch before loading: %d MB)%n",
                            precision, loadSeconds, peakRssKb() / 1024, baseline / 1024);
                    run(model, threads, batches);
                }
            }
        } finally {
            Files.deleteIfExists(file);
        }
    }

    private static void run(ClipModel model, int threads, int batches) {
        int r = model.imageResolution();
        float[] pixels = new float[BATCH * 3 * r * r];
        SplittableRandom random = new SplittableRandom(1);
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = (float) (random.nextDouble() * 4 - 2);
        }
        model.encodeImages(pixels, BATCH); // warm-up: allocator, kernels, thread pool
        long start = System.nanoTime();
        for (int b = 0; b < batches; b++) {
            model.encodeImages(pixels, BATCH);
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        System.out.printf("%s, %d threads: %.1f images/s (%d batches of %d in %.2f s)%n", model.precision(),
                threads, batches * BATCH / seconds, batches, BATCH, seconds);
    }

    /** ViT-B/32's tensors (OpenAI names, fp16), filled with small random values. */
    static void writeRandomVitB32(Path file) throws IOException {
        int width = 768;
        int layers = 12;
        int textWidth = 512;
        int textLayers = 12;
        int embed = 512;
        Map<String, long[]> shapes = new LinkedHashMap<>();
        shapes.put("positional_embedding", new long[] {77, textWidth});
        shapes.put("text_projection", new long[] {textWidth, embed});
        shapes.put("logit_scale", new long[] {});
        shapes.put("visual.class_embedding", new long[] {width});
        shapes.put("visual.positional_embedding", new long[] {50, width});
        shapes.put("visual.proj", new long[] {width, embed});
        shapes.put("visual.conv1.weight", new long[] {width, 3, 32, 32});
        shapes.put("visual.ln_pre.weight", new long[] {width});
        shapes.put("visual.ln_pre.bias", new long[] {width});
        blocks(shapes, "visual.transformer.resblocks.", layers, width);
        shapes.put("visual.ln_post.weight", new long[] {width});
        shapes.put("visual.ln_post.bias", new long[] {width});
        blocks(shapes, "transformer.resblocks.", textLayers, textWidth);
        shapes.put("token_embedding.weight", new long[] {49408, textWidth});
        shapes.put("ln_final.weight", new long[] {textWidth});
        shapes.put("ln_final.bias", new long[] {textWidth});

        Map<String, long[]> offsets = new LinkedHashMap<>();
        long offset = 0;
        for (Map.Entry<String, long[]> e : shapes.entrySet()) {
            long bytes = 2 * numel(e.getValue());
            offsets.put(e.getKey(), new long[] {offset, offset + bytes});
            offset += bytes;
        }
        String header = shapes.entrySet().stream().map(e -> "\"" + e.getKey() + "\":{\"dtype\":\"F16\",\"shape\":"
                + java.util.Arrays.toString(e.getValue()).replace(" ", "") + ",\"data_offsets\":"
                + java.util.Arrays.toString(offsets.get(e.getKey())).replace(" ", "") + "}")
                .collect(Collectors.joining(",", "{", "}"));
        byte[] headerBytes = header.getBytes(StandardCharsets.UTF_8);
        SplittableRandom random = new SplittableRandom(42);
        try (FileChannel out = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer length = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(0, headerBytes.length);
            out.write(length);
            out.write(ByteBuffer.wrap(headerBytes));
            ByteBuffer chunk = ByteBuffer.allocateDirect(1 << 20).order(ByteOrder.LITTLE_ENDIAN);
            for (Map.Entry<String, long[]> e : shapes.entrySet()) {
                boolean ones = e.getKey().contains("ln_") && e.getKey().endsWith(".weight");
                for (long i = numel(e.getValue()); i > 0; i--) {
                    float v = ones ? 1f : (float) ((random.nextDouble() - 0.5) * 0.04);
                    if (e.getKey().equals("logit_scale")) {
                        v = 4.6052f;
                    }
                    chunk.putShort(io.github.clip4j.weights.Float16.fromFloat(v));
                    if (!chunk.hasRemaining()) {
                        chunk.flip();
                        out.write(chunk);
                        chunk.clear();
                    }
                }
            }
            chunk.flip();
            out.write(chunk);
        }
    }

    private static void blocks(Map<String, long[]> shapes, String prefix, int layers, int width) {
        for (int i = 0; i < layers; i++) {
            String p = prefix + i + ".";
            shapes.put(p + "attn.in_proj_weight", new long[] {3L * width, width});
            shapes.put(p + "attn.in_proj_bias", new long[] {3L * width});
            shapes.put(p + "attn.out_proj.weight", new long[] {width, width});
            shapes.put(p + "attn.out_proj.bias", new long[] {width});
            shapes.put(p + "ln_1.weight", new long[] {width});
            shapes.put(p + "ln_1.bias", new long[] {width});
            shapes.put(p + "mlp.c_fc.weight", new long[] {4L * width, width});
            shapes.put(p + "mlp.c_fc.bias", new long[] {4L * width});
            shapes.put(p + "mlp.c_proj.weight", new long[] {width, 4L * width});
            shapes.put(p + "mlp.c_proj.bias", new long[] {width});
            shapes.put(p + "ln_2.weight", new long[] {width});
            shapes.put(p + "ln_2.bias", new long[] {width});
        }
    }

    private static long numel(long[] shape) {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        return n;
    }

    /** The process's peak resident set (VmHWM) in kB, or -1 where /proc is not available. */
    static long peakRssKb() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmHWM:")) {
                    return Long.parseLong(line.replaceAll("\\D+", ""));
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }
}
