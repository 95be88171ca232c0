package io.github.clip4j.cli;

import io.github.clip4j.common.ClipException;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.ParseResult;

/**
 * Turns every failure into the tool's error contract: one line {@code clip: error: ...} on stderr, exit status 1
 * for failures and 2 for bad usage, the stack trace only with {@code --verbose}.
 *
 * <p>Bad usage is what picocli refuses while parsing, a {@link CommandLine.ParameterException} a command throws, and
 * an {@link IllegalArgumentException} from the library: the commands hand their options to the library's builders
 * and checks unchanged (e.g. {@code Clip.Builder.batchSize}, {@code ZeroShotClassifier.checkLabels}), so the rules
 * live in one place, and this is the one place that makes their refusals usage errors.
 */
final class CliErrors {
    /** A failure: bad input, a missing resource, a refused text. */
    static final int FAILURE = 1;
    /** A command line that cannot be understood. */
    static final int USAGE = 2;

    private CliErrors() {}

    static void install(CommandLine commandLine) {
        CommandLine.IExecutionStrategy strategy = commandLine.getExecutionStrategy();
        commandLine.setExecutionStrategy(parseResult -> {
            try {
                return strategy.execute(parseResult);
            } catch (Error e) {
                // picocli hands only Exceptions to the handler below; an Error would escape with its stack trace
                report(commandLine.getErr(), errorMessage(e, parseResult), e, verbose(parseResult));
                return FAILURE;
            }
        });
        commandLine.setParameterExceptionHandler((e, args) -> usage(e.getCommandLine(), e.getMessage(), e));
        commandLine.setExecutionExceptionHandler((e, command, parseResult) -> {
            if (e instanceof CommandLine.ParameterException p) {
                return usage(p.getCommandLine(), p.getMessage(), p);
            }
            if (e instanceof IllegalArgumentException) {
                return usage(command, e.getMessage() == null ? e.toString() : e.getMessage(), e);
            }
            report(command.getErr(), message(e), e, verbose(parseResult));
            return FAILURE;
        });
    }

    /** A usage error of {@code command}: what is wrong, and where its help is. */
    private static int usage(CommandLine command, String message, Exception e) {
        String help = command.getCommandSpec().qualifiedName() + " --help";
        report(command.getErr(), withoutErrorPrefix(message) + " (see '" + help + "')", e,
                verbose(command.getParseResult()));
        return USAGE;
    }

    /**
     * Some picocli messages start with "Error: " (e.g. "Error: Missing required argument(s): ..."), which after our
     * own prefix would read "clip: error: Error: ...".
     */
    private static String withoutErrorPrefix(String message) {
        return message.regionMatches(true, 0, "Error: ", 0, 7) ? message.substring(7) : message;
    }

    /**
     * An {@link Error} that escaped a command (input bounds are checked, so this is the last line of defence):
     * what ran out and what to do, in one line.
     */
    static String errorMessage(Error e, ParseResult parseResult) {
        String command = "clip";
        for (ParseResult r = parseResult == null ? null : parseResult.subcommand(); r != null; r = r.subcommand()) {
            command += " " + r.commandSpec().name();
        }
        if (e instanceof OutOfMemoryError) {
            return "out of memory in '" + command + "' (" + e.getMessage() + "): an input is too large for the"
                    + " Java heap; use smaller inputs or give the JVM more memory (java -Xmx...)";
        }
        if (e instanceof StackOverflowError) {
            return "stack overflow in '" + command + "': an input is nested too deeply to process";
        }
        return "internal error in '" + command + "': " + e.getClass().getSimpleName()
                + (e.getMessage() == null ? "" : ": " + e.getMessage()) + " (run with --verbose for details)";
    }

    /** Our exceptions carry a message for users; anything else is named by its type as well. */
    private static String message(Exception e) {
        if (e instanceof ClipException && e.getMessage() != null) {
            return e.getMessage();
        }
        return e.getMessage() == null ? e.toString() : e.getClass().getSimpleName() + ": " + e.getMessage();
    }

    private static void report(PrintWriter err, String message, Throwable e, boolean verbose) {
        err.println("clip: error: " + oneLine(message));
        if (verbose) {
            e.printStackTrace(err);
        }
        err.flush();
    }

    private static String oneLine(String message) {
        return message.replaceAll("\\s*\\R\\s*", " ").strip();
    }

    /** Whether {@code --verbose} was given at any level of the command line. */
    private static boolean verbose(ParseResult result) {
        for (ParseResult r = result; r != null; r = r.subcommand()) {
            if (r.hasMatchedOption("--verbose")) {
                return true;
            }
        }
        return false;
    }
}
