package io.github.clip4j.internal.text;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/** Each of ftfy's fixes and each Python-specific rule of the cleaning, on hand-made examples. */
class TextCleanerTest {

    @Test
    void nullIsRejectedWithTheParameterName() {
        List<UnaryOperator<String>> methods = List.of(TextCleaner::fixText, TextCleaner::clean,
                TextCleaner::basicClean, TextCleaner::whitespaceClean, TextCleaner::htmlUnescape);
        for (UnaryOperator<String> method : methods) {
            assertThatThrownBy(() -> method.apply(null)).isInstanceOf(NullPointerException.class).hasMessage("text");
        }
    }

    @Test
    void plainTextIsReturnedAsIs() {
        String text = "A photo of a cat.\tTwo lines\nhere";
        assertThat(TextCleaner.fixText(text)).isSameAs(text);
        assertThat(TextCleaner.fixText("")).isEmpty();
        assertThat(TextCleaner.clean("")).isEmpty();
        assertThat(TextCleaner.clean(" \t\n")).isEmpty();
    }

    @Test
    void repairsUtf8ReadAsWindows1252OrLatin1() {
        assertThat(TextCleaner.fixText("cafÃ©")).isEqualTo("café");
        assertThat(TextCleaner.fixText("schÃ¶n")).isEqualTo("schön");
        assertThat(TextCleaner.fixText("âœ” No problems")).isEqualTo("✔ No problems");
        assertThat(TextCleaner.fixText("â€œmismatched quotesâ€\u009d")).isEqualTo("\"mismatched quotes\"");
        // Two layers of mojibake, undone one after the other.
        assertThat(TextCleaner.fixText("The Mona Lisa doesnÃ¢â‚¬â„¢t have eyebrows."))
                .isEqualTo("The Mona Lisa doesn't have eyebrows.");
    }

    @Test
    void repairsMojibakeOfOtherScriptsAndCesu8() {
        assertThat(TextCleaner.fixText("ÐŸÑ€Ð¸Ð²ÐµÑ‚")).isEqualTo("Привет");
        // An emoji encoded as a CESU-8 surrogate pair, then read as Latin-1.
        assertThat(TextCleaner.fixText("\u00ed\u00a0\u00bd\u00ed\u00b8\u008d")).isEqualTo("\uD83D\uDE0D");
    }

    @Test
    void restoresNoBreakSpacesThatBecameSpaces() {
        assertThat(TextCleaner.fixText("voilÃ le travail")).isEqualTo("voilà le travail");
        assertThat(TextCleaner.fixText("Sokal Ã¨ un fisico")).isEqualTo("Sokal è un fisico");
    }

    @Test
    void leavesTextThatOnlyLooksOdd() {
        assertThat(TextCleaner.fixText("Ã?")).isEqualTo("Ã?");
        assertThat(TextCleaner.fixText("Straße, naïve, 日本語")).isEqualTo("Straße, naïve, 日本語");
    }

    @Test
    void readsC1ControlsAsWindows1252() {
        assertThat(TextCleaner.fixText("\u0080 euros")).isEqualTo("€ euros");
        // C1 fixing runs before line-break fixing, so U+0085 becomes an ellipsis, not a newline.
        assertThat(TextCleaner.fixText("d\u0085e")).isEqualTo("d…e");
    }

    @Test
    void unescapesEntitiesOnlyOutsideHtml() {
        assertThat(TextCleaner.fixText("&lt;tag&gt; &amp; more")).isEqualTo("<tag> & more");
        assertThat(TextCleaner.fixText("it&#x2019;s")).isEqualTo("it's");
        assertThat(TextCleaner.fixText("&EACUTE;t&eacute;")).isEqualTo("Été");
        assertThat(TextCleaner.fixText("<b>&amp;</b>")).isEqualTo("<b>&amp;</b>");
        // Once a line contains '<', ftfy stops unescaping for the rest of the text.
        assertThat(TextCleaner.fixText("&amp;\na<b\n&amp;")).isEqualTo("&\na<b\n&amp;");
        // A numeric reference followed by letters is not a complete reference for ftfy.
        assertThat(TextCleaner.fixText("&#65abc;")).isEqualTo("&#65abc;");
    }

