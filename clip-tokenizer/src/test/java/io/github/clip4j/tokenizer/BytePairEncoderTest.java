package io.github.clip4j.tokenizer;

import static io.github.clip4j.tokenizer.SyntheticVocabulary.byteId;
import static io.github.clip4j.tokenizer.SyntheticVocabulary.endId;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** BPE merging on small synthetic merge lists, where every expected id can be worked out by hand. */
class BytePairEncoderTest {
    @TempDir
    Path dir;

    @Test
    void idsFollowTheReferenceLayout() {
        BpeVocabulary vocabulary = SyntheticVocabulary.create(dir, List.of("a b", "b c</w>"));
        assertThat(vocabulary.size()).isEqualTo(512 + 2 + 2);
        assertThat(vocabulary.startOfTextId()).isEqualTo(514);
        assertThat(vocabulary.endOfTextId()).isEqualTo(515);
        assertThat(vocabulary.token(0)).isEqualTo("!"); // bytes_to_unicode starts with the printable '!'
        assertThat(vocabulary.token(256)).isEqualTo("!</w>");
        assertThat(vocabulary.token(188)).isEqualTo("\u0100"); // byte 0 comes after the 188 printable bytes
        assertThat(vocabulary.token(512)).isEqualTo("ab");
        assertThat(vocabulary.token(513)).isEqualTo("bc</w>");
        assertThat(vocabulary.token(515)).isEqualTo("<|endoftext|>");
    }

    @Test
    void theLowestRankedPairMergesFirst() {
        BpeVocabulary abFirst = SyntheticVocabulary.create(dir, List.of("a b", "b c</w>"));
        BpeVocabulary bcFirst = SyntheticVocabulary.create(dir, List.of("b c</w>", "a b"));
        assertThat(encode(abFirst, "abc")).containsExactly(512, endId(abFirst, 'c'));
        assertThat(encode(bcFirst, "abc")).containsExactly(byteId(bcFirst, 'a'), 512);
    }

    @Test
    void mergesRepeatUntilNoPairIsRanked() {
        BpeVocabulary vocabulary = SyntheticVocabulary.create(dir, List.of("b c</w>", "a b", "a bc</w>"));
        assertThat(encode(vocabulary, "abc")).containsExactly(514);
        // "b" at the end of a word is "b</w>", which no merge joins
        assertThat(encode(vocabulary, "ab c")).containsExactly(byteId(vocabulary, 'a'), endId(vocabulary, 'b'),
                endId(vocabulary, 'c'));
    }

    @Test
    void overlappingOccurrencesMergeLeftToRight() {
        BpeVocabulary vocabulary = SyntheticVocabulary.create(dir, List.of("a a"));
        assertThat(encode(vocabulary, "aaa")).containsExactly(512, endId(vocabulary, 'a'));
        assertThat(encode(vocabulary, "aaaa")).containsExactly(512, byteId(vocabulary, 'a'), endId(vocabulary, 'a'));
        assertThat(encode(vocabulary, "aaaaa")).containsExactly(512, 512, endId(vocabulary, 'a'));
    }

    @Test
    void aTokenListedTwiceTakesItsLastIdLikeAPythonDict() {
        BpeVocabulary vocabulary = SyntheticVocabulary.create(dir, List.of("a b", "b c", "ab c", "a bc"));
        // "abc" is both merge 2 (id 514) and merge 3 (id 515); the reference's encoder keeps 515
        assertThat(encode(vocabulary, "abcd")).containsExactly(515, endId(vocabulary, 'd'));
        assertThat(vocabulary.token(514)).isEqualTo("abc");
    }

    @Test
    void specialTokensAreSpecialOnlyInExactLowerCase() {
        BpeVocabulary vocabulary = SyntheticVocabulary.create(dir, List.of("a b"));
        assertThat(encode(vocabulary, "<|startoftext|> <|endoftext|>"))
                .containsExactly(vocabulary.startOfTextId(), vocabulary.endOfTextId());
        // the pattern matches it case-insensitively, but the reference's cache only knows the lower-case form
        int[] upper = encode(vocabulary, "<|ENDOFTEXT|>");
        assertThat(upper).hasSize("<|ENDOFTEXT|>".length()).doesNotContain(vocabulary.endOfTextId());
    }

