package io.github.clip4j.internal.model;

import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * The ModifiedResNet block: 1x1, 3x3, (average pool when strided), 1x1 expanding by 4, plus an identity or a
 * downsampling shortcut (average pool, 1x1 convolution, BatchNorm; named {@code downsample.0/1} as the reference's
 * {@code Sequential} with its unnamed {@code "-1"} pool).
 */
final class Bottleneck extends Layer {
    static final int EXPANSION = 4;

    private final Conv2d conv1;
    private final BatchNorm2d bn1;
    private final Conv2d conv2;
    private final BatchNorm2d bn2;
    private final Conv2d conv3;
    private final BatchNorm2d bn3;
    private final Downsample downsample;
    private final long stride;

    Bottleneck(Spec spec, long inplanes, long planes, long stride) {
        this.stride = stride;
        this.conv1 = register_module("conv1", new Conv2d(spec, inplanes, planes, 1, 1, 0));
        this.bn1 = register_module("bn1", new BatchNorm2d(spec, planes));
        this.conv2 = register_module("conv2", new Conv2d(spec, planes, planes, 3, 1, 1));
        this.bn2 = register_module("bn2", new BatchNorm2d(spec, planes));
        this.conv3 = register_module("conv3", new Conv2d(spec, planes, planes * EXPANSION, 1, 1, 0));
        this.bn3 = register_module("bn3", new BatchNorm2d(spec, planes * EXPANSION));
        this.downsample = stride > 1 || inplanes != planes * EXPANSION
                ? register_module("downsample", new Downsample(spec, inplanes, planes * EXPANSION, stride))
                : null;
    }

    Tensor forward(Tensor x) {
        Tensor out = torch.relu(bn1.forward(conv1.forward(x)));
        out = torch.relu(bn2.forward(conv2.forward(out)));
        if (stride > 1) {
            out = torch.avg_pool2d(out, stride, stride);
        }
        out = bn3.forward(conv3.forward(out));
        Tensor identity = downsample == null ? x : downsample.forward(x);
        return torch.relu(out.add(identity));
    }

    /** Anti-aliased strided shortcut: average pool, then a stride-1 1x1 convolution and BatchNorm. */
    static final class Downsample extends Layer {
        private final long stride;
        private final Conv2d conv;
        private final BatchNorm2d bn;

        Downsample(Spec spec, long in, long out, long stride) {
            this.stride = stride;
            this.conv = register_module("0", new Conv2d(spec, in, out, 1, 1, 0));
            this.bn = register_module("1", new BatchNorm2d(spec, out));
        }

        Tensor forward(Tensor x) {
            Tensor pooled = stride > 1 ? torch.avg_pool2d(x, stride, stride) : x;
            return bn.forward(conv.forward(pooled));
        }
    }
}
