package io.github.clip4j.tokenizer;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;

/**
 * Chinese-CLIP's tokenizer: BERT's {@code FullTokenizer(do_lower_case=True)} over Chinese-CLIP's
 * {@code vocab.txt}, and {@code cn_clip.clip.tokenize}'s 52-token rows, with the reference's ids.
 *
 * <pre>{@code
 * BertWordPieceTokenizer tokenizer = BertWordPieceTokenizer.load();   // the vocabulary bundled in this jar
 * int[] ids = tokenizer.encode("一只猫");                              // [671, 1372, 4344]
 * int[] row = tokenizer.tokenize("一只猫");                            // [101, 671, 1372, 4344, 102, 0, ...] (52)
 * }</pre>
 *
 * <p>The steps, per code point (never per UTF-16 unit): drop U+0000, U+FFFD and control/format characters, turn
 * whitespace into word breaks, make each CJK ideograph a word, lower-case each word (full Unicode mapping),
 * decompose it (NFD) and drop its non-spacing marks, split punctuation into words of its own, then greedy longest
 * match WordPiece ({@code ##} pieces continue a word; a word with an unmatchable position, or longer than 200 code
 * points, is one {@code [UNK]}). Rows are {@code [CLS]}, the first {@code contextLength - 2} ids, {@code [SEP]},
 * then zeros: like the reference, long texts are always cut, never refused.
 *
 * <p>Immutable and thread-safe: share one instance.
 */
public final class BertWordPieceTokenizer implements TextTokenizer {
    /** The system property naming a {@code vocab.txt} to use instead of the bundled one. */
    public static final String PROPERTY = "clip4j.cn.vocab";
    /** The environment variable naming a {@code vocab.txt} to use instead of the bundled one. */
    public static final String ENVIRONMENT_VARIABLE = "CLIP4J_CN_VOCAB";
    /** The vocabulary's file name. */
    public static final String FILE_NAME = "vocab.txt";
    /** The SHA-256 of Chinese-CLIP's {@code vocab.txt}, the copy bundled in this jar. */
    public static final String SHA256 = "45bbac6b341c319adc98a532532882e91a9cefc0329aa57bac9ae761c27b291c";
    /** The context length of every released Chinese-CLIP model. */
    public static final int DEFAULT_CONTEXT_LENGTH = 52;
    /** Words longer than this many code points are one {@code [UNK]}, as in the reference. */
    static final int MAX_WORD_CODE_POINTS = 200;

    private final WordPieceVocabulary vocabulary;
    private final int unknownId;
    private final int classId;
    private final int separatorId;

    private BertWordPieceTokenizer(WordPieceVocabulary vocabulary) {
        this.vocabulary = vocabulary;
        this.unknownId = special(vocabulary, "[UNK]");
        this.classId = special(vocabulary, "[CLS]");
        this.separatorId = special(vocabulary, "[SEP]");
    }

    /**
     * The tokenizer with Chinese-CLIP's vocabulary: the file named by the system property {@value #PROPERTY} or
     * else the environment variable {@value #ENVIRONMENT_VARIABLE}, else the copy bundled in this jar. Never
     * touches the network. Loading parses the whole vocabulary: call it once and share the tokenizer.
     *
     * @return a tokenizer producing Chinese-CLIP's ids
     * @throws VocabularyException if a configured file does not exist or is unusable, or nothing is configured and
     *     this jar was built without the bundled vocabulary
     */
    public static BertWordPieceTokenizer load() {
        return load(System::getProperty, System::getenv, VocabularySource::bundledResource);
    }

    /** {@link #load()} with its inputs replaced (tests). */
    static BertWordPieceTokenizer load(Function<String, String> properties, Function<String, String> environment,
            Function<String, InputStream> resources) {
        return new BertWordPieceTokenizer(source(properties, environment, resources).read(READER));
    }

    /**
     * The tokenizer with the vocabulary in {@code vocabFile}, e.g. another BERT {@code vocab.txt}; it must contain
     * {@code [UNK]}, {@code [CLS]} and {@code [SEP]}.
     *
     * @param vocabFile the vocabulary, one token a line, not null
     * @return a tokenizer over that vocabulary
     * @throws VocabularyException if the file does not exist, is not UTF-8 or lacks a special token
     */
    public static BertWordPieceTokenizer load(Path vocabFile) {
        Objects.requireNonNull(vocabFile, "vocabFile");
        return new BertWordPieceTokenizer(READER.readFile(source(name -> null, name -> null, name -> null)
                .explicit(vocabFile)));
    }

