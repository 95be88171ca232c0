package io.github.clip4j.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The rules of {@code fixtures/cn_README.md}, one group per rule, over a small synthetic vocabulary: these run
 * without the fixtures or the bundled file.
 */
class BertWordPieceTokenizerTest {
    /** id = index; 100-103 hold the special tokens as in Chinese-CLIP's file. */
    private static final List<String> TOKENS = tokens();
    private static final BertWordPieceTokenizer TOKENIZER = BertWordPieceTokenizer.of(TOKENS);

    @TempDir
    Path dir;

    private static List<String> tokens() {
        List<String> tokens = new ArrayList<>();
        tokens.add("[PAD]");
        while (tokens.size() < 100) {
            tokens.add("[unused" + tokens.size() + "]");
        }
        tokens.addAll(List.of("[UNK]", "[CLS]", "[SEP]", "[MASK]"));
        tokens.addAll(List.of("a", "b", "c", "aa", "aaa", "##a", "##aa", "##b", "##c", "cafe", "un", "##aff",
                "##able", "猫", "狗", "!", ",", "$", "¥", "##100", "100", "i", "ς", "σ", "ß", "ᄒ", "##ᅡ", "##ᆫ",
                "か", "ハ", "豈", "岐", "ａ", "##ｂ", "👍", "##👍", "line", "##s", "#", "[", "]", "cl", "℃", "##℃",
                "<", "=", "word", "  padded  ", "##"));
        return List.copyOf(tokens);
    }

    private static int id(String token) {
        return TOKENS.lastIndexOf(token);
    }

    private static List<String> pieces(String text) {
        return TOKENIZER.wordPieces(text);
    }

    // Rule 1: the vocabulary.

    @Test
    void vocabularyLinesAreStrippedAndALaterDuplicateWins(@TempDir Path folder) throws IOException {
        String vocab = "[PAD]\r\n" + "x\n".repeat(99) + "[UNK]\r[CLS]\n[SEP]\n \u00A0ab\u2028\t\nab\n\u2028\n##\u2028\nlast";
        Path file = Files.writeString(folder.resolve("vocab.txt"), vocab, StandardCharsets.UTF_8);
        BertWordPieceTokenizer tokenizer = BertWordPieceTokenizer.load(file);
        assertThat(tokenizer.vocabularySize()).isEqualTo(108);
        assertThat(tokenizer.token(103)).isEqualTo("ab");
        assertThat(tokenizer.encode("ab")).containsExactly(104); // the later "ab" line
        assertThat(tokenizer.token(105)).isEmpty();
        assertThat(tokenizer.token(106)).isEqualTo("##");
        assertThat(tokenizer.encode("last")).containsExactly(107); // no newline after the last line
        assertThat(tokenizer.encode("##")).containsExactly(100, 100); // '#' is punctuation: never the "##" key
    }

    @Test
    void aVocabularyWithoutSpecialTokensIsRefused(@TempDir Path folder) throws IOException {
        Path file = Files.writeString(folder.resolve("vocab.txt"), "a\nb\n");
        assertThatThrownBy(() -> BertWordPieceTokenizer.load(file)).isInstanceOf(VocabularyException.class)
                .hasMessageContaining(file.toString()).hasMessageContaining("[UNK]");
        Path latin1 = Files.write(folder.resolve("latin1.txt"), new byte[] {'[', 'U', 'N', 'K', ']', '\n', (byte) 0xE9});
        assertThatThrownBy(() -> BertWordPieceTokenizer.load(latin1)).isInstanceOf(VocabularyException.class)
                .hasMessageContaining("UTF-8");
    }

    // Rule 2: cleaning.

    @Test
    void controlAndFormatCharactersVanishWithoutASpace() {
        assertThat(pieces("a\u000bb")).containsExactly("a", "##b"); // one word: two would be "a", "b"
        assertThat(TOKENIZER.basicTokens("a\u000bb")).containsExactly("ab");
        assertThat(TOKENIZER.basicTokens("c\u0000a\uFFFDf\u00ADe\u200B\u200D\uFEFF\u200E\u007F\u0085")).containsExactly("cafe");
        assertThat(TOKENIZER.basicTokens("\u001c\u001d\u001e\u001f")).isEmpty();
    }

