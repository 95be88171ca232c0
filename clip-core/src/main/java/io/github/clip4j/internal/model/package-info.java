/**
 * OpenAI's CLIP model on libtorch, mirroring the reference's {@code clip/model.py}: the Vision Transformer and
 * ModifiedResNet image encoders, the causal text transformer, and {@link io.github.clip4j.internal.model.ClipModel}, which
 * builds them from a checkpoint's tensor shapes ({@link io.github.clip4j.internal.model.ModelConfig#fromStateDict}) and
 * loads the tensors strictly.
 *
 * <p>Module and parameter names are OpenAI's ({@code visual.transformer.resblocks.0.attn.in_proj_weight}, ...), so
 * {@code named_parameters()} lines up with every OpenAI-named checkpoint. Internally sequences are batch-first
 * ({@code [N, L, D]}); the reference's sequence-first layout gives the same numbers.
 */
package io.github.clip4j.internal.model;
