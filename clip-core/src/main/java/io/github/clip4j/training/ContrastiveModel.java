package io.github.clip4j.training;

import static java.util.Objects.requireNonNull;

import java.util.function.UnaryOperator;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Tensor;

/**
 * What {@link ContrastiveTrainer} needs from a two-tower model: its parameters (through the libtorch
 * {@link Module} tree, named like OpenAI's checkpoints), both encoders, and the learnable temperature.
 *
 * <p>{@code ClipModel} implements this; tests use small toy towers. Encoders return features <em>before</em>
 * normalization, shape {@code [n, embedDim]}; the loss normalizes them.
 *
 * <p>Native trap: {@code Module.register_parameter} returns a reference into the module's parameter dictionary,
 * which moves when more parameters are registered; keep {@code new Tensor(registered)} handles, never the
 * returned reference itself. And keep a Java reference to every child {@code Module} created in Java for as long
 * as the model lives: libtorch calls its virtual methods ({@code train}, {@code eval}) back through the Java
 * object, and a collected one fails with a {@code NullPointerException} from native code.
 */
public interface ContrastiveModel {
    /** The module whose {@code named_parameters()} are trained and checkpointed. */
    Module module();

    /** Image features {@code [n, embedDim]} for preprocessed pixels {@code [n, 3, S, S]}. */
    Tensor encodeImage(Tensor pixels);

    /** Text features {@code [n, embedDim]} for token ids {@code [n, contextLength]} (int64). */
    Tensor encodeText(Tensor tokens);

    /** The raw learnable log-temperature parameter (a scalar; its {@code exp()} multiplies the cosines). */
    Tensor logitScale();

    /**
     * Which tower a named parameter belongs to; by default OpenAI's naming ({@link Tower#ofClipParameter}).
     */
    default Tower towerOf(String parameterName) {
        return Tower.ofClipParameter(parameterName);
    }

    /**
     * A model from its parts, e.g. for clip4j's {@code ClipModel} (loaded in fp32):
     *
     * <pre>{@code
     * ContrastiveModel trainable = ContrastiveModel.of(clip.module(), clip::encodeImage, clip::encodeText,
     *         clip.namedTensors().get("logit_scale"));   // take the handle outside any short-lived PointerScope
     * }</pre>
     *
     * @param logitScale the raw {@code logit_scale} parameter itself (not a copy, not its exp)
     */
    static ContrastiveModel of(Module module, UnaryOperator<Tensor> imageEncoder, UnaryOperator<Tensor> textEncoder,
            Tensor logitScale) {
        requireNonNull(module, "module");
        requireNonNull(imageEncoder, "imageEncoder");
        requireNonNull(textEncoder, "textEncoder");
        requireNonNull(logitScale, "logitScale");
        return new ContrastiveModel() {
            @Override
            public Module module() {
                return module;
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
                return logitScale;
            }
        };
    }
}
