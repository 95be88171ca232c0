package io.github.clip4j.tokenizer;

import java.text.Normalizer;
import java.util.Locale;

/**
 * The character classes of Chinese-CLIP's {@code BasicTokenizer} (BERT's), by code point, and its per-word
 * normalization. Categories come from {@link Character#getType(int)} (Java 17: Unicode 13; the reference ran
 * Unicode 14, which differs only for characters Unicode 13 left unassigned).
 */
final class BertText {
    /** What the basic tokenizer does with a code point, decided once per code point. */
    static final int KEEP = 0;
    /** Removed without leaving a space: U+0000, U+FFFD, Cc and Cf except tab, newline and carriage return. */
    static final int DROP = 1;
    /** Ends the current word: whitespace ({@code _clean_text} maps it to a space, or {@code split()} splits on it). */
    static final int SPACE = 2;
    /** A CJK ideograph: a word of its own. */
    static final int CJK = 3;
    /** Punctuation: a word of its own after normalization. */
    static final int PUNCTUATION = 4;

    private static final byte[] ASCII = new byte[128];

    static {
        for (int cp = 0; cp < 128; cp++) {
            ASCII[cp] = (byte) classifySlow(cp);
        }
    }

    private BertText() {}

    /** {@return the class of {@code cp} before normalization: KEEP, DROP, SPACE, CJK or PUNCTUATION} */
    static int classify(int cp) {
        return cp < 128 ? ASCII[cp] : classifySlow(cp);
    }

    private static int classifySlow(int cp) {
        if (cp == '\t' || cp == '\n' || cp == '\r' || cp == ' ') {
            return SPACE;
        }
        int type = Character.getType(cp);
        if (cp == 0 || cp == 0xFFFD || type == Character.CONTROL || type == Character.FORMAT) {
            return DROP;
        }
        // Zs becomes a space in _clean_text; str.split() also splits on what survives of Python's whitespace
        // (U+2028 and U+2029: the rest of it is Cc and already dropped).
        if (type == Character.SPACE_SEPARATOR || isPythonSpace(cp)) {
            return SPACE;
        }
        if (isCjk(cp)) {
            return CJK;
        }
        return isPunctuation(cp) ? PUNCTUATION : KEEP;
    }

    /** {@code _is_chinese_char}: the CJK Unified Ideographs blocks and the compatibility ideographs. */
    static boolean isCjk(int cp) {
        return cp >= 0x4E00 && cp <= 0x9FFF
                || cp >= 0x3400 && cp <= 0x4DBF
                || cp >= 0x20000 && cp <= 0x2A6DF
                || cp >= 0x2A700 && cp <= 0x2B73F
                || cp >= 0x2B740 && cp <= 0x2B81F
                || cp >= 0x2B820 && cp <= 0x2CEAF
                || cp >= 0xF900 && cp <= 0xFAFF
                || cp >= 0x2F800 && cp <= 0x2FA1F;
    }

    /**
     * A CJK ideograph that lower-casing and NFD leave as it is: all but the compatibility ideographs, which NFD
     * maps to unified ones.
     */
    static boolean isStableCjk(int cp) {
        return isCjk(cp) && !(cp >= 0xF900 && cp <= 0xFAFF) && !(cp >= 0x2F800 && cp <= 0x2FA1F);
    }

    /** {@code _is_punctuation}: ASCII symbols 33-47, 58-64, 91-96, 123-126, and every category P*. */
    static boolean isPunctuation(int cp) {
        if (cp >= 33 && cp <= 47 || cp >= 58 && cp <= 64 || cp >= 91 && cp <= 96 || cp >= 123 && cp <= 126) {
            return true;
        }
        switch (Character.getType(cp)) {
            case Character.CONNECTOR_PUNCTUATION:
            case Character.DASH_PUNCTUATION:
            case Character.START_PUNCTUATION:
            case Character.END_PUNCTUATION:
            case Character.INITIAL_QUOTE_PUNCTUATION:
            case Character.FINAL_QUOTE_PUNCTUATION:
            case Character.OTHER_PUNCTUATION:
                return true;
            default:
                return false;
        }
    }

