package io.github.clip4j.tokenizer.text;

import java.util.Objects;

/**
 * PLACEHOLDER API (being implemented): the reference's text normalisation, usable on its own.
 *
 * <p>{@link #fixText} reproduces {@code ftfy.fix_text} with default settings; {@link #clean} is the full
 * pipeline the BPE step sees: {@code whitespace_clean(basic_clean(text)).lower()}.
 */
public final class TextCleaner {
    private TextCleaner() {}

    /** {@code ftfy.fix_text(text)} with ftfy's default settings. */
    public static String fixText(String text) {
        Objects.requireNonNull(text, "text");
        return text;
    }

    /** {@code whitespace_clean(basic_clean(text)).lower()}: what CLIP's BPE step tokenizes. */
    public static String clean(String text) {
        Objects.requireNonNull(text, "text");
        return text.strip().replaceAll("\\s+", " ").toLowerCase(java.util.Locale.ROOT);
    }
}
