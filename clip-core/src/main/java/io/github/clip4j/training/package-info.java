/**
 * Contrastive fine-tuning of CLIP on image/caption pairs, the way CLIP was trained.
 *
 * <pre>{@code
 * try (Clip clip = Clip.builder().model("ViT-B/32").precision(Precision.FP32).build()) {
 *     ImageTextDataset.Split split = ImageTextDataset.read(Path.of("captions.csv")).split(0.1, 42);
 *     TrainingResult result = ContrastiveTrainer.builder(clip)
 *             .epochs(3).batchSize(32).learningRate(1e-5).warmupSteps(20)
 *             .evaluateOn(split.heldOut()).build()
 *             .fit(split.train());
 *     FineTunedWeights.save(clip, Path.of("fine-tuned.safetensors"));   // or .pt for torch.load
 * }
 * }</pre>
 *
 * <ul>
 *   <li>{@link io.github.clip4j.training.ImageTextDataset}: pairs from CSV ({@code image,caption}) or JSON Lines,
 *       image paths relative to the file, bad rows reported in a {@link io.github.clip4j.training.DatasetReport}.
 *   <li>{@link io.github.clip4j.training.ContrastiveTrainer}: AdamW (betas 0.9/0.98, eps 1e-6, decoupled weight
 *       decay on matrices only, {@link io.github.clip4j.training.WeightDecayRule}), warm-up + cosine
 *       {@link io.github.clip4j.training.LearningRateSchedule}, gradient clipping, gradient accumulation with the
 *       full-batch loss, frozen towers, bf16 autocast, background image decoding, evaluation between epochs,
 *       resume files.
 *   <li>{@link io.github.clip4j.internal.training.ContrastiveLoss}: the symmetric InfoNCE loss and the
 *       {@code logit_scale} clamp.
 *   <li>{@link io.github.clip4j.internal.training.ContrastiveModel}: what the trainer needs from a model;
 *       {@code ContrastiveModel.of(ClipModel)} adapts clip4j's CLIP, {@code ImageLoader.of(ClipPreprocessor)} and
 *       {@code CaptionTokenizer.of(ClipTokenizer, contextLength)} its input pipeline.
 *   <li>{@link io.github.clip4j.internal.training.NamedParameters}: the trained weights as a
 *       {@link io.github.clip4j.internal.weights.StateDict} for the checkpoint writers;
 *       {@link io.github.clip4j.training.FineTunedWeights} saves them as {@code .safetensors} or {@code .pt}.
 * </ul>
 *
 * <p>Determinism: with the same seed, data and settings a run is repeatable, and a run resumed from a resume
 * file ends with exactly the weights of an uninterrupted one (on the same machine and thread count).
 */
package io.github.clip4j.training;

import io.github.clip4j.internal.training.CaptionTokenizer;
import io.github.clip4j.internal.training.ContrastiveLoss;
import io.github.clip4j.internal.training.ContrastiveModel;
import io.github.clip4j.internal.training.ImageLoader;
import io.github.clip4j.internal.training.NamedParameters;
