package io.github.clip4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.clip4j.testsupport.Fixtures;
import io.github.clip4j.tokenizer.ClipTokenizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The installable distribution ({@code target/clip-<version>.tar.gz}, built at {@code package}) works as a user
 * installs it: unpacked into a fresh folder, started through {@code bin/clip} (also through a symlink) from another
 * working folder, with no {@code target/} around it.
 */
class ClipDistributionIT {
    @TempDir
    static Path install;
    @TempDir
    static Path elsewhere;
    /** {@code XDG_CACHE_HOME} of every run: the launcher's class-data archives go there, not to the real home. */
    @TempDir
    static Path cache;
    static Path home;

    @BeforeAll
    static void unpack() throws Exception {
        Path archive = archive("tar.gz");
        ChildProcess.Result tar = ChildProcess.run(new ProcessBuilder("tar", "-xzf",
                archive.toAbsolutePath().toString(), "-C", install.toString()), 120, "tar");
        assertThat(tar.status()).as(tar.err()).isZero();
        String name = archive.getFileName().toString().replaceFirst("\\.tar\\.gz$", "");
        home = install.resolve(name);
        assertThat(home.resolve("bin/clip")).isExecutable();
        assertThat(home.resolve("bin/clip.bat")).isRegularFile();
        assertThat(home.resolve("README.md")).isRegularFile();
        assertThat(home.resolve("LICENSE")).isRegularFile();
        try (Stream<Path> jars = Files.list(home.resolve("lib"))) {
            assertThat(jars.map(p -> p.getFileName().toString()))
                    .anyMatch(n -> n.startsWith("clip-examples-"))
                    .anyMatch(n -> n.startsWith("clip-core-"))
                    .anyMatch(n -> n.startsWith("picocli-"))
                    .anyMatch(n -> n.matches("pytorch-.*-(linux|macosx|windows)-[a-z0-9_]+\\.jar"));   // natives
        }
    }

    /** The single {@code target/clip-<version>.EXT}. */
    private static Path archive(String ext) throws IOException {
        try (Stream<Path> files = Files.list(Path.of("target"))) {
            String pattern = "clip-\\d.*\\." + ext.replace(".", "\\.");
            List<Path> found = files.filter(p -> p.getFileName().toString().matches(pattern)).toList();
            assertThat(found).as("target/clip-<version>.%s, built by the package phase", ext).hasSize(1);
            return found.get(0);
        }
    }

    @Test
    void helpWorksFromAnotherFolder() {
        ChildProcess.Result run = clip(home.resolve("bin/clip"), Map.of(), "--help");
        assertThat(run.status()).as(run.err()).isZero();
        assertThat(run.out()).contains("Usage: clip").contains("tokenize").contains("classify");
    }

    @Test
    void tokenizesThroughASymlinkPassingJavaOpts() throws IOException {
        Path link = Files.createSymbolicLink(Files.createDirectories(elsewhere.resolve("links")).resolve("clip"),
                home.resolve("bin/clip"));
        ChildProcess.Result run = clip(link, Map.of("JAVA_OPTS", "-Dclip4j.bpe=" + Fixtures.bpeVocabulary()),
                "tokenize", "--context-length", "8", "hello");
        assertThat(run.status()).as(run.err()).isZero();
        int[] expected = ClipTokenizer.load(Fixtures.bpeVocabulary()).tokenize(List.of("hello"), 8, false)[0];
        StringBuilder json = new StringBuilder("[");
        for (int i = 0; i < expected.length; i++) {
            json.append(i == 0 ? "" : ",").append(expected[i]);
        }
        assertThat(run.out().strip()).isEqualTo(json.append(']').toString());
        assertThat(run.err()).isEmpty();
    }

    @Test
    void errorsKeepTheOneLineContract() {
        ChildProcess.Result run = clip(home.resolve("bin/clip"), Map.of("JAVA_OPTS", "-Dclip4j.bpe=" + Fixtures.bpeVocabulary()),
                "embed", "--model", "ViT-B/33", "--text", "a cat");
        assertThat(run.status()).isEqualTo(1);
        assertThat(run.out()).isEmpty();
        assertThat(run.err().lines().toList()).hasSize(1);
        assertThat(run.err()).startsWith("clip: error: ").contains("ViT-B/33");
    }