    @Test
    void whitespaceOfEveryKindSeparatesWords() {
        for (String space : List.of(" ", "\t", "\n", "\r", "\u00A0", "\u3000", "\u2000", "\u200A", "\u202F",
                "\u205F", "\u1680", "\u2028", "\u2029")) {
            assertThat(TOKENIZER.basicTokens("a" + space + "b")).as("U+%04X", (int) space.charAt(0))
                    .containsExactly("a", "b");
        }
        assertThat(pieces("line\u2028s")).containsExactly("line", "[UNK]"); // "s" starts a word: no "##s"
    }

    // Rule 3: CJK ideographs.

    @Test
    void everyCjkIdeographIsAWordAndOtherScriptsAreNot() {
        assertThat(TOKENIZER.basicTokens("a猫b狗")).containsExactly("a", "猫", "b", "狗");
        assertThat(TOKENIZER.basicTokens("\u9FFF\u3400\uD840\uDC00x")).containsExactly("\u9FFF", "\u3400",
                "\uD840\uDC00", "x"); // U+20000
        assertThat(TOKENIZER.basicTokens("かか")).containsExactly("かか"); // kana stays glued
        assertThat(TOKENIZER.basicTokens("\u3007\u3007")).containsExactly("\u3007\u3007");
        assertThat(TOKENIZER.basicTokens("\uD880\uDC00\uD880\uDC00")).hasSize(1); // U+30000, Ext G: not in the list
    }

    // Rule 5: lower case, NFD, no marks.

    @Test
    void wordsAreLowerCasedDecomposedAndStrippedOfMarks() {
        assertThat(TOKENIZER.basicTokens("CAFÉ")).containsExactly("cafe");
        assertThat(TOKENIZER.basicTokens("İ")).containsExactly("i");
        assertThat(TOKENIZER.basicTokens("ΣaΣ")).containsExactly("σaς");
        // Lower-casing sees the whole word, punctuation included (it is split off afterwards): Python's final-sigma
        // context skips case-ignorable characters such as '.' and '’', where Java's toLowerCase would not.
        assertThat(TOKENIZER.basicTokens("ΟΔΟΣ.")).containsExactly("οδος", ".");
        assertThat(TOKENIZER.basicTokens("x\u2019Σ")).containsExactly("x", "\u2019", "ς");
        assertThat(TOKENIZER.basicTokens("AΣ.B")).containsExactly("aσ", ".", "b");
        assertThat(TOKENIZER.basicTokens("ẞ")).containsExactly("ß");
        assertThat(TOKENIZER.basicTokens("が パ 👍\uFE0F")).containsExactly("か", "ハ", "👍");
        assertThat(pieces("한")).containsExactly("ᄒ", "##ᅡ", "##ᆫ");
        assertThat(pieces("\uF900")).containsExactly("豈"); // CJK compatibility ideograph → U+8C48
        assertThat(pieces("ＡＢ")).containsExactly("ａ", "##ｂ"); // no NFKC
        assertThat(pieces("ﬁ")).containsExactly("[UNK]");
        assertThat(TOKENIZER.basicTokens("\u0301\uFE0F")).isEmpty(); // only marks: nothing left
    }

    // Rule 6: punctuation.

