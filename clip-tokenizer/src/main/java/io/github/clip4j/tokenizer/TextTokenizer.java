package io.github.clip4j.tokenizer;

import java.util.List;
import java.util.Objects;

/**
 * Text to fixed-length rows of token ids, the input of a CLIP text encoder. Implemented by {@link ClipTokenizer}
 * (OpenAI's byte-level BPE, 77 tokens) and {@link BertWordPieceTokenizer} (Chinese-CLIP's WordPiece, 52 tokens), so
 * code that only batches texts for a model need not know which tokenizer the model uses.
 *
 * <pre>{@code
 * TextTokenizer tokenizer = BertWordPieceTokenizer.load();
 * int[][] rows = tokenizer.tokenize(List.of("一只猫", "a dog"));   // 2 x tokenizer.contextLength()
 * }</pre>
 *
 * <p>Implementations are immutable and thread-safe.
 */
public interface TextTokenizer {

    /** {@return the row length the tokenizer's models were trained with: 77 for CLIP, 52 for Chinese-CLIP} */
    int contextLength();

    /** {@return the number of token ids: every id this tokenizer produces is below it} */
    int vocabularySize();

    /**
     * The token ids of {@code text}, without special tokens and without truncation.
     *
     * @param text any text, not null
     * @return the ids, possibly more than fit a row; empty for a text with no tokens
     */
    int[] encode(String text);

    /**
     * One row per text: the start token, the text's ids, the end token, then zeros up to {@code contextLength}.
     *
     * @param texts the texts, not null and without null elements; may be empty
     * @param contextLength the length of every row
     * @param truncate whether a text too long for a row is cut to fit; when false it is refused, unless the
     *     tokenizer {@linkplain #alwaysTruncates() always truncates}, in which case this flag has no effect
     * @return a new {@code texts.size() x contextLength} array the caller owns
     * @throws TextTooLongException if a text does not fit, {@code truncate} is false and the tokenizer does not
     *     always truncate
     * @throws IllegalArgumentException if {@code contextLength} is too small for the start and end tokens
     */
    int[][] tokenize(List<String> texts, int contextLength, boolean truncate);

    /**
     * Whether {@link #tokenize(List, int, boolean)} cuts long texts whatever its {@code truncate} flag says. True
     * when the reference implementation does so (Chinese-CLIP never refuses a text); false when long texts are
     * refused unless truncation is asked for (OpenAI's CLIP).
     *
     * @return true if long texts are always cut to fit
     */
    boolean alwaysTruncates();

    /**
     * {@link #tokenize(List, int, boolean)} with the {@linkplain #contextLength() model's context length},
     * truncating only if the tokenizer {@linkplain #alwaysTruncates() always truncates}.
     *
     * @param texts the texts, not null and without null elements
     * @return a new {@code texts.size() x contextLength()} array
     * @throws TextTooLongException if a text does not fit and the tokenizer refuses long texts
     */
    default int[][] tokenize(List<String> texts) {
        return tokenize(texts, contextLength(), alwaysTruncates());
    }

    /**
     * One text as a row of {@link #contextLength()} ids; see {@link #tokenize(List)}.
     *
     * @param text the text, not null
     * @return a new array of {@code contextLength()} ids
     * @throws TextTooLongException if the text does not fit and the tokenizer refuses long texts
     */
    default int[] tokenize(String text) {
        return tokenize(List.of(Objects.requireNonNull(text, "text")))[0];
    }
}
