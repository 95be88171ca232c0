package io.github.clip4j.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.clip4j.testsupport.Fixtures;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The build's binary copy of the vocabulary holds exactly the tables parsed from the gzip text. */
class CompactVocabularyTest {
    private static final List<String> TEXTS = List.of("a photo of a cat", "Hello, world!", "été & “quotes”",
            "一只猫", "<|startoftext|>x<|endoftext|>", "supercalifragilisticexpialidocious");

    @Test
    void compactTablesReadBackExactly() throws IOException {
        BpeVocabulary parsed = BpeVocabulary.read(Fixtures.bpeVocabulary());
        BpeVocabulary compact = BpeVocabulary.readCompact(new ByteArrayInputStream(compact(parsed)), "x",
                BpeVocabulary.SHA256);
        assertThat(compact).isNotNull();
        assertThat(compact.sameTables(parsed)).isTrue();
        assertThat(compact.size()).isEqualTo(ClipTokenizer.VOCABULARY_SIZE);
        for (String text : TEXTS) {
            assertThat(ClipTokenizer.of(compact).encode(text)).as(text)
                    .containsExactly(ClipTokenizer.of(parsed).encode(text));
        }
    }

    @Test
    void staleOrDamagedTablesAreIgnored() throws IOException {
        BpeVocabulary parsed = BpeVocabulary.read(Fixtures.bpeVocabulary());
        byte[] bytes = compact(parsed);
        assertThat(BpeVocabulary.readCompact(new ByteArrayInputStream(bytes), "x", "another sha")).isNull();
        assertThat(BpeVocabulary.readCompact(new ByteArrayInputStream(Arrays.copyOf(bytes, bytes.length - 1)), "x",
                BpeVocabulary.SHA256)).isNull();
        assertThat(BpeVocabulary.readCompact(new ByteArrayInputStream(new byte[] {1, 2, 3}), "x",
                BpeVocabulary.SHA256)).isNull();
        assertThat(CompactVocabulary.readBundled(name -> new ByteArrayInputStream(new byte[40]), "x")).isNull();
        assertThat(CompactVocabulary.readBundled(name -> null, "x")).isNull();
    }

    @Test
    void theBuildBundlesCompactTablesOfTheBundledVocabulary() throws IOException {
        try (InputStream in = CompactVocabulary.class.getResourceAsStream(CompactVocabulary.RESOURCE_NAME)) {
            if (in == null) {
                assertThat(VocabularyLocator.standard().hasBundledVocabulary())
                        .as("the build generates the compact tables whenever it bundles the vocabulary").isFalse();
                return;
            }
            BpeVocabulary bundled = BpeVocabulary.readCompact(in, "bundled", BpeVocabulary.SHA256);
            assertThat(bundled).isNotNull();
            assertThat(bundled.sameTables(BpeVocabulary.read(Fixtures.bpeVocabulary()))).isTrue();
        }
        if (VocabularyLocator.standard().configured().isEmpty()) {
            BpeVocabulary loaded = VocabularyLocator.standard().read();
            assertThat(loaded.source()).isEqualTo("bundled " + VocabularyLocator.BUNDLED_RESOURCE);
        }
    }

    private static byte[] compact(BpeVocabulary vocabulary) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        vocabulary.writeCompact(out, BpeVocabulary.SHA256);
        return out.toByteArray();
    }
}