    /**
     * The launcher's class-data sharing: the first successful run of a command writes an archive, the next run maps
     * its classes from it (the JVM's class-load log says so) and prints the same bytes; a damaged archive is
     * ignored without a word on stdout or stderr; a failed run and {@code CLIP4J_CDS=off} write none.
     */
    @Test
    void laterRunsShareTheClassesOfTheFirst() throws IOException {
        Path cds = Files.createDirectories(elsewhere.resolve("cds"));
        Map<String, String> env = Map.of("CLIP4J_CDS", cds.toString(),
                "JAVA_OPTS", "-Dclip4j.bpe=" + Fixtures.bpeVocabulary());
        String[] args = {"tokenize", "--context-length", "8", "a photo of a cat"};

        ChildProcess.Result failed = clip(home.resolve("bin/clip"), env, "tokenize", "--context-length", "0", "x");
        assertThat(failed.status()).isEqualTo(2);
        assertThat(files(cds)).as("a failed run keeps no archive, nor its temporary file").isEmpty();

        ChildProcess.Result first = clip(home.resolve("bin/clip"), env, args);
        assertThat(first.status()).as(first.err()).isZero();
        assertThat(first.err()).isEmpty();
        assertThat(files(cds)).singleElement().asString().matches("tokenize-\\d+\\.jsa");
        Path archive = cds.resolve(files(cds).get(0));

        Path log = elsewhere.resolve("class-load.log");
        ChildProcess.Result second = clip(home.resolve("bin/clip"), Map.of("CLIP4J_CDS", cds.toString(),
                "JAVA_OPTS", "-Dclip4j.bpe=" + Fixtures.bpeVocabulary() + " -Xlog:class+load=info:file=" + log),
                args);
        assertThat(second.status()).as(second.err()).isZero();
        assertThat(second.out()).isEqualTo(first.out());
        assertThat(second.err()).isEmpty();
        assertThat(Files.readString(log)).as("classes of clip4j mapped from the archive")
                .contains("io.github.clip4j.cli.TokenizeCommand source: shared objects file (top)");

        archive.toFile().setWritable(true);
        Files.write(archive, new byte[4096]); // damaged: the JVM refuses it and runs without
        ChildProcess.Result damaged = clip(home.resolve("bin/clip"), env, args);
        assertThat(damaged.status()).as(damaged.err()).isZero();
        assertThat(damaged.out()).isEqualTo(first.out());
        assertThat(damaged.err()).isEmpty();

        Path off = Files.createDirectories(elsewhere.resolve("no-cds"));
        ChildProcess.Result disabled = clip(home.resolve("bin/clip"), Map.of("CLIP4J_CDS", "off",
                "XDG_CACHE_HOME", off.toString(), "JAVA_OPTS", "-Dclip4j.bpe=" + Fixtures.bpeVocabulary()), args);
        assertThat(disabled.out()).isEqualTo(first.out());
        assertThat(files(off)).isEmpty();
    }

    private static List<String> files(Path folder) throws IOException {
        try (Stream<Path> files = Files.walk(folder)) {
            return files.filter(Files::isRegularFile).map(p -> folder.relativize(p).toString()).sorted().toList();
        }
    }

    @Test
    void theZipHasTheSameLayout() throws IOException {
        String name = archive("zip").getFileName().toString().replaceFirst("\\.zip$", "");
        try (ZipFile zip = new ZipFile(archive("zip").toFile())) {
            assertThat(zip.getEntry(name + "/bin/clip")).isNotNull();
            assertThat(zip.getEntry(name + "/bin/clip.bat")).isNotNull();
            assertThat(zip.getEntry(name + "/LICENSE")).isNotNull();
            try (Stream<Path> jars = Files.list(home.resolve("lib"))) {
                jars.forEach(jar -> assertThat(zip.getEntry(name + "/lib/" + jar.getFileName())).as("%s", jar)
                        .isNotNull());
            }
        }
    }


    /** Runs {@code script args...} in {@link #elsewhere}, with this JVM's Java as JAVA_HOME. */
    private static ChildProcess.Result clip(Path script, Map<String, String> env, String... args) {
        List<String> command = new ArrayList<>(List.of(script.toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).directory(elsewhere.toFile());
        builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
        builder.environment().remove("JAVA_OPTS");
        builder.environment().remove("CLIP4J_CDS");
        builder.environment().put("XDG_CACHE_HOME", cache.toString());
        builder.environment().putAll(env);
        return ChildProcess.run(builder, 180, "bin/clip");
    }

}
