package io.github.clip4j.cli;

import io.github.clip4j.tokenizer.ClipTokenizer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.function.Supplier;

/** The outcome of one in-process run of the {@code clip} tool. */
record CliRun(int status, String out, String err) {

    /** Runs {@code clip args...} in-process with the given tokenizer source, capturing both streams. */
    static CliRun run(Supplier<ClipTokenizer> tokenizer, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int status = ClipCli.commandLine(new ClipCli(tokenizer), new PrintWriter(out), new PrintWriter(err))
                .execute(args);
        return new CliRun(status, out.toString(), err.toString());
    }

    List<String> outLines() {
        return out.lines().toList();
    }

    List<String> errLines() {
        return err.lines().toList();
    }
}