    /** A tokenizer over a vocabulary given as tokens, id = index (tests). */
    static BertWordPieceTokenizer of(List<String> tokens) {
        return new BertWordPieceTokenizer(WordPieceVocabulary.of(tokens, "test vocabulary"));
    }

    static VocabularySource source(Function<String, String> properties, Function<String, String> environment,
            Function<String, InputStream> resources) {
        return new VocabularySource("the WordPiece vocabulary", FILE_NAME, PROPERTY, ENVIRONMENT_VARIABLE,
                FILE_NAME, properties, environment, resources);
    }

    private static final VocabularySource.Reader<WordPieceVocabulary> READER =
            new VocabularySource.Reader<>() {
                @Override
                public WordPieceVocabulary readFile(Path file) {
                    try (InputStream in = Files.newInputStream(file)) {
                        return WordPieceVocabulary.read(in, file.toString());
                    } catch (NoSuchFileException e) {
                        throw new VocabularyException("the WordPiece vocabulary " + file + " does not exist", e);
                    } catch (IOException e) {
                        throw new VocabularyException("cannot read the WordPiece vocabulary " + file + ": " + e, e);
                    }
                }

                @Override
                public WordPieceVocabulary readStream(InputStream in, String source) throws IOException {
                    return WordPieceVocabulary.read(in, source);
                }
            };

    private static int special(WordPieceVocabulary vocabulary, String token) {
        int id = vocabulary.id(token);
        if (id < 0) {
            throw new VocabularyException("the WordPiece vocabulary " + vocabulary.source() + " has no " + token
                    + " token: it is not a BERT vocab.txt");
        }
        return id;
    }

    /** {@return 52, the context length of Chinese-CLIP's models} */
    @Override
    public int contextLength() {
        return DEFAULT_CONTEXT_LENGTH;
    }

    /** {@return the number of lines of the vocabulary: 21,128 for Chinese-CLIP's} */
    @Override
    public int vocabularySize() {
        return vocabulary.size();
    }

    /** {@return true: like the reference, long texts are cut to fit, never refused} */
    @Override
    public boolean alwaysTruncates() {
        return true;
    }

    /**
     * The token of {@code id}: its line of {@code vocab.txt}, stripped.
     *
     * @param id a token id
     * @return e.g. {@code "猫"}, {@code "##ing"} or {@code "[UNK]"}
     * @throws IllegalArgumentException if {@code id} is outside the vocabulary
     */
    public String token(int id) {
        if (id < 0 || id >= vocabulary.size()) {
            throw new IllegalArgumentException("id " + id + " is not a token id; the vocabulary has ids 0 to "
                    + (vocabulary.size() - 1));
        }
        return vocabulary.token(id);
    }

    /**
     * The reference's {@code convert_tokens_to_ids(tokenize(text))}: WordPiece ids, without {@code [CLS]} and
     * {@code [SEP]}, not truncated.
     *
     * @param text any text, not null; it may be empty or longer than a context
     * @return the ids; empty for a text with no words
     */
    @Override
    public int[] encode(String text) {
        Objects.requireNonNull(text, "text");
        IntList ids = new IntList(text.length() + 4);
        run(text, ids, null);
        return ids.toArray();
    }

    /**
     * One row per text: {@code [CLS]}, the text's first {@code contextLength - 2} ids, {@code [SEP]}, zeros;
     * {@code cn_clip.clip.tokenize}.
     *
     * @param texts the texts, not null and without null elements; may be empty
     * @param contextLength the length of every row (52 for every released Chinese-CLIP model), at least 2
     * @param truncate has no effect: long texts are always cut, as the reference does (see
     *     {@link #alwaysTruncates()})
     * @return a new {@code texts.size() x contextLength} array the caller owns
     * @throws IllegalArgumentException if {@code contextLength < 2}
     */
    @Override
    public int[][] tokenize(List<String> texts, int contextLength, boolean truncate) {
        Objects.requireNonNull(texts, "texts");
        if (contextLength < 2) {
            throw new IllegalArgumentException("contextLength must be at least 2 ([CLS] and [SEP]): "
                    + contextLength);
        }
        int[][] rows = new int[texts.size()][];
        IntList ids = new IntList(64);
        for (int i = 0; i < rows.length; i++) {
            String text = texts.get(i);
            if (text == null) {
                throw new NullPointerException("texts[" + i + "]");
            }
            ids.clear();
            run(text, ids, null);
            int[] row = new int[contextLength];
            row[0] = classId;
            int kept = Math.min(ids.size(), contextLength - 2);
            ids.copyTo(row, 1, kept);
            row[kept + 1] = separatorId;
            rows[i] = row;
        }
        return rows;
    }

