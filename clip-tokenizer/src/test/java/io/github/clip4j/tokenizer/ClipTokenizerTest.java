package io.github.clip4j.tokenizer;

import static io.github.clip4j.tokenizer.SyntheticVocabulary.endId;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The tokenizer's contract on a synthetic vocabulary: batching, truncation, decoding, odd input, threads. */
class ClipTokenizerTest {
    @TempDir
    Path dir;

    private BpeVocabulary vocabulary;
    private ClipTokenizer tokenizer;

    @BeforeEach
    void createTokenizer() {
        vocabulary = SyntheticVocabulary.create(dir, List.of("a a", "c a", "ca t</w>", "d o", "do g</w>"));
        tokenizer = ClipTokenizer.of(vocabulary);
    }

    @Test
    void rowsAreStartIdsEndAndZeros() {
        int[][] rows = tokenizer.tokenize(List.of("cat dog", ""), 6, false);
        int start = vocabulary.startOfTextId();
        int end = vocabulary.endOfTextId();
        assertThat(rows[0]).containsExactly(start, 514, 516, end, 0, 0);
        assertThat(rows[1]).containsExactly(start, end, 0, 0, 0, 0);
        assertThat(tokenizer.tokenize("cat")).hasSize(ClipTokenizer.DEFAULT_CONTEXT_LENGTH)
                .startsWith(start, 514, end, 0);
    }

    @Test
    void aTextThatExactlyFitsIsKeptWhole() {
        assertThat(tokenizer.tokenize(List.of("cat cat cat"), 5, false)[0])
                .containsExactly(vocabulary.startOfTextId(), 514, 514, 514, vocabulary.endOfTextId());
    }

    @Test
    void truncationMakesTheLastKeptIdTheEndToken() {
        int[] row = tokenizer.tokenize(List.of("cat dog cat dog"), 4, true)[0];
        assertThat(row).containsExactly(vocabulary.startOfTextId(), 514, 516, vocabulary.endOfTextId());
        // like the reference's tokens[:1] then tokens[-1] = eot
        assertThat(tokenizer.tokenize(List.of("cat"), 1, true)[0]).containsExactly(vocabulary.endOfTextId());
    }

    @Test
    void aTooLongTextIsRefusedWithItsIndexAndCounts() {
        assertThatThrownBy(() -> tokenizer.tokenize(List.of("cat", "cat dog cat dog", "dog dog dog dog dog"), 5,
                false))
                .isInstanceOfSatisfying(TextTooLongException.class, e -> {
                    assertThat(e.index()).isEqualTo(1);
                    assertThat(e.tokenCount()).isEqualTo(6);
                    assertThat(e.contextLength()).isEqualTo(5);
                })
                .hasMessageContaining("text 1").hasMessageContaining("6 tokens").hasMessageContaining("length 5");
    }

    @Test
    void contextLengthMustBePositive() {
        assertThatThrownBy(() -> tokenizer.tokenize(List.of("cat"), 0, true))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("contextLength");
    }

    @Test
    void nullsAreRefusedByName() {
        assertThatThrownBy(() -> tokenizer.encode(null)).isInstanceOf(NullPointerException.class).hasMessage("text");
        assertThatThrownBy(() -> tokenizer.decode(null)).isInstanceOf(NullPointerException.class).hasMessage("ids");
        assertThatThrownBy(() -> tokenizer.tokenize((String) null)).isInstanceOf(NullPointerException.class)
                .hasMessage("text");
        assertThatThrownBy(() -> tokenizer.tokenize(null, 77, false)).isInstanceOf(NullPointerException.class)
                .hasMessage("texts");
        assertThatThrownBy(() -> tokenizer.tokenize(Arrays.asList("cat", null), 77, false))
                .isInstanceOf(NullPointerException.class).hasMessage("texts[1]");
        assertThatThrownBy(() -> ClipTokenizer.of(null)).isInstanceOf(NullPointerException.class)
                .hasMessage("vocabulary");
        assertThatThrownBy(() -> ClipTokenizer.load((Path) null)).isInstanceOf(NullPointerException.class)
                .hasMessage("bpeFile");
    }

    @Test
    void emptyAndBlankTextsHaveNoIds() {
        assertThat(tokenizer.encode("")).isEmpty();
        assertThat(tokenizer.encode(" \n\t ")).isEmpty();
        assertThat(tokenizer.decode(new int[0])).isEmpty();
    }