    /** Python's {@code str.isspace()} (Unicode 14: the same set as 13). */
    static boolean isPythonSpace(int cp) {
        return cp >= 9 && cp <= 13 || cp >= 0x1C && cp <= 0x20 || cp == 0x85 || cp == 0xA0 || cp == 0x1680
                || cp >= 0x2000 && cp <= 0x200A || cp == 0x2028 || cp == 0x2029 || cp == 0x202F || cp == 0x205F
                || cp == 0x3000;
    }

    /**
     * Python's {@code str.lower()}. Java's {@link String#toLowerCase(Locale)} with {@link Locale#ROOT} has the same
     * full mapping (U+0130 to {@code i̇} included) but another final-sigma context, so a capital sigma is mapped
     * here by CPython's rule: {@code ς} when a cased letter precedes it and none follows it, skipping
     * case-ignorable characters both ways (so {@code "ΟΔΟΣ."} ends in {@code ς}, as in Python).
     */
    static String lower(int[] word, int length) {
        String text = new String(word, 0, length);
        if (text.indexOf('\u03A3') < 0) {
            return text.toLowerCase(Locale.ROOT);
        }
        StringBuilder out = new StringBuilder(length + 4);
        for (int i = 0; i < length; i++) {
            int cp = word[i];
            if (cp == 0x3A3) {
                out.append(isFinalSigma(word, length, i) ? '\u03C2' : '\u03C3');
            } else {
                // one code point alone: in the root locale only the sigma has a context-dependent lower case
                out.append(new String(word, i, 1).toLowerCase(Locale.ROOT));
            }
        }
        return out.toString();
    }

    /** CPython's {@code handle_capital_sigma}: {@code \p{Cased} \p{Case_Ignorable}* Σ !(\p{Case_Ignorable}* \p{Cased})}. */
    private static boolean isFinalSigma(int[] word, int length, int at) {
        int j = at - 1;
        while (j >= 0 && isCaseIgnorable(word[j])) {
            j--;
        }
        if (j < 0 || !isCased(word[j])) {
            return false;
        }
        j = at + 1;
        while (j < length && isCaseIgnorable(word[j])) {
            j++;
        }
        return j == length || !isCased(word[j]);
    }

    /** Unicode's Cased: Lowercase (Ll + Other_Lowercase), Uppercase (Lu + Other_Uppercase) or Lt. */
    private static boolean isCased(int cp) {
        return Character.isLowerCase(cp) || Character.isUpperCase(cp) || Character.isTitleCase(cp);
    }

    /** Unicode's Case_Ignorable: Mn, Me, Cf, Lm, Sk, and Word_Break MidLetter, MidNumLet or Single_Quote. */
    private static boolean isCaseIgnorable(int cp) {
        switch (Character.getType(cp)) {
            case Character.NON_SPACING_MARK:
            case Character.ENCLOSING_MARK:
            case Character.FORMAT:
            case Character.MODIFIER_LETTER:
            case Character.MODIFIER_SYMBOL:
                return true;
            default:
                break;
        }
        switch (cp) {
            case 0x27: case 0x2E: case 0x3A: case 0xB7: case 0x387: case 0x55F: case 0x5F4: case 0x2018:
            case 0x2019: case 0x2024: case 0x2027: case 0xFE13: case 0xFE52: case 0xFE55: case 0xFF07:
            case 0xFF0E: case 0xFF1A:
                return true;
            default:
                return false;
        }
    }

    /**
     * The basic tokenizer's per-word normalization of a word that is not plain ASCII: {@code str.lower()} (full
     * mapping, final sigma), NFD, then every Mn character dropped.
     *
     * @param word the word's code points in {@code word[0, length)}
     * @return the normalized code points (possibly more or fewer, possibly none)
     */
    static int[] normalize(int[] word, int length) {
        String lower = lower(word, length);
        String nfd = Normalizer.normalize(lower, Normalizer.Form.NFD);
        int[] out = new int[nfd.length()];
        int n = 0;
        for (int i = 0; i < nfd.length(); ) {
            int cp = nfd.codePointAt(i);
            i += Character.charCount(cp);
            if (Character.getType(cp) != Character.NON_SPACING_MARK) {
                out[n++] = cp;
            }
        }
        return n == out.length ? out : java.util.Arrays.copyOf(out, n);
    }
}