    /** The basic tokenizer's words, before WordPiece (the reference's {@code basic_tokenizer.tokenize}). */
    List<String> basicTokens(String text) {
        List<String> words = new ArrayList<>();
        run(text, new IntList(16), words);
        return words;
    }

    /** The WordPiece strings ({@code [UNK]} included): the reference's {@code tokenize}. */
    List<String> wordPieces(String text) {
        int[] ids = encode(text);
        List<String> pieces = new ArrayList<>(ids.length);
        for (int id : ids) {
            pieces.add(vocabulary.token(id));
        }
        return pieces;
    }

    /**
     * The whole pipeline in one pass over the code points. A raw word (between whitespace, or a CJK ideograph) is
     * collected, normalized, split at punctuation, and each piece goes through WordPiece into {@code ids}.
     */
    private void run(String text, IntList ids, List<String> words) {
        int length = text.length();
        int[] word = new int[Math.min(length, 64) + 1];
        int size = 0;
        for (int i = 0; i < length; ) {
            int cp = text.codePointAt(i);
            i += Character.charCount(cp);
            switch (BertText.classify(cp)) {
                case BertText.DROP:
                    break;
                case BertText.SPACE:
                    if (size > 0) {
                        word(word, size, ids, words);
                        size = 0;
                    }
                    break;
                case BertText.CJK:
                    if (size > 0) {
                        word(word, size, ids, words);
                        size = 0;
                    }
                    word[0] = cp;
                    word(word, 1, ids, words);
                    break;
                default:
                    if (size == word.length) {
                        word = Arrays.copyOf(word, size * 2);
                    }
                    word[size++] = cp;
            }
        }
        if (size > 0) {
            word(word, size, ids, words);
        }
    }

    /** One whitespace-delimited word: normalize, split at punctuation, WordPiece each part. */
    private void word(int[] word, int size, IntList ids, List<String> words) {
        int[] cps = word;
        int n = size;
        if (!isNormalized(word, size)) {
            cps = BertText.normalize(word, size);
            n = cps.length;
        }
        int start = 0;
        for (int i = 0; i < n; i++) {
            int cp = cps[i];
            if (BertText.isPunctuation(cp) || BertText.isPythonSpace(cp)) {
                wordPiece(cps, start, i, ids, words);
                if (!BertText.isPythonSpace(cp)) {
                    wordPiece(cps, i, i + 1, ids, words);
                }
                start = i + 1;
            }
        }
        wordPiece(cps, start, n, ids, words);
    }

    /**
     * Lower-cases plain ASCII in place and tells whether the word needs the general normalization: ASCII and the
     * (non-compatibility) CJK ideographs are left unchanged by NFD and have no marks to drop.
     */
    private static boolean isNormalized(int[] word, int size) {
        for (int i = 0; i < size; i++) {
            int cp = word[i];
            if (cp >= 0x80 && !BertText.isStableCjk(cp)) {
                return false;
            }
        }
        for (int i = 0; i < size; i++) {
            int cp = word[i];
            if (cp >= 'A' && cp <= 'Z') {
                word[i] = cp + ('a' - 'A');
            }
        }
        return true;
    }

    /** Greedy longest-match-first WordPiece of {@code cps[from, to)}; the whole word is [UNK] if any step fails. */
    private void wordPiece(int[] cps, int from, int to, IntList ids, List<String> words) {
        if (to <= from) {
            return;
        }
        if (words != null) {
            words.add(new String(cps, from, to - from));
        }
        if (to - from > MAX_WORD_CODE_POINTS) {
            ids.add(unknownId);
            return;
        }
        int mark = ids.size();
        boolean continuation = false;
        for (int start = from; start < to; ) {
            long match = vocabulary.longestMatch(cps, start, to, continuation);
            if (match < 0) {
                ids.truncate(mark);
                ids.add(unknownId);
                return;
            }
            ids.add((int) (match >>> 32));
            start += (int) match;
            continuation = true;
        }
    }

    @Override
    public String toString() {
        return "BertWordPieceTokenizer[" + vocabulary + "]";
    }
}
