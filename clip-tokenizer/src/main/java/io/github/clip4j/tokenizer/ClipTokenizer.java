package io.github.clip4j.tokenizer;

import io.github.clip4j.internal.text.TextCleaner;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * CLIP's tokenizer: the reference's text cleaning, byte-level BPE and fixed-length batches, with the same ids.
 *
 * <pre>{@code
 * ClipTokenizer tokenizer = ClipTokenizer.load();          // the vocabulary bundled in this jar
 * int[] ids = tokenizer.encode("a photo of a cat");        // [320, 1125, 539, 320, 2368]
 * int[][] batch = tokenizer.tokenize(List.of("a cat", "a dog"), 77, false);
 * String text = tokenizer.decode(ids);                     // "a photo of a cat "
 * }</pre>
 *
 * <p>Immutable and thread-safe: share one instance. Words are cached in a bounded, lock-free cache.
 */
public final class ClipTokenizer implements TextTokenizer {
    /** The id of {@code <|startoftext|>} in CLIP's vocabulary. */
    public static final int START_OF_TEXT = 49406;
    /** The id of {@code <|endoftext|>} in CLIP's vocabulary. */
    public static final int END_OF_TEXT = 49407;
    /** The number of ids in CLIP's vocabulary. */
    public static final int VOCABULARY_SIZE = 49408;
    /** The context length of every released CLIP model. */
    public static final int DEFAULT_CONTEXT_LENGTH = 77;

    private final BpeVocabulary vocabulary;
    private final BytePairEncoder encoder;

    private ClipTokenizer(BpeVocabulary vocabulary) {
        this.vocabulary = vocabulary;
        this.encoder = new BytePairEncoder(vocabulary);
    }

    /**
     * A tokenizer with CLIP's vocabulary, found as {@link VocabularyLocator} describes: the file named by the
     * system property {@code clip4j.bpe} or the environment variable {@code CLIP4J_BPE}, else the copy bundled in
     * this jar. Never touches the network. Loading reads the whole vocabulary: call it once and share the
     * tokenizer.
     *
     * @return a tokenizer producing CLIP's ids
     * @throws VocabularyException if a configured file does not exist or is not CLIP's vocabulary, or nothing is
     *     configured and this jar was built without the bundled vocabulary
     */
    public static ClipTokenizer load() {
        return of(VocabularyLocator.standard().read());
    }

    /**
     * A tokenizer with the vocabulary in {@code bpeFile} ({@code bpe_simple_vocab_16e6.txt.gz}).
     *
     * @param bpeFile the gzip-compressed merges file, not null
     * @return a tokenizer producing CLIP's ids
     * @throws VocabularyException if the file is missing or not CLIP's vocabulary
     */
    public static ClipTokenizer load(Path bpeFile) {
        Objects.requireNonNull(bpeFile, "bpeFile");
        return of(BpeVocabulary.read(VocabularyLocator.standard().locate(bpeFile)));
    }

    /**
     * A tokenizer over an already loaded vocabulary, e.g. {@link BpeVocabulary#byteLevel()} for test models.
     *
     * @param vocabulary the vocabulary, not null; tokenizers may share one
     * @return a tokenizer using {@code vocabulary}'s merges and special-token ids
     */
    public static ClipTokenizer of(BpeVocabulary vocabulary) {
        return new ClipTokenizer(Objects.requireNonNull(vocabulary, "vocabulary"));
    }

    /** {@return the vocabulary this tokenizer uses} */
    public BpeVocabulary vocabulary() {
        return vocabulary;
    }

    /** {@return 77, {@link #DEFAULT_CONTEXT_LENGTH}: the context length of every released CLIP model} */
    @Override
    public int contextLength() {
        return DEFAULT_CONTEXT_LENGTH;
    }

    /** {@return the number of ids of this tokenizer's vocabulary: {@link #VOCABULARY_SIZE} for CLIP's} */
    @Override
    public int vocabularySize() {
        return vocabulary.size();
    }

    /**
     * {@return false: like the reference, a text too long for the context is refused unless truncation is asked
     * for}
     */
    @Override
    public boolean alwaysTruncates() {
        return false;
    }

    /**
     * The token ids of {@code text}, without start and end tokens: the reference's {@code encode}, which cleans
     * the text first (ftfy, HTML unescaping, whitespace, lower case).
     *
     * @param text any text, not null; it may be empty or longer than a context
     * @return the ids, possibly more than fit a context (see {@link #tokenize(List, int, boolean)}); empty for a
     *     text that cleans to nothing
     */
    @Override
    public int[] encode(String text) {
        return encodeCleaned(TextCleaner.clean(Objects.requireNonNull(text, "text")));
    }

    /** The ids of text that is already cleaned: pre-tokenizing and BPE only. */
    int[] encodeCleaned(String cleaned) {
        IntList ids = new IntList(cleaned.length() / 3 + 4);
        encoder.encode(cleaned, ids);
        return ids.toArray();
    }

