package io.github.clip4j.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.clip4j.testsupport.Fixtures;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reading vocabulary files: CLIP's own, and every way a file can be wrong. */
class BpeVocabularyTest {
    @TempDir
    Path dir;

    @Test
    void clipsVocabularyHasTheReferenceLayout() {
        BpeVocabulary vocabulary = BpeVocabulary.read(Fixtures.bpeVocabulary());
        assertThat(vocabulary.size()).isEqualTo(ClipTokenizer.VOCABULARY_SIZE);
        assertThat(vocabulary.mergeCount()).isEqualTo(48_894);
        assertThat(vocabulary.startOfTextId()).isEqualTo(ClipTokenizer.START_OF_TEXT);
        assertThat(vocabulary.endOfTextId()).isEqualTo(ClipTokenizer.END_OF_TEXT);
        assertThat(vocabulary.token(ClipTokenizer.START_OF_TEXT)).isEqualTo("<|startoftext|>");
        assertThat(vocabulary.token(0)).isEqualTo("!");
        assertThat(vocabulary.token(511)).endsWith("</w>");
    }

    @Test
    void aMissingFileIsNamed() {
        Path missing = dir.resolve("nowhere.txt.gz");
        assertThatThrownBy(() -> BpeVocabulary.read(missing)).isInstanceOf(VocabularyException.class)
                .hasMessageContaining(missing.toString()).hasMessageContaining("does not exist");
    }

    @Test
    void aFileThatIsNotGzipIsRefused() throws IOException {
        Path file = Files.writeString(dir.resolve("plain.txt.gz"), "#version: 0.2\na b\n");
        assertThatThrownBy(() -> BpeVocabulary.read(file)).isInstanceOf(VocabularyException.class)
                .hasMessageContaining(file.toString()).hasMessageContaining("not a gzip file");
    }

    @Test
    void aTruncatedGzipIsRefused() throws IOException {
        byte[] whole = SyntheticVocabulary.gzip(List.of("a b", "b c", "c d", "d e"));
        Path file = Files.write(dir.resolve("cut.txt.gz"), Arrays.copyOf(whole, whole.length / 2));
        assertThatThrownBy(() -> BpeVocabulary.read(file, 4)).isInstanceOf(VocabularyException.class)
                .hasMessageContaining(file.toString()).hasMessageContaining("truncated");
    }

    @Test
    void tooFewMergesAreRefused() throws IOException {
        Path file = Files.write(dir.resolve("short.txt.gz"), SyntheticVocabulary.gzip(List.of("a b", "b c")));
        assertThatThrownBy(() -> BpeVocabulary.read(file)).isInstanceOf(VocabularyException.class)
                .hasMessageContaining(file.toString()).hasMessageContaining("48894");
        assertThatThrownBy(() -> BpeVocabulary.read(file, 3)).isInstanceOf(VocabularyException.class)
                .hasMessageContaining("has 2 merge lines but CLIP needs 3");
        assertThat(BpeVocabulary.read(file, 2).mergeCount()).isEqualTo(2);
    }

    @Test
    void aMalformedMergeIsRefusedWithItsNumber() throws IOException {
        Path file = Files.write(dir.resolve("bad.txt.gz"), SyntheticVocabulary.gzip(List.of("a b", "b c d")));
        assertThatThrownBy(() -> BpeVocabulary.read(file, 2)).isInstanceOf(VocabularyException.class)
                .hasMessageContaining(file.toString()).hasMessageContaining("merge 2");
    }

    @Test
    void aMergeOfUnknownSymbolsIsRefused() throws IOException {
        Path file = Files.write(dir.resolve("unknown.txt.gz"), SyntheticVocabulary.gzip(List.of("a b", "xy z")));
        assertThatThrownBy(() -> BpeVocabulary.read(file, 2)).isInstanceOf(VocabularyException.class)
                .hasMessageContaining("merge 2").hasMessageContaining("\"xy\"");
    }

    @Test
    void textThatIsNotUtf8IsRefused() throws IOException {
        byte[] content = "#version: 0.2\na b\n\u00FF c\n".getBytes(StandardCharsets.ISO_8859_1);
        Path file = Files.write(dir.resolve("latin1.txt.gz"), SyntheticVocabulary.gzip(content));
        assertThatThrownBy(() -> BpeVocabulary.read(file, 2)).isInstanceOf(VocabularyException.class)
                .hasMessageContaining("not UTF-8");
    }

    @Test
    void onlyTheRequestedMergesAreUsed() throws IOException {
        Path file = Files.write(dir.resolve("extra.txt.gz"), SyntheticVocabulary.gzip(List.of("a b", "b c", "x")));
        // the malformed third line is beyond the merges in use, as in the real file's tail
        assertThat(BpeVocabulary.read(file, 2).size()).isEqualTo(512 + 2 + 2);
    }
}