    @Test
    void oddCharactersNeverFail() {
        String odd = "\u0000a\u0007\u001B[0m\uD800\uDFFF\uDBFF\uFFFE\u0345\u202E";
        assertThat(Arrays.stream(tokenizer.encode(odd)).boxed()).isNotEmpty()
                .allSatisfy(id -> assertThat(id).isBetween(0, vocabulary.size() - 1));
        assertThat(tokenizer.encodeCleaned("\u0000")).containsExactly(vocabulary.endOfWordIdOfByte(0));
        assertThat(tokenizer.encodeCleaned("x\uDBFFy")).containsExactly(tokenizer.encodeCleaned("x\uFFFDy"));
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS) // a guard against quadratic merging, not a speed test
    void aMegabyteWordIsMergedWithoutQuadraticCost() {
        String word = "a".repeat(1 << 20);
        int[] ids = tokenizer.encodeCleaned(word);
        // 2^20 - 1 "a" symbols then "a</w>": pairs merge left to right, leaving one "a" before "a</w>"
        assertThat(ids).hasSize((1 << 19) + 1);
        assertThat(ids[0]).isEqualTo(512);
        assertThat(ids[ids.length - 2]).isEqualTo(vocabulary.idOfByte('a'));
        assertThat(ids[ids.length - 1]).isEqualTo(endId(vocabulary, 'a'));
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void aMegabyteOfGarbageIsEncodedAndDecodedBack() {
        Random random = new Random(3);
        StringBuilder garbage = new StringBuilder();
        while (garbage.length() < 1 << 20) {
            garbage.appendCodePoint(random.nextInt(4) == 0 ? ' ' : 0x21 + random.nextInt(0x2FFF));
        }
        String cleaned = garbage.toString().replaceAll("[\\uD800-\\uDFFF]", "\uFFFD");
        int[] ids = tokenizer.encodeCleaned(cleaned);
        assertThat(ids.length).isGreaterThan(1 << 18);
        assertThat(tokenizer.decode(ids).replace(" ", ""))
                .isEqualTo(String.join("", PreTokenizer.split(cleaned)).replace(" ", ""));
    }

    @Test
    void decodeTurnsEndOfWordIntoSpaces() {
        assertThat(tokenizer.decode(tokenizer.encode("cat  dog\tca"))).isEqualTo("cat dog ca ");
        assertThat(tokenizer.decode(new int[] {vocabulary.startOfTextId(), 514, vocabulary.endOfTextId()}))
                .isEqualTo("<|startoftext|>cat <|endoftext|>");
    }

    @Test
    void decodeReplacesBadUtf8LikePython() {
        // Python: b"\xed\xa0\x80".decode("utf-8", "replace") == "\ufffd" * 3; b"\xe2\x82" gives one
        assertThat(tokenizer.decode(bytes(0xED, 0xA0, 0x80))).isEqualTo("\uFFFD\uFFFD\uFFFD");
        assertThat(tokenizer.decode(bytes(0xE2, 0x82))).isEqualTo("\uFFFD");
        assertThat(tokenizer.decode(bytes(0xF0, 0x80, 0x80))).isEqualTo("\uFFFD\uFFFD\uFFFD");
        assertThat(tokenizer.decode(bytes(0xFF, 0x41, 0xE2, 0x82, 0xAC))).isEqualTo("\uFFFDA\u20AC");
        assertThat(tokenizer.decode(bytes(0xF0, 0x9F, 0x98, 0x80, 0xF0, 0x9F))).isEqualTo("\uD83D\uDE00\uFFFD");
    }

    @Test
    void decodeRefusesUnknownIds() {
        assertThatThrownBy(() -> tokenizer.decode(new int[] {1, vocabulary.size()}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ids[1]");
        assertThatThrownBy(() -> tokenizer.decode(new int[] {-1})).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void manyThreadsGetTheSameIdsAsOneThread() throws Exception {
        Random random = new Random(11);
        List<String> texts = new ArrayList<>();
        for (int i = 0; i < 10_000; i++) {
            StringBuilder text = new StringBuilder();
            for (int w = random.nextInt(6); w >= 0; w--) {
                for (int c = 1 + random.nextInt(8); c > 0; c--) {
                    text.append("acdgot".charAt(random.nextInt(6)));
                }
                text.append(' ');
            }
            texts.add(text.toString());
        }
        // more distinct words than cache slots, so threads also race on evictions
        List<int[]> expected = new ArrayList<>();
        ClipTokenizer alone = ClipTokenizer.of(vocabulary);
        for (String text : texts) {
            expected.add(alone.encode(text));
        }
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<Integer>> results = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                long seed = t;
                results.add(pool.submit((Callable<Integer>) () -> {
                    List<Integer> order = new ArrayList<>();
                    for (int i = 0; i < texts.size(); i++) {
                        order.add(i);
                    }
                    Collections.shuffle(order, new Random(seed));
                    int same = 0;
                    for (int i : order) {
                        if (Arrays.equals(tokenizer.encode(texts.get(i)), expected.get(i))) {
                            same++;
                        }
                    }
                    return same;
                }));
            }
            for (Future<Integer> result : results) {
                assertThat(result.get(120, TimeUnit.SECONDS)).isEqualTo(texts.size());
            }
        } finally {
            pool.shutdownNow();
        }
    }

    private int[] bytes(int... values) {
        return Arrays.stream(values).map(vocabulary::idOfByte).toArray();
    }
}
