package io.github.clip4j.cli;

import io.github.clip4j.Clip;
import io.github.clip4j.ImageDecoding;
import io.github.clip4j.Precision;
import io.github.clip4j.download.DownloadListener;
import io.github.clip4j.tokenizer.ClipTokenizer;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Set;
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
 * {@link CommandLine.ParameterException} (exit 2). Options go to the library unchecked: its builders' and checks'
 * {@link IllegalArgumentException}s are usage errors too (exit 2), so no rule is written twice. {@link CliErrors}
 * turns all of them into the one-line message.
 */
@Command(name = "clip",
        mixinStandardHelpOptions = true,
        versionProvider = ClipCli.Version.class,
        description = "CLIP (Contrastive Language-Image Pre-training) on the JVM. Writes JSON to stdout.")
public final class ClipCli implements Callable<Integer> {
    /**
     * The commands, in the order help lists them. They are added to the command line programmatically rather than
     * in {@code @Command(subcommands)}: a run of one command then builds (reflects over, loads the classes of) that
     * command only, see {@link #commandLine(ClipCli, PrintWriter, PrintWriter, String...)}.
     */
    private static final List<Class<?>> COMMANDS = List.of(TokenizeCommand.class, PreprocessCommand.class,
            EmbedCommand.class, ClassifyCommand.class, IndexCommand.class, SearchCommand.class, ServeCommand.class,
            ExportCommand.class, TrainCommand.class, CommandLine.HelpCommand.class);
    /** The options the top level takes without a value (they may come before the command's name). */
    private static final Set<String> TOP_LEVEL_FLAGS = Set.of("--verbose", "--no-progress");

    @Spec
    private CommandLine.Model.CommandSpec spec;

    @Option(names = "--verbose", scope = ScopeType.INHERIT,
            description = "Log progress to stderr and print stack traces with errors.")
    boolean verbose;

    @Option(names = "--no-progress", scope = ScopeType.INHERIT,
            description = "Draw no progress bar on stderr.")
    boolean noProgress;

    private final Supplier<ClipTokenizer> tokenizerFactory;
    private ClipTokenizer tokenizer;
    private PrintStream progressStream;

    /** The tool as run from the command line: the vocabulary is found as {@link ClipTokenizer#load()} says. */
    public ClipCli() {
        this(ClipTokenizer::load);
    }

    /**
     * The tool with its services replaced, e.g. a tokenizer over a given vocabulary (tests, embedding).
     *
     * @param tokenizerFactory makes the tokenizer on first use, at most once per instance; not null
     */
    public ClipCli(Supplier<ClipTokenizer> tokenizerFactory) {
        this.tokenizerFactory = Objects.requireNonNull(tokenizerFactory, "tokenizerFactory");
    }

