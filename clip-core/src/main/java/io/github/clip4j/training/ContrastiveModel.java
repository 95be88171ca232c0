package io.github.clip4j.training;

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
}
