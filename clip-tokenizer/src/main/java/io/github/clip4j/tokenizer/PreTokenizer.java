package io.github.clip4j.tokenizer;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits cleaned text into the words BPE sees, exactly like the reference's case-insensitive pattern
 * {@code <\|startoftext\|>|<\|endoftext\|>|'s|'t|'re|'ve|'m|'ll|'d|[\p{L}]+|[\p{N}]|[^\s\p{L}\p{N}]+}.
 *
 * <p>A hand-written scanner: at each position the alternatives are tried in the pattern's order, and characters
 * no alternative matches (spaces, see {@link CharClasses#SKIPPED}) are skipped, as {@code findall} does.
 * Case-insensitivity only matters for the ASCII letters of the literals and for U+017F (long s), which the regex
 * module folds to {@code s}.
 */
final class PreTokenizer {
    static final String START_OF_TEXT = "<|startoftext|>";
    static final String END_OF_TEXT = "<|endoftext|>";

    private PreTokenizer() {}

    /** The first index at or after {@code from} that starts a word, or {@code text.length()}. */
    static int skipSpaces(String text, int from) {
        int i = from;
        int n = text.length();
        while (i < n) {
            char c = text.charAt(i);
            // a surrogate belongs to a supplementary character or is lone: never skipped
            if (c != ' ' && (Character.isSurrogate(c) || CharClasses.of(c) != CharClasses.SKIPPED)) {
                return i;
            }
            i++;
        }
        return n;
    }

    /** The end of the word that starts at {@code start} (which {@link #skipSpaces} returned). */
    static int wordEnd(String text, int start) {
        int n = text.length();
        char c = text.charAt(start);
        if (c == '<') {
            int special = specialEnd(text, start);
            if (special > 0) {
                return special;
            }
        } else if (c == '\'' && start + 1 < n) {
            int contraction = contractionEnd(text, start);
            if (contraction > 0) {
                return contraction;
            }
        }
        int cp = text.codePointAt(start);
        byte cls = CharClasses.of(cp);
        int i = start + Character.charCount(cp);
        if (cls == CharClasses.NUMBER) {
            return i;
        }
        // a run continues while the class stays the same (letters, or punctuation and other symbols)
        while (i < n) {
            int next = text.codePointAt(i);
            if (CharClasses.of(next) != cls) {
                break;
            }
            i += Character.charCount(next);
        }
        return i;
    }

    /** The words of {@code text}, for tests and diagnostics. */
    static List<String> split(String text) {
        List<String> words = new ArrayList<>();
        for (int i = skipSpaces(text, 0); i < text.length(); ) {
            int end = wordEnd(text, i);
            words.add(text.substring(i, end));
            i = skipSpaces(text, end);
        }
        return words;
    }

    private static int specialEnd(String text, int start) {
        if (matchesIgnoringCase(text, start, START_OF_TEXT)) {
            return start + START_OF_TEXT.length();
        }
        if (matchesIgnoringCase(text, start, END_OF_TEXT)) {
            return start + END_OF_TEXT.length();
        }
        return -1;
    }

    /** {@code 's|'t|'re|'ve|'m|'ll|'d}; {@code start} holds the apostrophe. */
    private static int contractionEnd(String text, int start) {
        char first = fold(text.charAt(start + 1));
        if (first == 's' || first == 't' || first == 'm' || first == 'd') {
            return start + 2;
        }
        if (start + 2 < text.length()) {
            char second = fold(text.charAt(start + 2));
            if ((first == 'r' || first == 'v') && second == 'e' || first == 'l' && second == 'l') {
                return start + 3;
            }
        }
        return -1;
    }

    private static boolean matchesIgnoringCase(String text, int start, String literal) {
        if (start + literal.length() > text.length()) {
            return false;
        }
        for (int k = 0; k < literal.length(); k++) {
            if (fold(text.charAt(start + k)) != literal.charAt(k)) {
                return false;
            }
        }
        return true;
    }

    /** Simple case folding restricted to what the pattern's literals can meet. */
    private static char fold(char c) {
        if (c >= 'A' && c <= 'Z') {
            return (char) (c + ('a' - 'A'));
        }
        return c == '\u017F' ? 's' : c;
    }
}
