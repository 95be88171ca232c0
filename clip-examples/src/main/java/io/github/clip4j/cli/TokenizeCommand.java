package io.github.clip4j.cli;

import io.github.clip4j.Clip;
import io.github.clip4j.tokenizer.TextTokenizer;
import java.io.PrintWriter;
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
 * <p>Every text is tokenized before anything is printed, so a refused text leaves stdout empty.
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
    public Integer call() {
        if (contextLength != null && contextLength < 1) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "--context-length must be at least 1, not " + contextLength);
        }
        if (texts.isEmpty() && input == null) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "no text to tokenize: give TEXT arguments or --input FILE");
        }
        List<String> all = new ArrayList<>(texts);
        if (input != null) {
            all.addAll(Json.readStringLines(input));
        }
        TextTokenizer tokenizer = model != null ? Clip.tokenizerFor(model) : cli.tokenizer();
        int length = contextLength != null ? contextLength : tokenizer.contextLength();
        int[][] rows = tokenizer.tokenize(all, length, truncate);
        PrintWriter out = spec.commandLine().getOut();
        for (int[] row : rows) {
            Json.println(out, row);
        }
        out.flush();
        return 0;
    }
}
