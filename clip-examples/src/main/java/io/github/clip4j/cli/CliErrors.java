package io.github.clip4j.cli;

import io.github.clip4j.common.ClipException;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.ParseResult;

/**
 * Turns every failure into the tool's error contract: one line {@code clip: error: ...} on stderr, exit status 1
 * for failures and 2 for bad usage, the stack trace only with {@code --verbose}.
 */
final class CliErrors {
    /** A failure: bad input, a missing resource, a refused text. */
    static final int FAILURE = 1;
    /** A command line that cannot be understood. */
    static final int USAGE = 2;

    private CliErrors() {}

    static void install(CommandLine commandLine) {
        commandLine.setParameterExceptionHandler((e, args) -> {
            CommandLine command = e.getCommandLine();
            String help = command.getCommandSpec().qualifiedName() + " --help";
            report(command.getErr(), e.getMessage() + " (see '" + help + "')", e,
                    verbose(command.getParseResult()));
            return USAGE;
        });
        commandLine.setExecutionExceptionHandler((e, command, parseResult) -> {
            if (e instanceof CommandLine.ParameterException) {
                return command.getParameterExceptionHandler().handleParseException(
                        (CommandLine.ParameterException) e, new String[0]);
            }
            report(command.getErr(), message(e), e, verbose(parseResult));
            return FAILURE;
        });
    }

    /** Our exceptions carry a message for users; anything else is named by its type as well. */
    private static String message(Exception e) {
        if (e instanceof ClipException && e.getMessage() != null) {
            return e.getMessage();
        }
        return e.getMessage() == null ? e.toString() : e.getClass().getSimpleName() + ": " + e.getMessage();
    }

    private static void report(PrintWriter err, String message, Exception e, boolean verbose) {
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
