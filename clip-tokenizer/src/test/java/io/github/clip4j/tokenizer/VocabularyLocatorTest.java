package io.github.clip4j.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.clip4j.testsupport.Fixtures;
import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Where the BPE vocabulary comes from (explicit > property > environment > the copy bundled in the jar), with the
 * properties and environment replaced, and that nothing on that path can reach the network.
 */
class VocabularyLocatorTest {
    @TempDir
    Path dir;

    @Test
    void theBundledCopyIsUsedWhenNothingIsConfigured() {
        Fixtures.bpeVocabulary(); // skips without ../shared, from which the build bundles the file
        VocabularyLocator locator = locator(Map.of(), Map.of());
        assertThat(locator.hasBundledVocabulary()).isTrue();
        assertThat(locator.configured()).isEmpty();
        BpeVocabulary bundled = locator.read();
        assertThat(bundled.source()).startsWith("bundled ").endsWith(VocabularyLocator.BUNDLED_RESOURCE);
        assertThat(bundled.size()).isEqualTo(ClipTokenizer.VOCABULARY_SIZE);
        assertThat(ClipTokenizer.of(bundled).tokenize("a photo of a cat"))
                .isEqualTo(ClipTokenizer.load(Fixtures.bpeVocabulary()).tokenize("a photo of a cat"));
    }

    @Test
    void loadWithoutArgumentsReadsTheBundledCopy() {
        // The build passes no clip4j.bpe to the tests, so this is the out-of-the-box path.
        assertThat(System.getProperty(VocabularyLocator.PROPERTY)).isNull();
        ClipTokenizer tokenizer = ClipTokenizer.load();
        assertThat(tokenizer.vocabulary().source()).startsWith("bundled ");
        assertThat(tokenizer.encode("Hello, world! 一只猫"))
                .isEqualTo(ClipTokenizer.load(Fixtures.bpeVocabulary()).encode("Hello, world! 一只猫"));
    }

    @Test
    void anExplicitPathWinsOverEverything() throws IOException {
        Path explicit = copyOfClipsVocabulary("explicit.txt.gz");
        Path property = copyOfClipsVocabulary("property.txt.gz");
        VocabularyLocator locator = locator(Map.of(VocabularyLocator.PROPERTY, property.toString()), Map.of());
        assertThat(locator.locate(explicit)).isEqualTo(explicit);
        assertThat(ClipTokenizer.load(explicit).vocabulary().source()).isEqualTo(explicit.toString());
    }

    @Test
    void thePropertyWinsOverTheEnvironmentAndTheBundledCopy() throws IOException {
        Path property = copyOfClipsVocabulary("property.txt.gz");
        Path environment = copyOfClipsVocabulary("environment.txt.gz");
        VocabularyLocator locator = locator(Map.of(VocabularyLocator.PROPERTY, property.toString()),
                Map.of(VocabularyLocator.ENVIRONMENT_VARIABLE, environment.toString()));
        assertThat(locator.configured()).contains(property);
        assertThat(locator.read().source()).isEqualTo(property.toString());
    }

    @Test
    void theEnvironmentWinsOverTheBundledCopy() throws IOException {
        Path environment = copyOfClipsVocabulary("environment.txt.gz");
        VocabularyLocator locator = locator(Map.of(), Map.of(VocabularyLocator.ENVIRONMENT_VARIABLE,
                " " + environment + " "));
        assertThat(locator.configured()).contains(environment);
        assertThat(locator.read().source()).isEqualTo(environment.toString());
    }

    @Test
    void aConfiguredFileIsReadEvenIfItIsNotClipsOwn() throws IOException {
        Path wrong = Files.write(dir.resolve("wrong.txt.gz"), SyntheticVocabulary.gzip(List.of("a b")));
        VocabularyLocator locator = locator(Map.of(VocabularyLocator.PROPERTY, wrong.toString()), Map.of());
        assertThatThrownBy(locator::read).isInstanceOf(VocabularyException.class)
                .hasMessageContaining(wrong.toString()).hasMessageContaining("truncated");
    }

    @Test
    void blankSettingsAreIgnored() {
        Fixtures.bpeVocabulary();
        VocabularyLocator locator = locator(Map.of(VocabularyLocator.PROPERTY, " "),
                Map.of(VocabularyLocator.ENVIRONMENT_VARIABLE, ""));
        assertThat(locator.configured()).isEmpty();
        assertThat(locator.read().source()).startsWith("bundled ");
    }