    /**
     * Runs the tool and exits the JVM with its status: 0 on success, 2 for a usage error, 1 for any other failure.
     *
     * @param args the command line, e.g. {@code classify --model ViT-B/32 cat.jpg --labels cat,dog}
     */
    public static void main(String[] args) {
        configureLogging(Arrays.asList(args).contains("--verbose"));
        PrintWriter out = new PrintWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8));
        PrintWriter err = new PrintWriter(new OutputStreamWriter(System.err, StandardCharsets.UTF_8), true);
        System.setProperty("java.awt.headless", "true"); // charts and grids are drawn without a display
        ClipCli cli = new ClipCli();
        cli.progressTo(System.err);
        int status;
        try {
            status = commandLine(cli, out, err, args).execute(args);
        } catch (Throwable e) { // NOPMD: the last line of defence of the one-line error contract
            err.println("clip: error: " + (e instanceof Error error ? CliErrors.errorMessage(error, null)
                    : e.getClass().getSimpleName() + ": " + e.getMessage()).replaceAll("\\s*\\R\\s*", " "));
            if (Arrays.asList(args).contains("--verbose")) {
                e.printStackTrace(err);
            }
            status = CliErrors.FAILURE;
        }
        out.flush();
        err.flush();
        System.exit(status);
    }

    /**
     * A picocli command line for {@code cli}, writing to {@code out} and {@code err}, with the tool's error
     * handling; {@code execute(args)} returns the exit status. Tests run commands in-process with it.
     *
     * <pre>{@code
     * StringWriter out = new StringWriter();
     * int status = ClipCli.commandLine(new ClipCli(), new PrintWriter(out), new PrintWriter(System.err))
     *         .execute("tokenize", "a photo of a cat");
     * }</pre>
     *
     * @param cli the tool, not null; it keeps its tokenizer between executions
     * @param out where results go (flush it after {@code execute})
     * @param err where error messages and usage help go
     * @return a configured command line; not thread-safe, one execution at a time
     */
    public static CommandLine commandLine(ClipCli cli, PrintWriter out, PrintWriter err) {
        return commandLine(cli, out, err, COMMANDS);
    }

    /**
     * {@link #commandLine(ClipCli, PrintWriter, PrintWriter)} for running {@code args} only: when they name a
     * command (after any top-level {@code --verbose}/{@code --no-progress}), only that command is built, which
     * saves start-up time (picocli builds every registered command's model eagerly); anything else (help, a
     * version request, a misspelled command) gets every command, so that help and suggestions list them all.
     *
     * @param args the arguments that {@code execute} will be given
     */
    public static CommandLine commandLine(ClipCli cli, PrintWriter out, PrintWriter err, String... args) {
        Class<?> named = null;
        for (String arg : args) {
            if (!TOP_LEVEL_FLAGS.contains(arg)) {
                for (Class<?> command : COMMANDS) {
                    if (command != CommandLine.HelpCommand.class
                            && command.getAnnotation(Command.class).name().equals(arg)) {
                        named = command;
                    }
                }
                break;
            }
        }
        return commandLine(cli, out, err, named == null ? COMMANDS : List.of(named));
    }

    private static CommandLine commandLine(ClipCli cli, PrintWriter out, PrintWriter err, List<Class<?>> commands) {
        CommandLine commandLine = new CommandLine(cli);
        for (Class<?> command : commands) {
            commandLine.addSubcommand(command);
        }
        commandLine.setOut(out)
                .setErr(err)
                .setExpandAtFiles(false) // "@home" is a text to tokenize, not an argument file
                .setCaseInsensitiveEnumValuesAllowed(true);
        CliErrors.install(commandLine);
        return commandLine;
    }

    /**
     * {@return the tokenizer, loaded on first use and shared by the commands of this run}
     *
     * @throws io.github.clip4j.tokenizer.VocabularyException if the default factory finds no vocabulary
     */
    public synchronized ClipTokenizer tokenizer() {
        if (tokenizer == null) {
            tokenizer = tokenizerFactory.get();
        }
        return tokenizer;
    }

    /**
     * Sends progress bars to {@code stream} (the real stderr when run from the command line); without a stream, as
     * in-process by default, no progress is drawn.
     *
     * @param stream where progress bars are drawn, not null; usually {@code System.err}
     * @return this tool
     */
    public ClipCli progressTo(PrintStream stream) {
        this.progressStream = Objects.requireNonNull(stream, "stream");
        return this;
    }

    /**
     * A progress bar for {@code total} items of {@code task}, or {@link Progress#NONE} when progress is off or there
     * is a single item.
     */
    Progress progress(String task, long total) {
        if (progressStream == null || noProgress || total < 2) {
            return Progress.NONE;
        }
        return Progress.start(progressStream, task, total, "", 1);
    }

    /**
     * Loads {@code model} (a released name, a checkpoint file or a Hugging Face folder) as {@code options} say,
     * with this run's tokenizer; a download shows a progress bar.
     *
     * @throws IllegalArgumentException (exit 2) if {@link Clip.Builder} refuses an option, e.g. a blank model name or
     *     a batch size of 0; it does so before anything loads
     */
    Clip loadModel(String model, ModelOptions options) {
        return loadModel(model, options, ImageDecoding.EXACT);
    }

    /** {@link #loadModel(String, ModelOptions)}, decoding image files with {@code decoding} ({@code --decode}). */
    Clip loadModel(String model, ModelOptions options, ImageDecoding decoding) {
        return loadModel(model, options, options.precision, options.batchSize, decoding);
    }

    /**
     * Loads {@code model} on {@code runtime}'s device and threads in {@code precision} (which may differ from
     * {@code runtime}'s, e.g. {@code train} keeps float32 weights), with encoder batches of {@code batchSize}, or
     * the library's default when null.
     */
    Clip loadModel(String model, RuntimeOptions runtime, Precision precision, Integer batchSize) {
        return loadModel(model, runtime, precision, batchSize, ImageDecoding.EXACT);
    }

    private Clip loadModel(String model, RuntimeOptions runtime, Precision precision, Integer batchSize,
            ImageDecoding decoding) {
        Objects.requireNonNull(model, "model");
        Clip.Builder builder = Clip.builder()
                .model(model)
                .decoding(decoding)
                .device(runtime.device)
                .precision(precision);
        if (batchSize != null) {
            builder.batchSize(batchSize);
        }
        if (!io.github.clip4j.internal.loading.ClipLoader.isChineseClip(model)) {
            builder.tokenizer(tokenizer()); // this run's BPE vocabulary; Chinese-CLIP takes its own WordPiece one
        }
        // Always set: Clip then splits the cores between libtorch and the matrix library the fastest way.
        builder.threads(runtime.threads != null ? runtime.threads : Runtime.getRuntime().availableProcessors());
        try (DownloadProgress download = new DownloadProgress()) {
            return builder.progress(download).build();
        }
    }

    /** {@return whether {@code --verbose} was given} */
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

    /** A byte-counting progress bar, started by the first chunk of a download (a cached model draws nothing). */
    private final class DownloadProgress implements DownloadListener, AutoCloseable {
        private Progress bar;

        @Override
        public synchronized void onProgress(String name, long bytesDone, long bytesTotal) {
            if (bar == null) {
                if (progressStream == null || noProgress) {
                    bar = Progress.NONE;
                } else {
                    bar = Progress.start(progressStream, "Downloading " + name, Math.max(bytesTotal, 0), "MiB",
                            1 << 20);
                }
            }
            if (bytesTotal > 0) {
                bar.maxHint(bytesTotal);
            }
            bar.stepTo(bytesDone);
        }

        @Override
        public synchronized void close() {
            if (bar != null) {
                bar.close();
            }
        }
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
