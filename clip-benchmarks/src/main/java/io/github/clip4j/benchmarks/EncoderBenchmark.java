package io.github.clip4j.benchmarks;

import io.github.clip4j.internal.model.ClipModel;
import io.github.clip4j.Device;
import io.github.clip4j.internal.runtime.NativeRuntime;
import io.github.clip4j.Precision;
import io.github.clip4j.tokenizer.ClipTokenizer;
import io.github.clip4j.internal.weights.SafetensorsReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * JMH throughput of the encoders on random weights of a released model's shape: {@code images} encodes one batch
 * of preprocessed pixels (images/s = ops/s x batch), {@code prompts} encodes 64 zero-shot prompts in one call
 * (texts/s = ops/s x 64). {@link ClipBenchmark} is the broader table (load, files, accuracy).
 *
 * <pre>
 * java -jar clip-benchmarks/target/benchmarks.jar EncoderBenchmark -p model=ViT-B/32 -p precision=FP32,BF16
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = "-Xmx2g")
@Warmup(iterations = 1, time = 10)
@Measurement(iterations = 3, time = 10)
public class EncoderBenchmark {
    @Param({"ViT-B/32", "ViT-B/16", "RN50"})
    public String model;

    @Param({"FP32", "BF16"})
    public String precision;

    @Param({"16"})
    public int batch;

    @Param({"2"})
    public int threads;

    private ClipModel clip;
    private float[] pixels;
    private int[][] prompts;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        NativeRuntime.setThreads(threads);
        Path file = Files.createTempFile("clip4j-jmh", ".safetensors");
        try {
            RandomCheckpoints.writeSafetensors(ModelShape.named(model), file);
            clip = ClipModel.load(SafetensorsReader.read(file), Device.CPU, Precision.valueOf(precision));
        } finally {
            Files.deleteIfExists(file);
        }
        int r = clip.imageResolution();
        pixels = new float[batch * 3 * r * r];
        SplittableRandom random = new SplittableRandom(1);
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = (float) (random.nextDouble() * 4 - 2);
        }
        prompts = ClipTokenizer.load(BenchmarkData.vocabulary()).tokenize(BenchmarkData.prompts(64), 77, true);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        clip.close();
    }

    @Benchmark
    public float[][] images() {
        return clip.encodeImages(pixels, batch);
    }

    @Benchmark
    public float[][] prompts() {
        return clip.encodeTexts(prompts);
    }
}
