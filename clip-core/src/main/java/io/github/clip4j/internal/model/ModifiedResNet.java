package io.github.clip4j.internal.model;

import io.github.clip4j.internal.runtime.NativeScopes;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * The reference's {@code ModifiedResNet}: a three-convolution stem with an average pool, four stages of
 * {@link Bottleneck}s ({@code layer1..4}, strides 1, 2, 2, 2) and an {@link AttentionPool2d}.
 */
final class ModifiedResNet extends Layer implements ImageEncoder {
    private final Conv2d conv1;
    private final BatchNorm2d bn1;
    private final Conv2d conv2;
    private final BatchNorm2d bn2;
    private final Conv2d conv3;
    private final BatchNorm2d bn3;
    private final List<Bottleneck> blocks = new ArrayList<>();
    private final AttentionPool2d attnpool;

    ModifiedResNet(Spec spec, ModelConfig config) {
        long width = config.visionWidth();
        this.conv1 = register_module("conv1", new Conv2d(spec, 3, width / 2, 3, 2, 1));
        this.bn1 = register_module("bn1", new BatchNorm2d(spec, width / 2));
        this.conv2 = register_module("conv2", new Conv2d(spec, width / 2, width / 2, 3, 1, 1));
        this.bn2 = register_module("bn2", new BatchNorm2d(spec, width / 2));
        this.conv3 = register_module("conv3", new Conv2d(spec, width / 2, width, 3, 1, 1));
        this.bn3 = register_module("bn3", new BatchNorm2d(spec, width));
        long inplanes = width;
        for (int stage = 0; stage < 4; stage++) {
            long planes = width << stage;
            Module layer = register_module("layer" + (stage + 1), new Module());
            for (int i = 0; i < config.visionLayers().get(stage); i++) {
                long stride = i == 0 && stage > 0 ? 2 : 1;
                blocks.add(layer.register_module(Integer.toString(i), new Bottleneck(spec, inplanes, planes, stride)));
                inplanes = planes * Bottleneck.EXPANSION;
            }
        }
        this.attnpool = register_module("attnpool", new AttentionPool2d(spec, config.imageResolution() / 32,
                width * 32, config.visionHeads(), config.embedDim()));
    }

    @Override
    public Tensor forward(Tensor pixels) {
        Tensor x = torch.relu(bn1.forward(conv1.forward(pixels)));
        x = torch.relu(bn2.forward(conv2.forward(x)));
        x = torch.relu(bn3.forward(conv3.forward(x)));
        x = torch.avg_pool2d(x, 2, 2);
        for (Bottleneck block : blocks) { // each block's intermediates freed when it ends (see Transformer)
            try (PointerScope scope = new PointerScope()) {
                x = NativeScopes.escape(scope, block.forward(x));
            }
        }
        return attnpool.forward(x);
    }
}