    @Test
    void punctuationIsAWordButCurrencyAndSymbolsStayGlued() {
        assertThat(TOKENIZER.basicTokens("a,b!")).containsExactly("a", ",", "b", "!");
        assertThat(TOKENIZER.basicTokens("$<=>^`|~+")).containsExactly("$", "<", "=", ">", "^", "`", "|", "~", "+");
        assertThat(pieces("¥100")).containsExactly("¥", "##100");
        assertThat(pieces("100℃")).containsExactly("100", "##℃");
        assertThat(TOKENIZER.basicTokens("a\u3002b\u300Cc\u300D")).containsExactly("a", "\u3002", "b", "\u300C", "c",
                "\u300D");
        assertThat(TOKENIZER.basicTokens("€5 ½ ㎡")).containsExactly("€5", "½", "㎡");
        assertThat(pieces("[CLS]")).containsExactly("[", "cl", "##s", "]"); // not special in the text
    }

    // Rule 7: WordPiece.

    @Test
    void wordPieceIsGreedyLongestMatchAndAFailureMakesTheWholeWordUnknown() {
        assertThat(pieces("unaffable")).containsExactly("un", "##aff", "##able");
        assertThat(pieces("aaaaa")).containsExactly("aaa", "##aa");
        assertThat(pieces("abcx")).containsExactly("[UNK]");
        assertThat(pieces("ab xyz c")).containsExactly("a", "##b", "[UNK]", "c");
        assertThat(TOKENIZER.encode("ab")).containsExactly(id("a"), id("##b"));
    }

    @Test
    void theWordLimitCountsCodePointsNotUtf16Units() {
        assertThat(pieces("👍".repeat(101))).hasSize(101).startsWith("👍").endsWith("##👍");
        assertThat(pieces("👍".repeat(200))).hasSize(200);
        assertThat(pieces("👍".repeat(201))).containsExactly("[UNK]");
        assertThat(pieces("a".repeat(200))).hasSize(100).startsWith("aaa", "##aa").endsWith("##aa", "##a");
        assertThat(pieces("a".repeat(201))).containsExactly("[UNK]");
    }

    @Test
    void tokensWithSpacesOrOnlyHashesCanNeverMatch() {
        assertThat(pieces("padded")).containsExactly("[UNK]");
        assertThat(TOKENIZER.encode("##")).containsExactly(id("#"), id("#"));
    }

    // Rule 8: rows.

    @Test
    void rowsAreClsFirstIdsSepAndZeros() {
        assertThat(TOKENIZER.contextLength()).isEqualTo(52);
        assertThat(TOKENIZER.alwaysTruncates()).isTrue();
        int[] row = TOKENIZER.tokenize("猫 狗");
        assertThat(row).hasSize(52);
        assertThat(Arrays.copyOf(row, 5)).containsExactly(101, id("猫"), id("狗"), 102, 0);
        assertThat(TOKENIZER.tokenize("")).startsWith(101, 102, 0);
        assertThat(TOKENIZER.tokenize(" \n\u3000 ")).startsWith(101, 102, 0);
    }

    @Test
    void longTextsKeepTheirFirstPiecesAndTheSepWhateverTruncateSays() {
        String text = "猫".repeat(60);
        int[][] refusedNothing = TOKENIZER.tokenize(List.of(text), 52, false);
        int[][] truncated = TOKENIZER.tokenize(List.of(text), 52, true);
        assertThat(refusedNothing).isDeepEqualTo(truncated);
        assertThat(truncated[0][0]).isEqualTo(101);
        assertThat(truncated[0][50]).isEqualTo(id("猫"));
        assertThat(truncated[0][51]).isEqualTo(102);
        assertThat(TOKENIZER.encode(text)).hasSize(60);
        assertThat(TOKENIZER.tokenize(List.of(text), 2, false)[0]).containsExactly(101, 102);
        assertThat(TOKENIZER.tokenize(List.of("猫狗"), 6, false)[0]).containsExactly(101, id("猫"), id("狗"), 102, 0, 0);
    }

    @Test
    void preconditionsNameTheArgument() {
        assertThatThrownBy(() -> TOKENIZER.tokenize(List.of("a"), 1, true)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("contextLength");
        assertThatThrownBy(() -> TOKENIZER.encode(null)).isInstanceOf(NullPointerException.class).hasMessage("text");
        assertThatThrownBy(() -> TOKENIZER.tokenize(Arrays.asList("a", null), 52, true))
                .isInstanceOf(NullPointerException.class).hasMessage("texts[1]");
        assertThatThrownBy(() -> TOKENIZER.token(TOKENS.size())).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> BertWordPieceTokenizer.load((Path) null)).isInstanceOf(NullPointerException.class)
                .hasMessage("vocabFile");
    }

