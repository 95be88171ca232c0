/**
 * Image decoding and CLIP's preprocessing, bit-exact with the reference (OpenAI {@code clip} on Pillow 9.4 and
 * torchvision 0.14).
 *
 * <p>{@link io.github.clip4j.internal.image.ImageDecoder} reads PNG, JPEG, GIF, BMP and WebP into a
 * {@link io.github.clip4j.internal.image.DecodedImage} carrying the {@link io.github.clip4j.internal.image.PillowMode} Pillow would
 * give the file; {@link io.github.clip4j.internal.image.ClipPreprocessor} resizes (Pillow's bicubic with antialiasing, or
 * nearest for palette and bilevel images), center-crops, converts to RGB and normalizes. Bad input is an
 * {@link io.github.clip4j.InvalidImageException} naming the file.
 *
 * <pre>{@code
 * float[] chw = ClipPreprocessor.of(224).pixels(ImageDecoder.decode(Path.of("cat.jpg")));
 * }</pre>
 */
package io.github.clip4j.internal.image;

import io.github.clip4j.InvalidImageException;
