package io.github.clip4j.internal.text;

import java.text.Normalizer;

/**
 * {@code ftfy.fix_text} (ftfy 6.3.1) with its default configuration.
 *
 * <p>The text is fixed in segments: each line (with its '\n'), cut every million code points if a line is
 * longer. Each segment is fixed repeatedly until a round changes nothing; one round is: HTML entities (unless
 * the text looks like HTML), mojibake, C1 controls, ligatures, width, quotes, line breaks, surrogates, terminal
 * escapes, control characters and NFC. As in ftfy, once a segment contains '&lt;' entities stay escaped in that
 * segment and all later ones.
 */
final class Ftfy {
    private Ftfy() {}

    /** ftfy's {@code max_decode_length}, in code points. */
    private static final int MAX_SEGMENT_CODE_POINTS = 1_000_000;

    static String fixText(String text) {
        if (needsNoFix(text)) {
            return text;
        }
        StringBuilder out = new StringBuilder(text.length());
        boolean unescapeHtml = true;
        int pos = 0;
        int n = text.length();
        while (pos < n) {
            int newline = text.indexOf('\n', pos);
            int end = newline < 0 ? n : newline + 1;
            if (end - pos > MAX_SEGMENT_CODE_POINTS && text.codePointCount(pos, end) > MAX_SEGMENT_CODE_POINTS) {
                end = text.offsetByCodePoints(pos, MAX_SEGMENT_CODE_POINTS);
            }
            String segment = text.substring(pos, end);
            if (unescapeHtml && segment.indexOf('<') >= 0) {
                unescapeHtml = false;
            }
            out.append(fixSegment(segment, unescapeHtml));
            pos = end;
        }
        return out.toString();
    }

    /**
     * Whether ftfy leaves the text unchanged for certain: printable ASCII with tab, LF and FF, and no '&amp;'.
     * No fix touches such text and NFC keeps ASCII as it is.
     */
    private static boolean needsNoFix(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if ((c < 0x20 || c >= 0x7F || c == '&') && c != '\t' && c != '\n' && c != '\f') {
                return false;
            }
        }
        return true;
    }

    /** ftfy's {@code fix_and_explain} on one segment. */
    private static String fixSegment(String text, boolean unescapeHtml) {
        while (true) {
            String original = text;
            if (unescapeHtml) {
                text = HtmlEntities.unescapeFtfy(text);
            }
            text = MojibakeFixer.fixEncoding(text);
            if (CharacterFixes.mightNeedFixes(text)) {
                text = MojibakeFixer.fixC1Controls(text);
                text = CharacterFixes.fixLatinLigatures(text);
                text = CharacterFixes.fixCharacterWidth(text);
                text = CharacterFixes.uncurlQuotes(text);
                text = CharacterFixes.fixLineBreaks(text);
                text = CharacterFixes.fixSurrogates(text);
                text = CharacterFixes.removeTerminalEscapes(text);
                text = CharacterFixes.removeControlChars(text);
            }
            if (!Normalizer.isNormalized(text, Normalizer.Form.NFC)) {
                text = Normalizer.normalize(text, Normalizer.Form.NFC);
            }
            if (text.equals(original)) {
                return text;
            }
        }
    }
}
