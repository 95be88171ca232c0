package io.github.clip4j.benchmarks;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import java.util.Map;
import java.util.Set;

/**
 * ONNX Runtime (Java, CPU, fp32) on the same preprocessed batch and with the same flags and JSON line as
 * {@code ClipBenchmark --pixels}: what inference4j and DJL users run, so the engine clip4j is compared with. The
 * model is the reference image encoder exported by {@code scripts/export_onnx.py}; graph optimizations ALL,
 * {@code --threads} intra-op threads, one inter-op thread, sequential execution. Benchmark-only: ONNX Runtime is
 * a dependency of this module and of nothing published.
 *
 * <pre>
 * java -cp clip-benchmarks/target/benchmarks.jar io.github.clip4j.benchmarks.OrtBenchmark \
 *     --pixels pixels.npy --model vit-b-32-visual.onnx --precision fp32 --threads 1 --warmup 2 --iters 10 --json
 * </pre>
 */
public final class OrtBenchmark {
    private OrtBenchmark() {}

    public static void main(String[] args) throws Exception {
        PixelsRun.Options options = PixelsRun.parse(args, "OrtBenchmark", Set.of("fp32"));
        NpyPixels input = NpyPixels.read(options.pixels());
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions session = new OrtSession.SessionOptions()) {
            session.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            session.setIntraOpNumThreads(options.threads());
            session.setInterOpNumThreads(1);
            session.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
            try (OrtSession model = env.createSession(options.model().toString(), session);
                 OnnxTensor pixels = OnnxTensor.createTensor(env, input.pixels(),
                         new long[] {input.n(), 3, input.resolution(), input.resolution()})) {
                String name = model.getInputNames().iterator().next();
                PixelsRun.time(options, input.n(), () -> {
                    try (OrtSession.Result result = model.run(Map.of(name, pixels))) {
                        return (float[][]) result.get(0).getValue();
                    }
                });
            }
        }
    }
}
