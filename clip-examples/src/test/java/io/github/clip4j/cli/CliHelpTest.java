package io.github.clip4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.reflect.Field;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** Every command's {@code --help} renders cleanly: no {@code [picocli WARN]} (e.g. an unescaped {@code %}). */
class CliHelpTest {

    /** The command paths: {@code clip} itself and each subcommand, found in the command tree. */
    private static List<List<String>> commands() {
        List<List<String>> out = new ArrayList<>();
        out.add(List.of());
        CommandLine root = ClipCli.commandLine(new ClipCli(CliFixtures::tokenizer),
                new java.io.PrintWriter(new java.io.StringWriter()), new java.io.PrintWriter(new java.io.StringWriter()));
        root.getSubcommands().keySet().forEach(name -> out.add(List.of(name)));
        return out;
    }

    @Test
    void everyCommandsHelpHasNoPicocliWarning() throws Exception {
        List<List<String>> commands = commands();
        assertThat(commands).extracting(c -> c.isEmpty() ? "" : c.get(0))
                .contains("train", "search", "index", "classify", "embed");
        // picocli's tracer writes its warnings to the System.err it saw when it started, not to the command's
        // writers: point it at a buffer for the duration.
        Object tracer = CommandLine.tracer();
        Field stream = tracer.getClass().getDeclaredField("stream");
        stream.setAccessible(true);
        PrintStream original = (PrintStream) stream.get(tracer);
        ByteArrayOutputStream traced = new ByteArrayOutputStream();
        PrintStream systemErr = System.err;
        PrintStream systemOut = System.out;
        ByteArrayOutputStream system = new ByteArrayOutputStream();
        PrintStream capture = new PrintStream(traced, true, StandardCharsets.UTF_8);
        PrintStream systemCapture = new PrintStream(system, true, StandardCharsets.UTF_8);
        stream.set(tracer, capture);
        System.setErr(systemCapture);
        System.setOut(systemCapture);
        try {
            for (List<String> command : commands) {
                List<String> args = new ArrayList<>(command);
                args.add("--help");
                CliRun run = CliFixtures.clip(args.toArray(String[]::new));
                assertThat(run.status()).as("clip %s", args).isZero();
                assertThat(run.out()).as("clip %s", args).contains("Usage:").doesNotContain("picocli WARN");
                assertThat(run.err()).as("clip %s", args).doesNotContain("picocli WARN");
                capture.flush();
                systemCapture.flush();
                assertThat(traced.toString(StandardCharsets.UTF_8)).as("picocli's tracer, clip %s", args)
                        .doesNotContain("[picocli WARN]");
                assertThat(system.toString(StandardCharsets.UTF_8)).as("System.err/out, clip %s", args)
                        .doesNotContain("[picocli WARN]");
            }
        } finally {
            stream.set(tracer, original);
            System.setErr(systemErr);
            System.setOut(systemOut);
        }
    }

    @Test
    void trainsHelpShowsThePercentAndTheModelRuntimeOptions() {
        CliRun run = CliFixtures.clip("train", "--help");
        assertThat(run.status()).isZero();
        assertThat(run.out()).contains("5% of the steps").contains("--precision").contains("--device")
                .contains("--threads").contains("--batch-size");
    }
}
