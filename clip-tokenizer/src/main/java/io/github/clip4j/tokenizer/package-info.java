/**
 * CLIP's tokenizer: {@link io.github.clip4j.tokenizer.ClipTokenizer} (text to 77-token rows, and back),
 * {@link io.github.clip4j.tokenizer.BpeVocabulary} (the merges file) and
 * {@link io.github.clip4j.tokenizer.VocabularyLocator} (where that file comes from: a configured file or the copy
 * bundled in this jar); Chinese-CLIP's {@link io.github.clip4j.tokenizer.BertWordPieceTokenizer} (52-token rows);
 * and {@link io.github.clip4j.tokenizer.TextTokenizer}, which both implement. Text cleaning lives in
 * {@code io.github.clip4j.internal.text}.
 */
package io.github.clip4j.tokenizer;
