/**
 * CLIP checkpoints in pure Java: readers that turn every supported format into one {@link
 * io.github.clip4j.internal.weights.StateDict} with OpenAI's parameter names, and writers for fine-tuned weights.
 *
 * <p>Start with {@link io.github.clip4j.internal.weights.CheckpointReader#read(java.nio.file.Path)}, which detects the
 * format from the content: TorchScript archives (OpenAI's releases), {@code torch.save}d state dicts,
 * safetensors, and Hugging Face transformers folders. {@link io.github.clip4j.internal.weights.SafetensorsWriter} and
 * {@link io.github.clip4j.internal.weights.TorchCheckpointWriter} write a state dict back, atomically.
 *
 * <p>Nothing here touches libtorch: tensors are {@link io.github.clip4j.internal.weights.HostTensor}s over memory-mapped
 * file bytes, which the model builder copies into native tensors. Files are treated as untrusted: pickles run in
 * a restricted interpreter that instantiates nothing, and every size and offset is checked, so a hostile or
 * truncated file gets a {@link io.github.clip4j.CheckpointException} naming it.
 */
package io.github.clip4j.internal.weights;

import io.github.clip4j.CheckpointException;