    @Test
    void aConfiguredPathThatDoesNotExistIsAnError() {
        Path missing = dir.resolve("typo.txt.gz");
        VocabularyLocator byProperty = locator(Map.of(VocabularyLocator.PROPERTY, missing.toString()), Map.of());
        assertThatThrownBy(byProperty::read).isInstanceOf(VocabularyException.class)
                .hasMessageContaining(VocabularyLocator.PROPERTY).hasMessageContaining(missing.toString());
        VocabularyLocator byEnvironment = locator(Map.of(),
                Map.of(VocabularyLocator.ENVIRONMENT_VARIABLE, missing.toString()));
        assertThatThrownBy(byEnvironment::configured).isInstanceOf(VocabularyException.class)
                .hasMessageContaining(VocabularyLocator.ENVIRONMENT_VARIABLE).hasMessageContaining(missing.toString());
        assertThatThrownBy(() -> byEnvironment.locate(missing)).isInstanceOf(VocabularyException.class)
                .hasMessageContaining(missing.toString());
        assertThatThrownBy(() -> ClipTokenizer.load(missing)).isInstanceOf(VocabularyException.class)
                .hasMessageContaining(missing.toString()).hasMessageContaining("does not exist");
    }

    @Test
    void aJarBuiltWithoutTheBundledCopySaysHowToNameAFile() {
        VocabularyLocator locator = VocabularyLocator.builder().properties(name -> null).environment(name -> null)
                .resources(name -> null).build();
        assertThat(locator.hasBundledVocabulary()).isFalse();
        assertThatThrownBy(locator::read).isInstanceOf(VocabularyException.class)
                .hasMessageContaining("built without the bundled")
                .hasMessageContaining("-D" + VocabularyLocator.PROPERTY + "=FILE")
                .hasMessageContaining(VocabularyLocator.ENVIRONMENT_VARIABLE)
                .hasMessageContaining(BpeVocabulary.FILE_NAME);
    }

    @Test
    void theBundledResourcesAreWhereTheirConstantsSay() throws IOException {
        Fixtures.bpeVocabulary();
        // Read through the package's own class, as the tokenizers do: that also works once it is a named module.
        assertThat(VocabularyLocator.BUNDLED_RESOURCE)
                .isEqualTo(ClipTokenizer.class.getPackageName().replace('.', '/') + "/" + BpeVocabulary.FILE_NAME);
        try (InputStream bpe = VocabularySource.bundledResource(BpeVocabulary.FILE_NAME);
             InputStream cn = VocabularySource.bundledResource(BertWordPieceTokenizer.FILE_NAME)) {
            assertThat(bpe).as(VocabularyLocator.BUNDLED_RESOURCE).isNotNull();
            assertThat(cn).as(BertWordPieceTokenizer.FILE_NAME).isNotNull();
        }
    }

    /**
     * The lookup has no way to the network: no class of the tokenizer packages refers to the downloader or to
     * Java's networking classes (read from their constant pools, so a refactoring cannot quietly add one back).
     */
    @Test
    void noDownloadCodeIsReachableFromTheTokenizers() throws IOException, URISyntaxException {
        Path classes = Path.of(ClipTokenizer.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        Path folder = classes.resolve("io/github/clip4j/tokenizer");
        List<String> offenders = new ArrayList<>();
        int checked = 0;
        try (Stream<Path> files = Files.walk(folder)) {
            for (Path file : (Iterable<Path>) files.filter(f -> f.toString().endsWith(".class"))::iterator) {
                String constants = new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1);
                for (String forbidden : List.of("io/github/clip4j/download/", "java/net/http/",
                        "java/net/URLConnection", "java/net/URL;", "java/net/Socket", "openStream")) {
                    if (constants.contains(forbidden)) {
                        offenders.add(folder.relativize(file) + " refers to " + forbidden);
                    }
                }
                checked++;
            }
        }
        assertThat(checked).isGreaterThan(20);
        assertThat(offenders).isEmpty();
    }

    private Path copyOfClipsVocabulary(String name) throws IOException {
        return Files.copy(Fixtures.bpeVocabulary(), dir.resolve(name));
    }

    private static VocabularyLocator locator(Map<String, String> properties, Map<String, String> environment) {
        return VocabularyLocator.builder().properties(properties::get).environment(environment::get).build();
    }
}
