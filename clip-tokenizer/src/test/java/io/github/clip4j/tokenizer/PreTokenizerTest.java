package io.github.clip4j.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * The scanner against the reference pattern. Each expectation is what the Python {@code regex} module's
 * {@code findall} returns for the case-insensitive pattern (checked with regex 2023.12.25).
 */
class PreTokenizerTest {

    @Test
    void splitsContractionsBeforeLetters() {
        assertThat(PreTokenizer.split("it's a dog's life")).containsExactly("it", "'s", "a", "dog", "'s", "life");
        assertThat(PreTokenizer.split("'sam 'RE 'll 'x '")).containsExactly("'s", "am", "'RE", "'ll", "'", "x", "'");
    }

    @Test
    void longSFoldsToSInTheLiterals() {
        assertThat(PreTokenizer.split("'\u017F")).containsExactly("'\u017F");
        assertThat(PreTokenizer.split("<|\u017Ftartoftext|> <|STARTOFTEXT|>"))
                .containsExactly("<|\u017Ftartoftext|>", "<|STARTOFTEXT|>");
    }

    @Test
    void specialTokensOnlyWhereAWordStarts() {
        assertThat(PreTokenizer.split("<|startoftext|>hi<|endoftext|>"))
                .containsExactly("<|startoftext|>", "hi", "<|endoftext|>");
        assertThat(PreTokenizer.split("!!<|endoftext|>")).containsExactly("!!<|", "endoftext", "|>");
    }

    @Test
    void numbersAreSingleCharacters() {
        assertThat(PreTokenizer.split("a1b22")).containsExactly("a", "1", "b", "2", "2");
        assertThat(PreTokenizer.split("\u00BDx\u00B2")).containsExactly("\u00BD", "x", "\u00B2");
        assertThat(PreTokenizer.split("\u0663\u0664")).containsExactly("\u0663", "\u0664");
    }

    @Test
    void whitespaceIsTheRegexModulesNotPythons() {
        // U+001C..U+001F are str.isspace() but not regex's \s; U+200B is neither
        assertThat(PreTokenizer.split("a\u001Cb\u001F")).containsExactly("a", "\u001C", "b", "\u001F");
        assertThat(PreTokenizer.split("a\u00A0b\u3000c\u200Bd")).containsExactly("a", "b", "c", "\u200B", "d");
    }

    @Test
    void ypogegrammeniMatchesNoAlternative() {
        assertThat(PreTokenizer.split("x\u0345y")).containsExactly("x", "y");
    }

    @Test
    void supplementaryAndRecentCharacters() {
        assertThat(PreTokenizer.split("\uD835\uDC9C\uD835\uDCB7 \uD835\uDFD9\uD835\uDFD9"))
                .containsExactly("\uD835\uDC9C\uD835\uDCB7", "\uD835\uDFD9", "\uD835\uDFD9");
        assertThat(PreTokenizer.split("\uD83D\uDE00\uD83D\uDE00!")).containsExactly("\uD83D\uDE00\uD83D\uDE00!");
        // Kawi (Unicode 15.0) and CJK extension H (15.0) letters: unknown to Java 17, letters to the reference
        String kawiAndCjkH = new StringBuilder().appendCodePoint(0x11F04).appendCodePoint(0x31350).toString();
        assertThat(PreTokenizer.split(kawiAndCjkH)).containsExactly(kawiAndCjkH);
        assertThat(PreTokenizer.split("ab\u0301c")).containsExactly("ab", "\u0301", "c");
    }

    @Test
    void loneSurrogatesAreSymbols() {
        assertThat(PreTokenizer.split("a\uD800b\uDC00\uDC00")).containsExactly("a", "\uD800", "b", "\uDC00\uDC00");
    }

    @Test
    void emptyAndBlankTextHaveNoWords() {
        assertThat(PreTokenizer.split("")).isEmpty();
        assertThat(PreTokenizer.split(" \t\n ")).isEmpty();
    }
}
