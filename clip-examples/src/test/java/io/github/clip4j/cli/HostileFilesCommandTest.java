package io.github.clip4j.cli;

import static io.github.clip4j.cli.CliFixtures.assertFails;
import static io.github.clip4j.cli.CliFixtures.clip;
import static io.github.clip4j.cli.CliFixtures.image;
import static io.github.clip4j.cli.CliFixtures.tinyModel;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.github.clip4j.testsupport.Fixtures;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 18's hostile checkpoints and images through the command line (in-process): each run ends within 10 s with
 * exit status 1 and one {@code clip: error:} line naming the input, no stack trace. The memory-bound cases run in
 * a 512 MB JVM in {@link HostileFilesIT}.
 */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class HostileFilesCommandTest {
    @TempDir
    Path dir;

    /** Loads libtorch once, outside the 10 s of each case (its cold start alone can take that on a busy machine). */
    @org.junit.jupiter.api.BeforeAll
    static void warmUp() {
        CliFixtures.ok("embed", "--model", tinyModel().toString(), "--text", "a cat");
    }

    private static void refusedModel(Path model, String... mentioned) {
        CliRun run = clip("embed", "--model", model.toString(), "--text", "a cat");
        assertFails(run, 1, mentioned);
        assertThat(run.err()).doesNotContain("\tat ").hasSizeLessThan(2000);
    }

    private static void refusedImage(Path image, String... mentioned) {
        CliRun run = clip("embed", "--model", tinyModel().toString(), "--image", image.toString());
        assertFails(run, 1, mentioned);
        assertThat(run.err()).doesNotContain("\tat ");
    }

    @Test
    void sharedTupleKeys() throws Exception {
        Path model = HostileFiles.torchZip(dir.resolve("shared.pt"), HostileFiles.sharedTupleKey(), Map.of());
        refusedModel(model, model.toString(), "no tensors found");
    }

    @Test
    void deepAndCyclicPickles() throws Exception {
        Path deep = HostileFiles.torchZip(dir.resolve("deep.pt"), HostileFiles.deepListsReduced(), Map.of());
        refusedModel(deep, deep.toString(), "not an allowed callable");
        Path cyclic = HostileFiles.torchZip(dir.resolve("cyclic.pt"), HostileFiles.cyclicList(), Map.of());
        refusedModel(cyclic, cyclic.toString(), "contains itself");
    }

    @Test
    void strideZeroViews() throws Exception {
        Path model = HostileFiles.strideZero(dir.resolve("stride0.pt"));
        refusedModel(model, model.toString(), "strided tensor view");
    }

    @Test
    void flippedBytesInATorchSaveZip() throws Exception {
        Path model = HostileFiles.flipped(Fixtures.file("models/vit-tiny.state_dict.pt"), dir.resolve("flipped.pt"));
        refusedModel(model, model.toString(), "CRC-32");
    }

    @Test
    void devicesAsModelOrImage() {
        assumeTrue(Files.exists(Path.of("/dev/zero")));
        refusedModel(Path.of("/dev/zero"), "/dev/zero", "not a regular file");
        refusedImage(Path.of("/dev/zero"), "/dev/zero", "not a regular file");
    }

    @Test
    void secretsAreNeverQuoted() throws Exception {
        Path secret = Files.writeString(dir.resolve("environ"), "SECRET=hunter2\0PATH=/usr/bin\0");
        CliRun run = clip("embed", "--model", secret.toString(), "--text", "a cat");
        assertFails(run, 1, secret.toString(), "binary data");
        assertThat(run.err()).doesNotContain("hunter2").doesNotContain("534543");
    }

    @Test
    void pngWithABadIhdrChecksum() throws Exception {
        Path png = HostileFiles.badIhdrCrc(image("chelsea.png"), dir.resolve("bad-crc.png"));
        refusedImage(png, png.toString(), "checksum");
    }
}
