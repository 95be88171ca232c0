package io.github.clip4j.internal.training;

import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Tensor;

/** A {@link ContrastiveModel} made of parts: what both of its factories return. */
final class PartsModel implements ContrastiveModel {
    private final Supplier<Module> module;
    private final UnaryOperator<Tensor> imageEncoder;
    private final UnaryOperator<Tensor> textEncoder;
    private final Supplier<Tensor> logitScale;
    private final String description;

    PartsModel(Supplier<Module> module, UnaryOperator<Tensor> imageEncoder,
            UnaryOperator<Tensor> textEncoder, Supplier<Tensor> logitScale, String description) {
        this.module = module;
        this.imageEncoder = imageEncoder;
        this.textEncoder = textEncoder;
        this.logitScale = logitScale;
        this.description = description;
    }

    @Override
    public Module module() {
        return module.get();
    }

    @Override
    public Tensor encodeImage(Tensor pixels) {
        return imageEncoder.apply(pixels);
    }

    @Override
    public Tensor encodeText(Tensor tokens) {
        return textEncoder.apply(tokens);
    }

    @Override
    public Tensor logitScale() {
        return logitScale.get();
    }

    @Override
    public String toString() {
        return description;
    }
}