    @Test
    void htmlUnescapeFollowsPython() {
        assertThat(TextCleaner.htmlUnescape("&lt;b&gt; &eacute &#x41; &#128;")).isEqualTo("<b> é A €");
        assertThat(TextCleaner.htmlUnescape("&ampx")).isEqualTo("&x");
        assertThat(TextCleaner.htmlUnescape("&notit;")).isEqualTo("¬it;");
        assertThat(TextCleaner.htmlUnescape("&#0;")).isEqualTo("\uFFFD");
        assertThat(TextCleaner.htmlUnescape("&#xD800;")).isEqualTo("\uFFFD");
        assertThat(TextCleaner.htmlUnescape("&#x110000;")).isEqualTo("\uFFFD");
        assertThat(TextCleaner.htmlUnescape("&#99999999999999999999;")).isEqualTo("\uFFFD");
        assertThat(TextCleaner.htmlUnescape("&#1;")).isEmpty();
        assertThat(TextCleaner.htmlUnescape("&#65")).isEqualTo("A");
        assertThat(TextCleaner.htmlUnescape("&AMP;")).isEqualTo("&");
        assertThat(TextCleaner.htmlUnescape("&bogus; &#x; &")).isEqualTo("&bogus; &#x; &");
        assertThat(TextCleaner.clean("&#65abc;")).isEqualTo("aabc;");
    }

    @Test
    void narrowsFullwidthCharacters() {
        assertThat(TextCleaner.fixText("ＬＯＵＤ\u3000ＮＯＩＳＥＳ")).isEqualTo("LOUD NOISES");
    }

    @Test
    void straightensCurlyQuotes() {
        assertThat(TextCleaner.fixText("“hi” ‘x’ ʼn")).isEqualTo("\"hi\" 'x' 'n");
    }

    @Test
    void splitsLatinLigatures() {
        assertThat(TextCleaner.fixText("ﬂubberiﬁc ĳ")).isEqualTo("flubberific ij");
    }

    @Test
    void unifiesLineBreaks() {
        assertThat(TextCleaner.fixText("a\r\nb\rc\u2028d\u2029e\r\r\n")).isEqualTo("a\nb\nc\nd\ne\n\n");
    }

    @Test
    void replacesLoneSurrogates() {
        assertThat(TextCleaner.fixText("\uD83D x \uDC00")).isEqualTo("\uFFFD x \uFFFD");
        assertThat(TextCleaner.fixText("\uD83D\uDE00")).isEqualTo("\uD83D\uDE00");
    }

    @Test
    void removesTerminalEscapesAndControlCharacters() {
        assertThat(TextCleaner.fixText("\u001b[31mred\u001b[0m")).isEqualTo("red");
        assertThat(TextCleaner.fixText("a\u0000b\u0007c\uFEFFd\u007F\u206A\t\f")).isEqualTo("abcd\t\f");
    }

    @Test
    void composesToNfc() {
        assertThat(TextCleaner.fixText("e\u0301")).isEqualTo("\u00e9");
    }

    @Test
    void cleanUsesPythonWhitespace() {
        assertThat(TextCleaner.clean("x\u3000\u2003y\u00a0\u202f\u205fz")).isEqualTo("x y z");
        assertThat(TextCleaner.whitespaceClean("a\u001c\u001f b\u0085c\u200b\uFEFF d\u180e"))
                .isEqualTo("a b c\u200b\uFEFF d\u180e");
        assertThat(TextCleaner.basicClean("  A &amp;amp; B\u00a0")).isEqualTo("A & B");
    }

    @Test
    void cleanUsesPythonLowerCase() {
        assertThat(TextCleaner.clean("İstanbul")).isEqualTo("i\u0307stanbul");
        assertThat(TextCleaner.clean("ΟΔΟΣ ΟΔΟΣ.")).isEqualTo("οδος οδος.");
        assertThat(TextCleaner.clean("Σ ΑΣΑ")).isEqualTo("σ ασα");
        assertThat(TextCleaner.clean("  A &amp;amp; B\u00a0\u201cquoted\u201d ")).isEqualTo("a & b \"quoted\"");
    }

    @Test
    void fixesLongLinesInSegmentsOfOneMillionCodePoints() {
        // The mojibake straddles the cut after the millionth code point, so neither half is repaired...
        String straddling = "x".repeat(999_999) + "Ã©\n";
        assertThat(TextCleaner.fixText(straddling)).isEqualTo(straddling);
        // ...while one character earlier it lies inside the first segment.
        assertThat(TextCleaner.fixText("x".repeat(999_998) + "Ã©\n")).endsWith("xé\n");
    }

    @Test
    void hostileInputsDoNotThrow() {
        String hostile = "\u0000\uD800&#\u001b[<\r\u0085Ã".repeat(20_000);
        assertThat(TextCleaner.fixText(hostile)).startsWith("\uFFFD&#[<\n…Ã\uFFFD&#[<\n…Ã");
        assertThat(TextCleaner.clean(hostile)).startsWith("\uFFFD&#[< …ã\uFFFD&#[< …ã");
        assertThat(TextCleaner.fixText("Ã©".repeat(100_000))).isEqualTo("é".repeat(100_000));
    }
}
