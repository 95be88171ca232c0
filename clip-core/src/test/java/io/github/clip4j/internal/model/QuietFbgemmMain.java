package io.github.clip4j.internal.model;

import io.github.clip4j.Device;
import io.github.clip4j.Precision;
import io.github.clip4j.internal.runtime.InferenceScope;
import io.github.clip4j.internal.weights.CheckpointReader;
import io.github.clip4j.internal.weights.StateDict;
import java.nio.file.Path;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;

/**
 * Run in a fresh JVM by {@link LegacyFbgemmQuietTest}: encodes images with an fp32 model on fp16-packed weights and
 * with an INT8 model, prints a marker, then makes libtorch warn (which must print: the log level is back).
 */
public final class QuietFbgemmMain {
    static final String MARKER = "-- clip4j calls done --";

    private QuietFbgemmMain() {}

    public static void main(String[] args) {
        StateDict weights = CheckpointReader.read(Path.of(args[0]));
        for (Precision precision : new Precision[] {Precision.FP32, Precision.INT8}) {
            try (ClipModel model = ClipModel.load(weights, Device.CPU, precision)) {
                int r = model.imageResolution();
                System.out.println(precision + " features " + model.encodeImages(new float[2 * 3 * r * r], 2)[0].length);
            }
        }
        System.out.println(MARKER);
        System.out.flush();
        try (InferenceScope scope = InferenceScope.open()) {
            // any libtorch warning: an out= tensor of another shape gets resized, with a warning each time
            TensorOptions fp32 = new TensorOptions(torch.ScalarType.Float);
            torch.add_out(torch.zeros(new long[] {2, 2}, fp32), torch.ones(new long[] {3}, fp32),
                    torch.ones(new long[] {3}, fp32));
        }
    }
}
