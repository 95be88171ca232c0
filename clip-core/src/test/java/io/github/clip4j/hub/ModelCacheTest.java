package io.github.clip4j.hub;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelCacheTest {
    private static final String HOME = Path.of("/home/someone").toAbsolutePath().toString();

    @TempDir
    Path dir;

    @Test
    void theDefaultFolderIsThePythonPackagesOne() {
        assertThat(ModelCache.defaultFolder(null, null, HOME)).isEqualTo(Path.of(HOME, ".cache", "clip"));
    }

    @Test
    void theSystemPropertyWinsOverTheEnvironment() {
        assertThat(ModelCache.defaultFolder("/from/property", "/from/env", HOME))
                .isEqualTo(Path.of("/from/property").toAbsolutePath());
        assertThat(ModelCache.defaultFolder(null, "/from/env", HOME)).isEqualTo(Path.of("/from/env").toAbsolutePath());
    }

    @Test
    void blankValuesAreIgnored() {
        assertThat(ModelCache.defaultFolder(" ", "", HOME)).isEqualTo(Path.of(HOME, ".cache", "clip"));
        assertThat(ModelCache.defaultFolder("", "/from/env", HOME)).isEqualTo(Path.of("/from/env").toAbsolutePath());
    }

    @Test
    void aLeadingTildeIsTheHomeFolderAndRelativePathsBecomeAbsolute() {
        assertThat(ModelCache.defaultFolder("~/models", null, HOME)).isEqualTo(Path.of(HOME, "models"));
        assertThat(ModelCache.defaultFolder(null, "~", HOME)).isEqualTo(Path.of(HOME));
        assertThat(ModelCache.defaultFolder("models/../clip", null, HOME))
                .isEqualTo(Path.of("clip").toAbsolutePath());
    }

    @Test
    void defaultCacheReadsTheSystemProperty() {
        SystemProperties.withProperty(ModelCache.FOLDER_PROPERTY, dir.toString(), () ->
                assertThat(ModelCache.defaultCache().folder()).isEqualTo(dir.toAbsolutePath().normalize()));
    }

    @Test
    void aModelIsCachedUnderItsAddresssLastSegment() {
        ModelCache cache = ModelCache.at(dir);

        assertThat(cache.pathOf(ModelRegistry.openai().get("ViT-L/14@336px")))
                .isEqualTo(dir.toAbsolutePath().resolve("ViT-L-14-336px.pt"));
        assertThat(cache.pathOf(ModelRegistry.openai().get("RN50"))).hasFileName("RN50.pt");
    }

    @Test
    void cachesAreEqualByFolder() {
        assertThat(ModelCache.at(dir.resolve("a/..")))
                .isEqualTo(ModelCache.at(dir))
                .hasSameHashCodeAs(ModelCache.at(dir))
                .isNotEqualTo(ModelCache.at(dir.resolve("b")));
    }
}
