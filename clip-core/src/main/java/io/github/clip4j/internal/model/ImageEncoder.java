package io.github.clip4j.internal.model;

import org.bytedeco.pytorch.Tensor;

/** The image tower: normalised pixels {@code [N, 3, R, R]} in, features {@code [N, embed_dim]} out. */
interface ImageEncoder {
    /** @param pixels in the encoder's compute type, on its device */
    Tensor forward(Tensor pixels);
}
