/**
 * The machinery behind {@code io.github.clip4j.training.ContrastiveTrainer}: the contrastive loss, AdamW, named
 * parameters, resume files, caption tokenization and the image loader that feeds the decode pipeline.
 */
package io.github.clip4j.internal.training;
