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
 * Run in a fresh JVM by {@link QuietLibtorchTest}: encodes images with a ViT in fp32 (fp16-packed weights) and INT8
 * and with a ResNet (convolutions), prints a marker, then makes libtorch warn (which must print: the level is back).
 */
public final class QuietLibtorchMain {
    static final String MARKER = "-- clip4j calls done --";

    private QuietLibtorchMain() {}

    private static void encode(String name, StateDict weights, Precision precision) {
        try (ClipModel model = ClipModel.load(weights, Device.CPU, precision)) {
            int r = model.imageResolution();
            float[][] features = model.encodeImages(new float[2 * 3 * r * r], 2);
            System.out.println(name + " " + precision + " features " + features[0].length);
        }
    }

    public static void main(String[] args) {
        StateDict vit = CheckpointReader.read(Path.of(args[0]));
        StateDict resnet = CheckpointReader.read(Path.of(args[1]));
        encode("ViT", vit, Precision.FP32);
        encode("ViT", vit, Precision.INT8);
        encode("ResNet", resnet, Precision.FP32);
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
