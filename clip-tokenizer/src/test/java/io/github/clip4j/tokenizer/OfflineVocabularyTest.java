package io.github.clip4j.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.clip4j.testsupport.Fixtures;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What works without CLIP's file or the network: the byte-level vocabulary and the offline lookup. */
class OfflineVocabularyTest {
    /** Nothing listens on port 9 of the loopback address: any download attempt fails at once. */
    private static final URI NOWHERE = URI.create("http://127.0.0.1:9/bpe_simple_vocab_16e6.txt.gz");

    @TempDir
    Path dir;

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

    @Test
    void offlineLookupNeverDownloads() throws IOException {
        VocabularyLocator.Builder base = VocabularyLocator.builder()
                .properties(name -> null).environment(name -> null)
                .cacheDirectory(dir).downloadUri(NOWHERE);
        assertThat(base.build().locateWithoutDownload()).isEmpty();

        // A damaged cached copy is not used (and not replaced).
        Files.writeString(dir.resolve(BpeVocabulary.FILE_NAME), "partial");
        assertThat(base.build().locateWithoutDownload()).isEmpty();
        assertThat(Files.readString(dir.resolve(BpeVocabulary.FILE_NAME))).isEqualTo("partial");

        // The verified cached copy is.
        Path real = Fixtures.bpeVocabulary();
        Files.copy(real, dir.resolve(BpeVocabulary.FILE_NAME), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        assertThat(base.build().locateWithoutDownload()).contains(dir.resolve(BpeVocabulary.FILE_NAME));
    }

    @Test
    void offlineLookupHonoursConfiguredPathsAndRefusesTypos() {
        Path real = Fixtures.bpeVocabulary();
        Map<String, String> properties = Map.of(VocabularyLocator.PROPERTY, real.toString());
        VocabularyLocator fromProperty = VocabularyLocator.builder().properties(properties::get)
                .environment(name -> null).cacheDirectory(dir).downloadUri(NOWHERE).build();
        assertThat(fromProperty.locateWithoutDownload()).contains(real);

        Path typo = dir.resolve("no-such-vocabulary.txt.gz");
        Map<String, String> environment = Map.of(VocabularyLocator.ENVIRONMENT_VARIABLE, typo.toString());
        VocabularyLocator fromEnvironment = VocabularyLocator.builder().properties(name -> null)
                .environment(environment::get).cacheDirectory(dir).downloadUri(NOWHERE).build();
        assertThatThrownBy(fromEnvironment::locateWithoutDownload).isInstanceOf(VocabularyException.class)
                .hasMessageContaining(typo.toString());
    }
}
