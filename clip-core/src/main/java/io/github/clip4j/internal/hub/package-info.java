/**
 * Locating a model: {@code ModelLocator} turns a released name, a checkpoint file or a Hugging Face folder into a
 * {@code ModelSource}, downloading released checkpoints into {@code io.github.clip4j.hub.ModelCache}.
 */
package io.github.clip4j.internal.hub;
