/**
 * Model names and where their checkpoints come from: the {@link io.github.clip4j.hub.ModelRegistry} of released
 * models, the {@link io.github.clip4j.hub.ModelCache} they are downloaded into ({@code ~/.cache/clip}, shared with
 * OpenAI's Python package), and the {@link io.github.clip4j.internal.hub.ModelLocator} that turns a name, a checkpoint file
 * or a Hugging Face folder into a {@link io.github.clip4j.internal.hub.ModelSource} to load.
 */
package io.github.clip4j.hub;

import io.github.clip4j.internal.hub.ModelLocator;
import io.github.clip4j.internal.hub.ModelSource;