    @Test
    void oddInputNeverThrows() {
        String odd = "\uD800x\uDFFF\u0000\u202E\uFFFE\uDBFF\uDFFF" + "\u0301".repeat(300) + "😀".repeat(300);
        assertThat(Arrays.stream(TOKENIZER.encode(odd)).boxed()).allSatisfy(id -> assertThat(id).isBetween(0, TOKENS.size() - 1));
    }

    // Where the vocabulary comes from.

    @Test
    void propertyThenEnvironmentThenTheBundledCopy() throws IOException {
        Path property = Files.write(dir.resolve("property.txt"), TOKENS);
        Path environment = Files.write(dir.resolve("environment.txt"),
                TOKENS.stream().map(t -> t.equals("猫") ? "猫猫" : t).toList());
        Map<String, String> props = Map.of(BertWordPieceTokenizer.PROPERTY, property.toString());
        Map<String, String> env = Map.of(BertWordPieceTokenizer.ENVIRONMENT_VARIABLE, environment.toString());
        assertThat(BertWordPieceTokenizer.load(props::get, env::get, name -> null).encode("猫"))
                .containsExactly(id("猫"));
        assertThat(BertWordPieceTokenizer.load(name -> null, env::get, name -> null).encode("猫"))
                .containsExactly(100);
        InputStream bundled = new java.io.ByteArrayInputStream(String.join("\n", TOKENS).getBytes(StandardCharsets.UTF_8));
        assertThat(BertWordPieceTokenizer.load(name -> null, name -> null,
                name -> name.equals(BertWordPieceTokenizer.FILE_NAME) ? bundled : null).toString())
                .contains("bundled io/github/clip4j/tokenizer/vocab.txt");
    }

    @Test
    void aMissingConfiguredOrExplicitFileIsAnErrorAndNoBundleSaysWhatToDo() {
        Path missing = dir.resolve("typo.txt");
        Map<String, String> props = Map.of(BertWordPieceTokenizer.PROPERTY, missing.toString());
        assertThatThrownBy(() -> BertWordPieceTokenizer.load(props::get, name -> null, name -> null))
                .isInstanceOf(VocabularyException.class).hasMessageContaining(missing.toString())
                .hasMessageContaining(BertWordPieceTokenizer.PROPERTY);
        assertThatThrownBy(() -> BertWordPieceTokenizer.load(missing)).isInstanceOf(VocabularyException.class)
                .hasMessageContaining(missing.toString()).hasMessageContaining("does not exist");
        assertThatThrownBy(() -> BertWordPieceTokenizer.load(name -> null, name -> null, name -> null))
                .isInstanceOf(VocabularyException.class).hasMessageContaining("built without the bundled")
                .hasMessageContaining("-D" + BertWordPieceTokenizer.PROPERTY + "=FILE")
                .hasMessageContaining(BertWordPieceTokenizer.ENVIRONMENT_VARIABLE);
    }

    @Test
    void bothTokenizersShareTheInterface() {
        TextTokenizer bert = TOKENIZER;
        TextTokenizer clip = ClipTokenizer.of(BpeVocabulary.byteLevel());
        assertThat(bert.tokenize(List.of("猫", "狗"))).hasDimensions(2, 52);
        assertThat(clip.tokenize(List.of("cat", "dog"))).hasDimensions(2, 77);
        assertThat(clip.alwaysTruncates()).isFalse();
        assertThat(clip.vocabularySize()).isEqualTo(514);
        assertThatThrownBy(() -> clip.tokenize("x ".repeat(100))).isInstanceOf(TextTooLongException.class);
    }
}
