package io.github.clip4j.internal.training;

import io.github.clip4j.training.ContrastiveTrainer;
import io.github.clip4j.training.Tower;
import static java.util.Objects.requireNonNull;

import io.github.clip4j.internal.model.ClipModel;
import java.util.function.UnaryOperator;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Tensor;

/**
 * What {@link ContrastiveTrainer} needs from a two-tower model: its parameters (through the libtorch
 * {@link Module} tree, named like OpenAI's checkpoints), both encoders, and the learnable temperature.
 *
 * <p>{@link #of(ClipModel)} adapts clip4j's CLIP; tests use small toy towers. Encoders return features <em>before</em>
 * normalization, shape {@code [n, embedDim]}; the loss normalizes them.
 *
 * <p>Native trap: {@code Module.register_parameter} returns a reference into the module's parameter dictionary,
 * which moves when more parameters are registered; keep {@code new Tensor(registered)} handles, never the
 * returned reference itself. And keep a Java reference to every child {@code Module} created in Java for as long
 * as the model lives: libtorch calls its virtual methods ({@code train}, {@code eval}) back through the Java
 * object, and a collected one fails with a {@code NullPointerException} from native code.
 */
public interface ContrastiveModel {
    /**
     * {@return the module whose {@code named_parameters()} are trained and checkpointed} The trainer switches it
     * between train and eval mode.
     */
    Module module();

    /**
     * Image features {@code [n, embedDim]} for preprocessed pixels {@code [n, 3, S, S]}.
     *
     * @param pixels normalized pixels on the model's device, {@code S} the model's input resolution
     * @return unnormalized features, part of the autograd graph when gradients are enabled
     */
    Tensor encodeImage(Tensor pixels);

    /**
     * Text features {@code [n, embedDim]} for token ids {@code [n, contextLength]} (int64).
     *
     * @param tokens token rows as {@link CaptionTokenizer} makes them, on the model's device
     * @return unnormalized features, part of the autograd graph when gradients are enabled
     */
    Tensor encodeText(Tensor tokens);

    /**
     * {@return the raw learnable log-temperature parameter (a scalar; its {@code exp()} multiplies the cosines)}
     * It must be the parameter itself, not a copy, since the trainer clamps it in place after each step.
     */
    Tensor logitScale();

    /**
     * Which tower a named parameter belongs to; by default OpenAI's naming ({@link Tower#ofClipParameter}).
     * Override it for a custom model whose parameter names differ.
     *
     * @param parameterName a name from {@link #module()}'s {@code named_parameters()}, e.g. {@code "visual.proj"}
     * @return the tower, used to choose the learning rate and to freeze a tower
     */
    default Tower towerOf(String parameterName) {
        return Tower.ofClipParameter(parameterName);
    }

    /**
     * clip4j's CLIP as a trainable model: its module, both encoders and its {@code logit_scale} parameter. Load
     * it in {@code Precision.FP32} (the trainer refuses lower-precision weights; use bf16 autocast for speed),
     * keep it open for the whole run, and call {@link ClipModel#eval()} afterwards if it is used for inference
     * ({@code fit} leaves it in eval mode).
     *
     * <pre>{@code
     * try (ClipModel clip = ClipModel.load(CheckpointReader.read(path), Device.CPU, Precision.FP32)) {
     *     ContrastiveModel model = ContrastiveModel.of(clip);
     *     ...
     * }
     * }</pre>
     *
     * <p>The returned view looks the {@code logit_scale} parameter up on every call, so it holds no native handle
     * of its own and is valid exactly as long as {@code clip} is open.
     *
     * @param clip an open FP32 model, not null
     * @return a view of {@code clip}; it does not own or close the model
     */
    static ContrastiveModel of(ClipModel clip) {
        requireNonNull(clip, "clip");
        // a fresh logit_scale handle per call, owned by the caller's scope (the trainer's per-step scope): never a
        // stale reference into libtorch's parameter dictionary
        return new PartsModel(clip::module, clip::encodeImage, clip::encodeText,
                () -> new Tensor(clip.module().named_parameters(false).get("logit_scale")),
                "ContrastiveModel[" + clip + "]");
    }

    /**
     * A model from its parts, e.g. for a custom two-tower model (for clip4j's CLIP use {@link #of(ClipModel)}):
     *
     * <pre>{@code
     * ContrastiveModel trainable = ContrastiveModel.of(clip.module(), clip::encodeImage, clip::encodeText,
     *         clip.namedTensors().get("logit_scale"));   // take the handle outside any short-lived PointerScope
     * }</pre>
     *
     * @param module the module holding every trainable parameter, not null
     * @param imageEncoder maps pixels {@code [n, 3, S, S]} to unnormalized features {@code [n, d]}, not null
     * @param textEncoder maps int64 token ids {@code [n, L]} to unnormalized features {@code [n, d]}, not null
     * @param logitScale the raw {@code logit_scale} parameter itself (not a copy, not its exp)
     * @return a model that delegates to the given parts; the caller keeps them alive and closes them
     */
    static ContrastiveModel of(Module module, UnaryOperator<Tensor> imageEncoder, UnaryOperator<Tensor> textEncoder,
            Tensor logitScale) {
        requireNonNull(module, "module");
        requireNonNull(imageEncoder, "imageEncoder");
        requireNonNull(textEncoder, "textEncoder");
        requireNonNull(logitScale, "logitScale");
        return new PartsModel(() -> module, imageEncoder, textEncoder, () -> logitScale,
                "ContrastiveModel[" + module + "]");
    }
}
