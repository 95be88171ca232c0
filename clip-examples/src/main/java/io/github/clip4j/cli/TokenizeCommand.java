package io.github.clip4j.cli;

import io.github.clip4j.Clip;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code clip tokenize [--model M] [--context-length N] [--truncate] [--input FILE] [TEXT...]}: one JSON array of N
 * token ids per text, exactly as the reference's {@code clip.tokenize} (or, for a Chinese-CLIP model,
 * {@code cn_clip.clip.tokenize}: WordPiece, 52 tokens, always truncating).
 *
 * <p>Texts are read, tokenized (in batches, across cores) and written as a stream, in constant memory; a refused
 * text or a bad input line still leaves stdout empty (see {@link #call()}).
 */
@Command(name = "tokenize",
        mixinStandardHelpOptions = true,
        versionProvider = ClipCli.Version.class,
        description = {"Tokenize texts with CLIP's BPE: one line per text, a JSON array of N ints"
                + " (start token, ids, end token, zero padding).",
            "Texts given as arguments come first, then those of --input.",
            "With --model, that model's tokenizer and context length (Chinese-CLIP: WordPiece, 52, always"
                + " truncating); the model itself is not loaded nor downloaded.",
            "The vocabulary is bundled in clip4j; -Dclip4j.bpe or $CLIP4J_BPE name another copy."})
final class TokenizeCommand implements Callable<Integer> {
    @ParentCommand
    private ClipCli cli;

    @Spec
    private CommandLine.Model.CommandSpec spec;

    @Option(names = "--model", paramLabel = "M",
            description = "Tokenize as this model does (a registry name or a checkpoint file): its tokenizer and"
                    + " context length.")
    private String model;

    @Option(names = "--context-length", paramLabel = "N",
            description = "Tokens per text, padding included (default: the model's, 77 without --model).")
    private Integer contextLength;

    @Option(names = "--truncate",
            description = "Cut texts that are too long (the last kept token becomes the end token) instead of"
                    + " failing.")
    private boolean truncate;

    @Option(names = "--input", paramLabel = "FILE", description = "JSON Lines file: one JSON string per line.")
    private Path input;

    @Parameters(paramLabel = "TEXT", arity = "0..*", description = "Texts to tokenize.")
    private List<String> texts = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        if (contextLength != null && contextLength < 1) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "--context-length must be at least 1, not " + contextLength);
        }
        if (texts.isEmpty() && input == null) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "no text to tokenize: give TEXT arguments or --input FILE");
        }
        // Nothing is printed unless every text tokenizes. A regular file is checked first (a cheap streaming
        // pass), so that with --truncate, where no text can be refused, rows go straight to stdout a batch at a
        // time; otherwise they are held back (in memory, beyond 1 MB in a temporary file) until the end.
        boolean checkedFirst = input != null && Files.isRegularFile(input);
        if (checkedFirst) {
            TextSource.check(input);
        }
        PrintWriter out = spec.commandLine().getOut();
        boolean direct = truncate && (input == null || checkedFirst);
        try (TextSource source = TextSource.of(texts, input == null ? TextSource.empty() : TextSource.jsonLines(input));
                DeferredOutput deferred = direct ? null : new DeferredOutput()) {
            JsonOutput json = new JsonOutput(direct ? out : deferred);
            new BatchTokenizer(model != null ? () -> Clip.tokenizerFor(model) : cli::tokenizer, contextLength,
                    truncate).run(source, json);
            json.close();
            if (deferred != null) {
                deferred.commitTo(out);
            }
        }
        out.flush();
        return 0;
    }
}