    /**
     * The text of {@code ids} as the reference decodes it: the tokens' bytes as UTF-8 (each ill-formed sequence
     * becomes U+FFFD), with every {@code </w>} turned into a space. Special tokens appear as their text.
     * Decoding does not undo cleaning: {@code decode(encode("Cat!"))} is {@code "cat ! "}.
     *
     * @param ids token ids, not null; padding zeros decode to {@code "!"}, so strip them first
     * @return the decoded text
     * @throws IllegalArgumentException if an id is outside the vocabulary
     */
    public String decode(int[] ids) {
        Objects.requireNonNull(ids, "ids");
        int total = 0;
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] < 0 || ids[i] >= vocabulary.size()) {
                throw new IllegalArgumentException("ids[" + i + "] = " + ids[i] + " is not a token id; the"
                        + " vocabulary has ids 0 to " + (vocabulary.size() - 1));
            }
            total += vocabulary.bytes(ids[i]).length;
        }
        byte[] bytes = new byte[total];
        int n = 0;
        for (int id : ids) {
            byte[] token = vocabulary.bytes(id);
            System.arraycopy(token, 0, bytes, n, token.length);
            n += token.length;
        }
        return Utf8.decode(bytes, n).replace("</w>", " ");
    }

    /**
     * One row per text: the start token, the text's ids, the end token, then zeros up to {@code contextLength};
     * the reference's {@code clip.tokenize}.
     *
     * <pre>{@code
     * int[][] rows = tokenizer.tokenize(List.of("a cat", "a dog"), 77, false);   // rows[0][0] == START_OF_TEXT
     * }</pre>
     *
     * @param texts the texts, not null and without null elements; may be empty
     * @param contextLength the length of every row (77 for every released CLIP model)
     * @param truncate when a text does not fit, keep its first {@code contextLength} tokens and make the last one
     *     the end token; when false, refuse it
     * @return a new {@code texts.size() x contextLength} array the caller owns
     * @throws TextTooLongException if a text does not fit and {@code truncate} is false (the first such text)
     * @throws IllegalArgumentException if {@code contextLength < 1}
     */
    @Override
    public int[][] tokenize(List<String> texts, int contextLength, boolean truncate) {
        Objects.requireNonNull(texts, "texts");
        if (contextLength < 1) {
            throw new IllegalArgumentException("contextLength must be at least 1: " + contextLength);
        }
        int[][] rows = new int[texts.size()][];
        for (int i = 0; i < rows.length; i++) {
            String text = texts.get(i);
            if (text == null) {
                throw new NullPointerException("texts[" + i + "]");
            }
            rows[i] = encode(text);
        }
        for (int i = 0; i < rows.length; i++) {
            int count = rows[i].length + 2;
            if (count > contextLength && !truncate) {
                throw new TextTooLongException(i, count, contextLength);
            }
            rows[i] = row(rows[i], contextLength);
        }
        return rows;
    }

    /**
     * {@link #tokenize(List, int, boolean)} with CLIP's context length of 77 and no truncation.
     *
     * @param texts the texts, not null and without null elements
     * @return a new {@code texts.size() x 77} array
     * @throws TextTooLongException if a text needs more than 77 tokens
     */
    @Override
    public int[][] tokenize(List<String> texts) {
        return tokenize(texts, DEFAULT_CONTEXT_LENGTH, false);
    }

    /**
     * One text as a row of 77 ids (start, ids, end, zero padding).
     *
     * @param text the text, not null
     * @return a new array of 77 ids
     * @throws TextTooLongException if the text needs more than 77 tokens
     */
    @Override
    public int[] tokenize(String text) {
        return tokenize(List.of(Objects.requireNonNull(text, "text")))[0];
    }

    /** {@link #tokenize(List, int, boolean)} for one already cleaned text. */
    int[] tokenizeCleaned(String cleaned, int contextLength, boolean truncate) {
        int[] ids = encodeCleaned(cleaned);
        if (ids.length + 2 > contextLength && !truncate) {
            throw new TextTooLongException(0, ids.length + 2, contextLength);
        }
        return row(ids, contextLength);
    }

    /** Start + ids + end, cut to fit (the end token then replaces the last kept id), zero-padded. */
    private int[] row(int[] ids, int contextLength) {
        int[] row = new int[contextLength];
        row[0] = vocabulary.startOfTextId();
        int kept = Math.min(ids.length, contextLength - 1);
        System.arraycopy(ids, 0, row, 1, Math.max(0, kept));
        row[Math.min(ids.length + 1, contextLength - 1)] = vocabulary.endOfTextId();
        return row;
    }

    @Override
    public String toString() {
        return "ClipTokenizer[" + vocabulary + "]";
    }
}
