package io.github.clip4j.internal.hub;

import io.github.clip4j.hub.ModelCache;
import io.github.clip4j.hub.ModelRegistry;
import io.github.clip4j.hub.RegisteredModel;
import io.github.clip4j.hub.SystemProperties;
import io.github.clip4j.hub.UnknownModelException;
import static io.github.clip4j.testsupport.TestHttpServer.bytes;
import static io.github.clip4j.testsupport.TestHttpServer.sha256;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.clip4j.download.DownloadException;
import io.github.clip4j.testsupport.TestHttpServer;
import io.github.clip4j.testsupport.Fixtures;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ModelLocatorTest {
    private static final byte[] FAKE_MODEL = bytes(150_000, 3);
    private static final String FAKE_SHA = sha256(FAKE_MODEL);

    @TempDir
    Path dir;

    private TestHttpServer server;
    private Path cacheFolder;
    private Path workingDirectory;
    private ModelRegistry fakeRegistry;

    @BeforeEach
    void setUp() throws IOException {
        server = TestHttpServer.start();
        server.serve("/models/" + FAKE_SHA + "/Tiny-Model.pt", FAKE_MODEL);
        fakeRegistry = ModelRegistry.of(
                new RegisteredModel("Tiny/Model", URI.create("https://unused.example.org/x/Tiny-Model.pt"), FAKE_SHA))
                .withBaseUrl(server.uri("/models/"));
        cacheFolder = dir.resolve("cache");
        workingDirectory = Files.createDirectories(dir.resolve("work"));
    }

    @AfterEach
    void tearDown() {
        server.close();
    }

    @Test
    void aRegistryNameIsDownloadedIntoTheCacheOnce() throws IOException {
        ModelLocator locator = locator(fakeRegistry).build();

        ModelSource first = locator.locate("Tiny/Model");
        ModelSource second = locator.locate("Tiny/Model");

        Path expected = cacheFolder.toAbsolutePath().resolve("Tiny-Model.pt");
        assertThat(first).isEqualTo(new ModelSource(ModelSource.Kind.RELEASED, expected, "Tiny/Model"));
        assertThat(second).isEqualTo(first);
        assertThat(Files.readAllBytes(expected)).isEqualTo(FAKE_MODEL);
        assertThat(server.requests()).isEqualTo(1);
    }

    @Test
    void downloadProgressReachesTheListener() {
        List<long[]> events = new ArrayList<>();
        ModelLocator locator = locator(fakeRegistry)
                .listener((file, done, total) -> {
                    assertThat(file).isEqualTo("Tiny-Model.pt");
                    events.add(new long[] {done, total});
                })
                .build();

        locator.locate("Tiny/Model");

        assertThat(events).isNotEmpty();
        assertThat(events.get(events.size() - 1)).containsExactly(FAKE_MODEL.length, FAKE_MODEL.length);
    }

    @Test
    void aDownloadIsLoggedWhenItStartsAndEnds() {
        // slf4j-simple (the test binding) writes to whatever System.err is at the time of the call.
        PrintStream originalErr = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            ModelLocator locator = locator(fakeRegistry).build();
            locator.locate("Tiny/Model");
            locator.locate("Tiny/Model");
        } finally {
            System.setErr(originalErr);
        }

        String log = captured.toString(StandardCharsets.UTF_8);
        assertThat(log).containsOnlyOnce("INFO " + ModelLocator.class.getName() + " - Downloading model Tiny/Model")
                .containsOnlyOnce("Downloaded model Tiny/Model")
                .contains(fakeRegistry.get("Tiny/Model").url().toString());
    }

    @Test
    void aCachedModelIsUsedWithoutTheNetwork() throws IOException {
        Files.createDirectories(cacheFolder);
        Files.write(cacheFolder.resolve("Tiny-Model.pt"), FAKE_MODEL);
        ModelRegistry offline = fakeRegistry.withBaseUrl(TestHttpServer.closedPortUri("/models/"));

        ModelSource source = locator(offline).build().locate("Tiny/Model");

        assertThat(source.kind()).isEqualTo(ModelSource.Kind.RELEASED);
        assertThat(source.path()).isEqualTo(cacheFolder.toAbsolutePath().resolve("Tiny-Model.pt"));
    }

    @Test
    void anExactRegistryNameWinsOverAFileOfTheSameName() throws IOException {
        Files.createDirectories(workingDirectory.resolve("Tiny"));
        Files.writeString(workingDirectory.resolve("Tiny/Model"), "not a model");

        ModelSource source = locator(fakeRegistry).build().locate("Tiny/Model");

        assertThat(source.kind()).isEqualTo(ModelSource.Kind.RELEASED);
        assertThat(server.requests()).isEqualTo(1);
    }

    @Test
    void aFileWinsOverACaseInsensitiveName() throws IOException {
        Files.createDirectories(workingDirectory.resolve("tiny"));
        Path file = Files.writeString(workingDirectory.resolve("tiny/model"), "a local checkpoint");

        ModelSource source = locator(fakeRegistry).build().locate("tiny/model");

        assertThat(source.kind()).isEqualTo(ModelSource.Kind.CHECKPOINT_FILE);
        assertThat(source.path()).isEqualTo(file);
        assertThat(server.requests()).isZero();
    }

    @Test
    void withoutSuchAFileACaseInsensitiveNameIsTheRegisteredModel() {
        ModelSource source = locator(fakeRegistry).build().locate("TINY/model");

        assertThat(source.kind()).isEqualTo(ModelSource.Kind.RELEASED);
        assertThat(source.name()).isEqualTo("Tiny/Model");
        assertThat(server.requests()).isEqualTo(1);
    }

    @Test
    void anExistingFileIsACheckpoint() throws IOException {
        Path file = Files.write(dir.resolve("my-finetune.pt"), FAKE_MODEL);

        ModelSource byName = locator(fakeRegistry).build().locate(file.toString());
        ModelSource byPath = locator(fakeRegistry).build().locate(file);

        assertThat(byName).isEqualTo(new ModelSource(ModelSource.Kind.CHECKPOINT_FILE, file, "my-finetune.pt"));
        assertThat(byPath).isEqualTo(byName);
        assertThat(byName.isFolder()).isFalse();
    }

    @Test
    void aRelativePathIsResolvedAgainstTheWorkingDirectory() throws IOException {
        Path file = Files.write(workingDirectory.resolve("weights.safetensors"), FAKE_MODEL);

        ModelSource source = locator(fakeRegistry).build().locate("./weights.safetensors");

        assertThat(source.kind()).isEqualTo(ModelSource.Kind.CHECKPOINT_FILE);
        assertThat(source.path()).isEqualTo(file);
    }

    @Test
    void aFolderWithConfigJsonIsAHuggingFaceFolder() throws IOException {
        Path folder = Files.createDirectories(dir.resolve("clip-vit-base-patch32"));
        Files.writeString(folder.resolve("config.json"), "{}");

        ModelSource source = locator(fakeRegistry).build().locate(folder.toString());

        assertThat(source)
                .isEqualTo(new ModelSource(ModelSource.Kind.HUGGING_FACE_FOLDER, folder, "clip-vit-base-patch32"));
        assertThat(source.isFolder()).isTrue();
    }

    @Test
    void theFixtureModelsResolveToTheirKinds() {
        Path huggingFace = Fixtures.file("models/vit-tiny.hf");
        Path torchScript = Fixtures.file("models/vit-tiny.jit.pt");
        ModelLocator locator = ModelLocator.create();

        assertThat(locator.locate(huggingFace.toString()).kind()).isEqualTo(ModelSource.Kind.HUGGING_FACE_FOLDER);
        assertThat(locator.locate(torchScript.toString()).kind()).isEqualTo(ModelSource.Kind.CHECKPOINT_FILE);
    }

    @Test
    void aFolderWithoutConfigJsonIsRefused() throws IOException {
        Path folder = Files.createDirectories(dir.resolve("not-a-model"));

        assertThatThrownBy(() -> locator(fakeRegistry).build().locate(folder.toString()))
                .isInstanceOf(UnknownModelException.class)
                .hasMessageContaining(folder.toString())
                .hasMessageContaining("config.json");
    }

    @Test
    void anUnknownNameListsTheKnownNamesAndTheAlternatives() {
        ModelLocator locator = ModelLocator.builder().cache(ModelCache.at(cacheFolder))
                .workingDirectory(workingDirectory).build();

        assertThatThrownBy(() -> locator.locate("ViT-H/14"))
                .isInstanceOfSatisfying(UnknownModelException.class,
                        e -> assertThat(e.knownNames()).hasSize(14).contains("RN50", "ViT-L/14@336px", "cn-clip/ViT-B-16"))
                .hasMessageContaining("\"ViT-H/14\"")
                .hasMessageContaining(workingDirectory.resolve("ViT-H/14").toString())
                .hasMessageContaining(String.join(", ", ModelRegistry.released().names()))
                .hasMessageContaining("checkpoint file")
                .hasMessageContaining("Hugging Face model folder");
        assertThat(cacheFolder).doesNotExist();
    }

    @Test
    void aNearMissSuggestsTheName() {
        ModelLocator locator = ModelLocator.builder().cache(ModelCache.at(cacheFolder))
                .workingDirectory(workingDirectory).build();

        assertThatThrownBy(() -> locator.locate("ViT-B-32"))
                .isInstanceOf(UnknownModelException.class)
                .hasMessageContaining("did you mean \"ViT-B/32\"");
        assertThatThrownBy(() -> locator.locate(""))
                .isInstanceOf(UnknownModelException.class)
                .hasMessageContaining("RN50");
    }

    @Test
    void offlineTheMessageNamesTheModelAndWhereToPutItsFile() {
        ModelRegistry offline = ModelRegistry.openai().withBaseUrl(TestHttpServer.closedPortUri("/clip/models/"));
        ModelLocator locator = locator(offline).timeouts(Duration.ofSeconds(5), Duration.ofSeconds(5)).build();
        RegisteredModel rn50 = ModelRegistry.openai().get("RN50");

        assertThatThrownBy(() -> locator.locate("RN50"))
                .isInstanceOf(DownloadException.class)
                .hasMessageContaining("model RN50")
                .hasMessageContaining(cacheFolder.toAbsolutePath().resolve("RN50.pt").toString())
                .hasMessageContaining(rn50.sha256())
                .hasMessageNotContaining(ModelCache.FOLDER_PROPERTY);
        assertThat(cacheFolder.resolve("RN50.pt")).doesNotExist();
    }

    @Test
    void offlineWithTheDefaultCacheTheMessageAlsoSaysHowToMoveIt() {
        ModelRegistry offline = ModelRegistry.openai().withBaseUrl(TestHttpServer.closedPortUri("/clip/models/"));
        SystemProperties.withProperty(ModelCache.FOLDER_PROPERTY, cacheFolder.toString(), () -> {
            ModelLocator locator = ModelLocator.builder().registry(offline).build();

            assertThatThrownBy(() -> locator.locate("ViT-B/32"))
                    .isInstanceOf(DownloadException.class)
                    .hasMessageContaining("model ViT-B/32")
                    .hasMessageContaining(cacheFolder.toAbsolutePath().resolve("ViT-B-32.pt").toString())
                    .hasMessageContaining("-D" + ModelCache.FOLDER_PROPERTY)
                    .hasMessageContaining(ModelCache.FOLDER_ENV);
        });
    }

    @Test
    void aServerErrorNamesTheModel() {
        ModelRegistry missing = fakeRegistry.withBaseUrl(server.uri("/nothing-here/"));

        assertThatThrownBy(() -> locator(missing).build().locate("Tiny/Model"))
                .isInstanceOf(DownloadException.class)
                .hasMessageContaining("model Tiny/Model")
                .hasMessageContaining("HTTP 404");
    }

    private ModelLocator.Builder locator(ModelRegistry registry) {
        return ModelLocator.builder()
                .registry(registry)
                .cache(ModelCache.at(cacheFolder))
                .workingDirectory(workingDirectory);
    }
}
