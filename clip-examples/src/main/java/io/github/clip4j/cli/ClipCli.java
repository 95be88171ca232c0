package io.github.clip4j.cli;

import io.github.clip4j.tokenizer.ClipTokenizer;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/**
 * The {@code clip} command-line tool: {@code java -jar clip.jar COMMAND [OPTIONS]}.
 *
 * <p>The contract (see the project's DESIGN.md) is fixed: JSON on stdout and nothing else; logs and progress on
 * stderr; on failure exit status 1 (2 for bad usage) and exactly one line on stderr starting {@code clip: error:}
 * that names the problem and the input, with the stack trace only under {@code --verbose}.
 *
 * <p>A command is a class annotated with {@code @Command}, listed in {@code subcommands} below; it reaches shared
 * services (such as {@link #tokenizer()}) through {@code @ParentCommand ClipCli cli}, writes its JSON with
 * {@link Json}, and reports bad input by throwing a {@link io.github.clip4j.common.ClipException} (exit 1) or a
 * {@link CommandLine.ParameterException} (exit 2). {@link CliErrors} turns both into the one-line message.
 */
@Command(name = "clip",
        mixinStandardHelpOptions = true,
        versionProvider = ClipCli.Version.class,
        description = "CLIP (Contrastive Language-Image Pre-training) on the JVM. Writes JSON to stdout.",
        subcommands = {TokenizeCommand.class, CommandLine.HelpCommand.class})
public final class ClipCli implements Callable<Integer> {
    @Spec
    private CommandLine.Model.CommandSpec spec;

    @Option(names = "--verbose", scope = ScopeType.INHERIT,
            description = "Log progress to stderr and print stack traces with errors.")
    boolean verbose;

    private final Supplier<ClipTokenizer> tokenizerFactory;
    private ClipTokenizer tokenizer;

    /** The tool as run from the command line: the vocabulary is found as {@link ClipTokenizer#load()} says. */
    public ClipCli() {
        this(ClipTokenizer::load);
    }

    /** The tool with its services replaced, e.g. a tokenizer over a given vocabulary (tests, embedding). */
    public ClipCli(Supplier<ClipTokenizer> tokenizerFactory) {
        this.tokenizerFactory = Objects.requireNonNull(tokenizerFactory, "tokenizerFactory");
    }

    /** Runs the tool and exits with its status. */
    public static void main(String[] args) {
        configureLogging(Arrays.asList(args).contains("--verbose"));
        PrintWriter out = new PrintWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8));
        PrintWriter err = new PrintWriter(new OutputStreamWriter(System.err, StandardCharsets.UTF_8), true);
        int status = commandLine(new ClipCli(), out, err).execute(args);
        out.flush();
        err.flush();
        System.exit(status);
    }

    /**
     * A picocli command line for {@code cli}, writing to {@code out} and {@code err}, with the tool's error
     * handling; {@code execute(args)} returns the exit status. Tests run commands in-process with it.
     */
    public static CommandLine commandLine(ClipCli cli, PrintWriter out, PrintWriter err) {
        CommandLine commandLine = new CommandLine(cli)
                .setOut(out)
                .setErr(err)
                .setExpandAtFiles(false) // "@home" is a text to tokenize, not an argument file
                .setCaseInsensitiveEnumValuesAllowed(true);
        CliErrors.install(commandLine);
        return commandLine;
    }

    /** The tokenizer, loaded on first use and shared by the commands of this run. */
    public synchronized ClipTokenizer tokenizer() {
        if (tokenizer == null) {
            tokenizer = tokenizerFactory.get();
        }
        return tokenizer;
    }

    /** Whether {@code --verbose} was given. */
    public boolean verbose() {
        return verbose;
    }

    /** {@code clip} without a command is a usage error. */
    @Override
    public Integer call() {
        throw new CommandLine.ParameterException(spec.commandLine(),
                "missing command: one of " + String.join(", ", spec.subcommands().keySet()));
    }

    /**
     * Library logs go to stderr; below WARN only with {@code --verbose}, so that a failing run prints exactly one
     * line. Must run before the first logger exists.
     */
    private static void configureLogging(boolean verbose) {
        System.setProperty("org.slf4j.simpleLogger.logFile", "System.err");
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", verbose ? "info" : "warn");
        java.util.logging.Logger.getLogger("").setLevel(verbose ? java.util.logging.Level.INFO
                : java.util.logging.Level.WARNING);
    }

    /** The version from the jar's manifest. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = ClipCli.class.getPackage().getImplementationVersion();
            return new String[] {"clip4j " + (version == null ? "(development build)" : version)};
        }
    }
}
