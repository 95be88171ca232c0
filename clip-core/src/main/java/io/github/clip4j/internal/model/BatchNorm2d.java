package io.github.clip4j.internal.model;

import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.global.torch;

/**
 * {@code nn.BatchNorm2d} (eps 1e-5, momentum 0.1): running statistics in eval mode, batch statistics (updating
 * the running ones) in training mode. Computed in fp32 and returned in the input's type.
 *
 * <p>{@code num_batches_tracked} is not kept: it only matters for a momentum of {@code None}.
 */
final class BatchNorm2d extends Layer {
    private final Tensor weight;
    private final Tensor bias;
    private final Tensor runningMean;
    private final Tensor runningVar;

    BatchNorm2d(Spec spec, long channels) {
        this.weight = fp32Parameter(spec, "weight", channels);
        this.bias = fp32Parameter(spec, "bias", channels);
        this.runningMean = fp32Buffer(spec, "running_mean", channels);
        this.runningVar = fp32Buffer(spec, "running_var", channels);
    }

    Tensor forward(Tensor x) {
        torch.ScalarType type = x.scalar_type();
        Tensor y = torch.batch_norm(x.to(torch.ScalarType.Float), new TensorOptional(weight),
                new TensorOptional(bias), new TensorOptional(runningMean), new TensorOptional(runningVar),
                is_training(), 0.1, 1e-5, true);
        return type == torch.ScalarType.Float ? y : y.to(type);
    }
}