    @Test
    void multiByteCharactersBecomeByteTokens() {
        BpeVocabulary vocabulary = SyntheticVocabulary.create(dir, List.of("a b"));
        // é is C3 A9; lone surrogates are encoded as U+FFFD (EF BF BD), as ftfy leaves them
        assertThat(encode(vocabulary, "\u00E9")).containsExactly(vocabulary.idOfByte(0xC3),
                vocabulary.endOfWordIdOfByte(0xA9));
        assertThat(encode(vocabulary, "\uD800")).containsExactly(encode(vocabulary, "\uFFFD"));
        assertThat(encode(vocabulary, "\u0000")).containsExactly(vocabulary.endOfWordIdOfByte(0));
    }

    @Test
    void pairsCreatedByARoundWaitForTheNextRound() {
        // "ab a" outranks "a b" but refers to its result: the reference merges every "a b" first
        BpeVocabulary vocabulary = SyntheticVocabulary.create(dir, List.of("ab a", "a b"));
        int[] expected = {513, 513, endId(vocabulary, 'a')};
        assertThat(encode(vocabulary, "ababa")).containsExactly(expected);
        int[] heap = {byteId(vocabulary, 'a'), byteId(vocabulary, 'b'), byteId(vocabulary, 'a'),
            byteId(vocabulary, 'b'), endId(vocabulary, 'a')};
        assertThat(Arrays.copyOf(heap, BytePairEncoder.mergeLong(vocabulary, heap, heap.length)))
                .containsExactly(expected);
    }

    @Test
    void theHeapPathAgreesWithTheReferenceLoopOnRandomMerges() {
        Random random = new Random(42);
        for (int round = 0; round < 20; round++) {
            List<String> merges = randomMerges(random, 300);
            if (round % 2 == 1) {
                Collections.shuffle(merges, random); // ranks no longer follow creation order
            }
            BpeVocabulary vocabulary = SyntheticVocabulary.create(dir, merges);
            for (int word = 0; word < 200; word++) {
                int length = 1 + random.nextInt(word < 100 ? 20 : 400);
                assertSameMerges(vocabulary, randomSymbols(vocabulary, random, length, "abcd"));
            }
        }
    }

    @Test
    void theHeapPathAgreesWithTheReferenceLoopOnClipsVocabulary() {
        BpeVocabulary vocabulary = ReferenceCases.tokenizer().vocabulary();
        Random random = new Random(7);
        String alphabet = "etaoinshrdlucmfwypvbgkjqxz";
        for (int word = 0; word < 2000; word++) {
            int length = 1 + random.nextInt(300);
            assertSameMerges(vocabulary, randomSymbols(vocabulary, random, length, alphabet.substring(0,
                    1 + random.nextInt(alphabet.length()))));
        }
    }

    private static void assertSameMerges(BpeVocabulary vocabulary, int[] symbols) {
        int[] simple = symbols.clone();
        int[] heap = symbols.clone();
        int simpleLength = BytePairEncoder.mergeShort(vocabulary, simple, simple.length);
        int heapLength = BytePairEncoder.mergeLong(vocabulary, heap, heap.length);
        assertThat(Arrays.copyOf(heap, heapLength)).as("symbols %s", Arrays.toString(symbols))
                .containsExactly(Arrays.copyOf(simple, simpleLength));
    }

    private static int[] randomSymbols(BpeVocabulary vocabulary, Random random, int length, String alphabet) {
        int[] symbols = new int[length];
        for (int i = 0; i < length; i++) {
            char c = alphabet.charAt(random.nextInt(alphabet.length()));
            symbols[i] = i == length - 1 ? vocabulary.endOfWordIdOfByte(c) : vocabulary.idOfByte(c);
        }
        return symbols;
    }

    /** Merges over a, b, c, d in random order, including ones whose parts only appear later. */
    private static List<String> randomMerges(Random random, int count) {
        List<String> inner = new ArrayList<>(List.of("a", "b", "c", "d"));
        List<String> all = new ArrayList<>(List.of("a", "b", "c", "d", "a</w>", "b</w>", "c</w>", "d</w>"));
        Set<String> seen = new HashSet<>(all);
        List<String> merges = new ArrayList<>();
        while (merges.size() < count) {
            String left = inner.get(random.nextInt(inner.size()));
            String right = all.get(random.nextInt(all.size()));
            String joined = left + right;
            if (joined.length() > 12 || !seen.add(joined)) {
                continue;
            }
            merges.add(left + " " + right);
            all.add(joined);
            if (!joined.endsWith("</w>")) {
                inner.add(joined);
            }
        }
        return merges;
    }

    private static int[] encode(BpeVocabulary vocabulary, String cleaned) {
        return ClipTokenizer.of(vocabulary).encodeCleaned(cleaned);
    }
}
