package io.github.clip4j.internal.training;

import io.github.clip4j.training.TrainingException;
import io.github.clip4j.training.WeightDecayRule;
import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.pytorch.AdamW;
import org.bytedeco.pytorch.AdamWOptions;
import org.bytedeco.pytorch.InputArchive;
import org.bytedeco.pytorch.OptimizerParamGroup;
import org.bytedeco.pytorch.OutputArchive;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;

/**
 * libtorch's {@code torch::optim::AdamW} with two parameter groups (decayed and not decayed).
 *
 * <p>libtorch's C++ AdamW performs the same update as PyTorch 1.13's {@code torch.optim.AdamW} with
 * {@code amsgrad=False} (checked against the reference fixture and a hand-written update in the tests):
 * {@code p *= 1 - lr*wd; m = b1*m + (1-b1)*g; v = b2*v + (1-b2)*g^2;
 * p -= lr/(1-b1^t) * m / (sqrt(v)/sqrt(1-b2^t) + eps)}. Parameters whose gradient is undefined are skipped.
 */
public final class AdamWOptimizer implements AutoCloseable {
    private final AdamW optimizer;
    private final int decayed;
    private final int notDecayed;

    /**
     * @param parameters the trainable parameters by name, in a stable order (resume files rely on it)
     */
  public   AdamWOptimizer(Map<String, Tensor> parameters, WeightDecayRule rule, double learningRate, double weightDecay,
            double beta1, double beta2, double eps) {
        requireNonNull(parameters, "parameters");
        requireNonNull(rule, "rule");
        List<Tensor> decay = new ArrayList<>();
        List<Tensor> noDecay = new ArrayList<>();
        parameters.forEach((name, p) -> (rule.decays(name, p.dim()) ? decay : noDecay).add(p));
        if (decay.isEmpty() && noDecay.isEmpty()) {
            throw new TrainingException("nothing to train: every parameter is frozen; unfreeze a tower");
        }
        this.decayed = decay.size();
        this.notDecayed = noDecay.size();
        List<AdamWGroup> groups = new ArrayList<>();
        if (!decay.isEmpty()) {
            groups.add(new AdamWGroup(decay, options(learningRate, weightDecay, beta1, beta2, eps)));
        }
        if (!noDecay.isEmpty()) {
            groups.add(new AdamWGroup(noDecay, options(learningRate, 0.0, beta1, beta2, eps)));
        }
        AdamWGroup first = groups.get(0);
        this.optimizer = new AdamW(new TensorVector(first.params.toArray(new Tensor[0])), first.options);
        for (AdamWGroup group : groups.subList(1, groups.size())) {
            optimizer.add_param_group(
                    new OptimizerParamGroup(new TensorVector(group.params.toArray(new Tensor[0])), group.options));
        }
    }

    /** Sets the learning rate of every group (weight decay scales with it, as in PyTorch). */
    public void setLearningRate(double rate) {
        for (long i = 0; i < optimizer.param_groups().size(); i++) {
            optimizer.param_groups().get(i).options().set_lr(rate);
        }
    }

    public void step() {
        optimizer.step();
    }

    /** Sets every gradient to undefined (PyTorch's {@code zero_grad(set_to_none=True)}). */
    public void zeroGrad() {
        optimizer.zero_grad(true);
    }

    public int decayedCount() {
        return decayed;
    }

    int notDecayedCount() {
        return notDecayed;
    }

    void save(OutputArchive archive) {
        optimizer.save(archive);
    }

    void load(InputArchive archive) {
        optimizer.load(archive);
    }

    @Override
    public void close() {
        optimizer.close();
    }

    private static AdamWOptions options(double lr, double weightDecay, double beta1, double beta2, double eps) {
        AdamWOptions options = new AdamWOptions(lr);
        setBetas(options, beta1, beta2);
        options.eps().put(eps);
        options.weight_decay().put(weightDecay);
        options.amsgrad().put(false);
        return options;
    }

    /**
     * Writes {@code betas}, a C++ {@code std::tuple<double, double>} that JavaCPP exposes as two raw doubles.
     * The tuple's memory order is the standard library's choice (libstdc++ stores the elements in reverse, libc++
     * in order), so the order is read off the defaults, (0.9, 0.999), before writing. Getting it wrong silently
     * swaps the moment decay rates (only visible from the second step on), which the tests check.
     */
    static void setBetas(AdamWOptions options, double beta1, double beta2) {
        DoublePointer betas = options.betas();
        double first = betas.get(0);
        double second = betas.get(1);
        boolean inOrder;
        if (first == DEFAULT_BETA1 && second == DEFAULT_BETA2) {
            inOrder = true;
        } else if (first == DEFAULT_BETA2 && second == DEFAULT_BETA1) {
            inOrder = false;
        } else {
            throw new IllegalStateException("unexpected default AdamW betas (" + first + ", " + second
                    + "); this libtorch build is not supported");
        }
        betas.put(inOrder ? 0 : 1, beta1).put(inOrder ? 1 : 0, beta2);
    }

    private static final double DEFAULT_BETA1 = 0.9;
    private static final double DEFAULT_BETA2 = 0.999;

    private record AdamWGroup(List<Tensor> params, AdamWOptions options) {}
}
