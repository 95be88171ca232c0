package io.github.clip4j.internal.training;

import static java.util.Objects.requireNonNull;

import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.ScalarOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;

/**
 * CLIP's symmetric contrastive loss (InfoNCE over a batch of matching image/text pairs), as in the paper and in
 * {@code model.py}'s {@code forward}:
 *
 * <pre>{@code
 * image = image / image.norm(dim=1, keepdim=True); text = text / text.norm(dim=1, keepdim=True)
 * logits_per_image = logit_scale.exp() * image @ text.T;  logits_per_text = logits_per_image.T
 * loss = (cross_entropy(logits_per_image, arange(n)) + cross_entropy(logits_per_text, arange(n))) / 2
 * }</pre>
 *
 * <p>Row {@code i} of the image batch matches row {@code i} of the text batch; every other row is a negative,
 * which is why a batch needs at least two pairs. All methods are differentiable (build autograd graphs) except
 * {@link #clampLogitScale}.
 */
@SuppressWarnings("try") // guards and scopes are used for their effect, not referenced
public final class ContrastiveLoss {
    /** CLIP clamps the temperature so that {@code exp(logit_scale) <= 100}. */
    public static final double MAX_LOGIT_SCALE = Math.log(100);

    private ContrastiveLoss() {}

    /**
     * The loss for unnormalized features {@code [n, d]} and the raw log-scale parameter; computed in float32
     * whatever the feature precision (autocast outputs are bfloat16).
     *
     * @param imageFeatures the image encoder's output {@code [n, d]}, row {@code i} matching text {@code i}
     * @param textFeatures the text encoder's output {@code [n, d]}
     * @param logitScale the model's raw {@code logit_scale} parameter (a scalar, the log of the temperature's
     *     inverse), not its exponential
     * @return a new float32 scalar tensor (0-dimensional), the mean of the two directions' cross-entropies
     * @throws IllegalArgumentException if the batches differ in shape or hold fewer than two pairs
     */
    public static Tensor loss(Tensor imageFeatures, Tensor textFeatures, Tensor logitScale) {
        return fromLogits(logitsPerImage(imageFeatures, textFeatures, logitScale));
    }

    /**
     * {@code logit_scale.exp() * normalize(image) @ normalize(text).T}, shape {@code [n, n]}; transpose it for the
     * logits per text.
     *
     * @param imageFeatures the image encoder's output {@code [n, d]}, any floating-point type
     * @param textFeatures the text encoder's output {@code [n, d]}
     * @param logitScale the raw {@code logit_scale} parameter (a scalar); it is exponentiated here
     * @return a new float32 {@code [n, n]} tensor: entry {@code (i, j)} scores image {@code i} against text
     *     {@code j}
     * @throws IllegalArgumentException if the features are not both {@code [n, d]} with the same {@code n} and
     *     {@code d}
     */
    public static Tensor logitsPerImage(Tensor imageFeatures, Tensor textFeatures, Tensor logitScale) {
        requireNonNull(imageFeatures, "imageFeatures");
        requireNonNull(textFeatures, "textFeatures");
        requireNonNull(logitScale, "logitScale");
        long n = imageFeatures.size(0);
        if (imageFeatures.dim() != 2 || textFeatures.dim() != 2 || textFeatures.size(0) != n
                || textFeatures.size(1) != imageFeatures.size(1)) {
            throw new IllegalArgumentException("image and text features must both be [n, d] with the same n and d, got "
                    + shape(imageFeatures) + " and " + shape(textFeatures));
        }
        Tensor image = normalizeRows(imageFeatures.to(torch.ScalarType.Float));
        Tensor text = normalizeRows(textFeatures.to(torch.ScalarType.Float));
        return image.mm(text.t()).mul(logitScale.to(torch.ScalarType.Float).exp());
    }

    /**
     * The symmetric cross-entropy of a square logits matrix whose diagonal holds the matching pairs.
     *
     * @param logitsPerImage the scaled similarities {@code [n, n]}, as {@link #logitsPerImage} returns
     * @return a new scalar tensor: the mean of the cross-entropy over rows and over columns
     * @throws IllegalArgumentException if the matrix is not square or {@code n < 2}
     */
    public static Tensor fromLogits(Tensor logitsPerImage) {
        requireNonNull(logitsPerImage, "logitsPerImage");
        long n = logitsPerImage.size(0);
        if (logitsPerImage.dim() != 2 || logitsPerImage.size(1) != n) {
            throw new IllegalArgumentException("logits must be square [n, n], got " + shape(logitsPerImage));
        }
        if (n < 2) {
            throw new IllegalArgumentException("the contrastive loss needs at least 2 pairs per batch, got " + n);
        }
        Tensor labels = torch.arange(new Scalar(n), new TensorOptions(torch.ScalarType.Long));
        Tensor perImage = torch.cross_entropy(logitsPerImage, labels);
        Tensor perText = torch.cross_entropy(logitsPerImage.t(), labels);
        return perImage.add(perText).div(new Scalar(2.0));
    }

    /**
     * Rows divided by their L2 norm. A zero row becomes NaN, as in the reference.
     *
     * @param features a {@code [n, d]} tensor
     * @return a new tensor of the same shape and type whose rows have norm 1
     */
    public static Tensor normalizeRows(Tensor features) {
        return features.div(features.norm(new ScalarOptional(new Scalar(2.0)), new long[] {1}, true));
    }

    /**
     * Clamps the raw log-scale parameter in place to {@code [0, ln 100]}, outside autograd (after a step).
     *
     * @param logitScale the model's {@code logit_scale} parameter, modified in place
     */
    public static void clampLogitScale(Tensor logitScale) {
        try (NoGradGuard guard = new NoGradGuard()) {
            logitScale.clamp_(new ScalarOptional(new Scalar(0.0)), new ScalarOptional(new Scalar(MAX_LOGIT_SCALE)));
        }
    }

    static String shape(Tensor t) {
        long[] dims = new long[(int) t.dim()];
        for (int i = 0; i < dims.length; i++) {
            dims[i] = t.size(i);
        }
        return java.util.Arrays.toString(dims);
    }
}
