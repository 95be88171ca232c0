/**
 * Decoding images ahead of the model: {@link io.github.clip4j.internal.pipeline.DecodePipeline}, used by
 * {@code Clip} for inference and by the trainer. Not public API.
 */
package io.github.clip4j.internal.pipeline;
