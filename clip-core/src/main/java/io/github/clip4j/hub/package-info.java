/**
 * Model names and where their checkpoints come from: the {@link io.github.clip4j.hub.ModelRegistry} of released
 * models and the {@link io.github.clip4j.hub.ModelCache} they are downloaded into ({@code ~/.cache/clip}, shared with
 * OpenAI's Python package; {@code clip4j.cache} / {@code CLIP4J_CACHE} / {@code Clip.builder().cacheFolder(...)}
 * move it). {@code ModelCache} is the one place clip4j resolves that folder.
 */
package io.github.clip4j.hub;
