/**
 * CLIP for the JVM: {@link io.github.clip4j.Clip} loads a model and embeds images and texts into one space
 * ({@link io.github.clip4j.Embedding}); {@link io.github.clip4j.Device} and {@link io.github.clip4j.Precision} say
 * where and how it runs; the exceptions name the input they refuse. The tasks live in {@code zeroshot},
 * {@code retrieval} and {@code training}.
 *
 * <pre>{@code
 * try (Clip clip = Clip.load()) {
 *     System.out.println(clip.classify(Path.of("street.jpg"), "cat", "dog", "car").best());
 * }
 * }</pre>
 */
package io.github.clip4j;
