package io.github.clip4j.internal.model;

import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.global.torch;

/** {@code nn.Conv2d} without bias, square kernel, given stride and padding. */
final class Conv2d extends Layer {
    private final Tensor weight;
    private final long stride;
    private final long padding;

    Conv2d(Spec spec, long in, long out, long kernel, long stride, long padding) {
        this.weight = parameter(spec, "weight", out, in, kernel, kernel);
        this.stride = stride;
        this.padding = padding;
    }

    /** {@code [out, in, kernel, kernel]}. */
    Tensor weight() {
        return weight;
    }

    Tensor forward(Tensor x) {
        return torch.conv2d(x, weight, new TensorOptional(), new long[] {stride, stride},
                new long[] {padding, padding}, new long[] {1, 1}, 1);
    }
}
