package io.github.clip4j.internal.text;

import java.util.Objects;

/**
 * The text normalisation of OpenAI's CLIP tokenizer, usable on its own and identical to the reference's.
 *
 * <p>{@link #fixText} reproduces {@code ftfy.fix_text} (ftfy 6.3.1, default settings): it repairs mojibake,
 * decodes HTML entities, splits Latin ligatures, narrows fullwidth characters, straightens curly quotes, unifies
 * line breaks, drops control characters and applies NFC. {@link #clean} is the whole pipeline CLIP's BPE step
 * sees: {@code whitespace_clean(basic_clean(text)).lower()}, with Python's definitions of whitespace and
 * lower case.
 *
 * <pre>{@code
 * TextCleaner.fixText("cafÃ©");                          // "café"
 * TextCleaner.clean("  A &amp;amp; B\u00A0\u201Cquoted\u201D "); // "a & b \"quoted\""
 * }</pre>
 *
 * <p>All methods are thread-safe and allocation-light: printable ASCII without '&amp;' is returned as is. Null
 * arguments throw {@link NullPointerException}; no other input throws.
 */
public final class TextCleaner {
    private TextCleaner() {}

    /**
     * {@code ftfy.fix_text(text)} with ftfy's default settings.
     *
     * @param text any string, including lone surrogates and control characters
     * @return the fixed text
     */
    public static String fixText(String text) {
        Objects.requireNonNull(text, "text");
        return Ftfy.fixText(text);
    }

    /**
     * CLIP's {@code whitespace_clean(basic_clean(text)).lower()}: what its BPE step tokenizes.
     *
     * @param text any string
     * @return the cleaned, whitespace-collapsed, lower-cased text
     */
    public static String clean(String text) {
        Objects.requireNonNull(text, "text");
        return PythonText.lower(PythonText.collapseWhitespace(basicClean(text)));
    }

    /**
     * CLIP's {@code basic_clean}: {@code html.unescape(html.unescape(ftfy.fix_text(text))).strip()}.
     *
     * @param text any string
     * @return the fixed, unescaped and stripped text
     */
    public static String basicClean(String text) {
        Objects.requireNonNull(text, "text");
        return PythonText.strip(htmlUnescape(htmlUnescape(Ftfy.fixText(text))));
    }

    /**
     * CLIP's {@code whitespace_clean}: {@code re.sub(r'\s+', ' ', text).strip()} with Python's Unicode
     * whitespace (which includes U+001C..U+001F, U+0085 and U+00A0 but not U+200B or U+FEFF).
     *
     * @param text any string
     * @return the text with each whitespace run replaced by one space, without leading or trailing space
     */
    public static String whitespaceClean(String text) {
        Objects.requireNonNull(text, "text");
        return PythonText.collapseWhitespace(text);
    }

    /**
     * Python's {@code html.unescape(text)}: named references from the HTML5 list (legacy ones also without
     * ';'), decimal and hexadecimal references with the HTML5 replacements for invalid code points.
     *
     * <pre>{@code
     * TextCleaner.htmlUnescape("&lt;b&gt; &eacute &#x41; &#128;"); // "<b> é A €"
     * }</pre>
     *
     * @param text any string
     * @return the text with character references decoded
     */
    public static String htmlUnescape(String text) {
        Objects.requireNonNull(text, "text");
        return HtmlEntities.unescape(text);
    }
}
