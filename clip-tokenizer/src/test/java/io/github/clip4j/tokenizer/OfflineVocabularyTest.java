package io.github.clip4j.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** What works without CLIP's file: the byte-level vocabulary. */
class OfflineVocabularyTest {
    @Test
    void byteLevelVocabularyTokenizesEveryTextOneByteAtATime() {
        BpeVocabulary bytes = BpeVocabulary.byteLevel();
        assertThat(bytes.size()).isEqualTo(514);
        assertThat(bytes.mergeCount()).isZero();
        assertThat(bytes.startOfTextId()).isEqualTo(512);
        assertThat(bytes.endOfTextId()).isEqualTo(513);
        assertThat(BpeVocabulary.byteLevel()).isSameAs(bytes);

        ClipTokenizer tokenizer = ClipTokenizer.of(bytes);
        int[] ids = tokenizer.encode("Cat café 猫");
        // "cat", "café" (5 UTF-8 bytes) and "猫" (3): one id per byte, the last of each word an end-of-word id.
        assertThat(ids).hasSize(3 + 5 + 3);
        assertThat(java.util.Arrays.stream(ids).allMatch(id -> id >= 0 && id < 512)).isTrue();
        assertThat(ids[2]).isGreaterThanOrEqualTo(256);
        assertThat(ids[0]).isLessThan(256);
        assertThat(tokenizer.decode(ids)).isEqualTo("cat café 猫 ");
        assertThat(tokenizer.encode("Cat café 猫")).isEqualTo(ids);
        int[] truncated = tokenizer.tokenize(java.util.List.of("x ".repeat(200)), 77, true)[0];
        assertThat(truncated).hasSize(77);
        assertThat(truncated[0]).isEqualTo(512);
        assertThat(truncated[76]).isEqualTo(513);
    }
}
