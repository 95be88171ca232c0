/**
 * Small runnable programs that show the library at work, each taking the model (a released name, a checkpoint file
 * or a Hugging Face folder) as its first argument: {@link io.github.clip4j.examples.ZeroShotExample} (zero-shot
 * classification of one image, one template against the SEED ensemble, with a chart) and
 * {@link io.github.clip4j.examples.ImageSearchExample} (index a folder, search it by text, draw the best matches).
 */
package io.github.clip4j.examples;
