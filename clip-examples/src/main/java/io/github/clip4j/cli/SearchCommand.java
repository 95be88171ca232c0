package io.github.clip4j.cli;

import io.github.clip4j.Clip;
import io.github.clip4j.examples.chart.ResultGrid;
import io.github.clip4j.hub.UnknownModelException;
import io.github.clip4j.retrieval.ImageIndex;
import io.github.clip4j.retrieval.IndexException;
import io.github.clip4j.retrieval.SearchHit;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code clip search --index FILE [--model M] (--text Q | --image PATH) [--top K]
 * [--grid OUT.png [--font FILE]]}: the indexed
 * images closest to a text or an example image, best first.
 *
 * <p>Without {@code --model} the model is the one that built the index: its id is {@code NAME#FINGERPRINT}, where
 * NAME is the released name or the checkpoint's file (or folder) name. A file name is looked for beside the index
 * file, then in the working folder; the fingerprint must match in any case.
 */
@Command(name = "search",
        mixinStandardHelpOptions = true,
        versionProvider = ClipCli.Version.class,
        description = {"Find the indexed images closest to a text or an example image (see 'clip index').",
            "Prints one JSON array:",
            "[{\"path\": P, \"score\": s}], best first; score = cosine similarity with the query.",
            "Without --model, the model that built the index is used: a released name, or a checkpoint whose file"
                    + " name the index records, found beside the index file or in the working folder."})
final class SearchCommand implements Callable<Integer> {
    /** Results unless {@code --top} says otherwise. */
    static final int DEFAULT_TOP = 10;

    @ParentCommand
    private ClipCli cli;

    @Spec
    private CommandLine.Model.CommandSpec spec;

    @Option(names = "--index", paramLabel = "FILE", required = true, description = "The index file to search.")
    private Path index;

    @Option(names = "--model", paramLabel = "M",
            description = "The model that built the index (default: the one the index names).")
    private String model;

    @ArgGroup(exclusive = true, multiplicity = "1")
    private Query query;

    @Option(names = "--top", paramLabel = "K", defaultValue = "" + DEFAULT_TOP,
            description = "How many results (default: ${DEFAULT-VALUE}).")
    private int top;

    @Option(names = "--grid", paramLabel = "OUT.png", description = "Also draw the results as a grid of thumbnails.")
    private Path grid;

    @Option(names = "--font", paramLabel = "FILE",
            description = "A font file (TTF, OTF or TTC) to draw the --grid with, e.g. for Chinese or Japanese text"
                    + " when no CJK font is installed.")
    private Path font;

    @Mixin
    private ModelOptions options;

    /** What to look for. */
    static final class Query {
        @Option(names = "--text", paramLabel = "Q", required = true, description = "A description, e.g. \"a red car\".")
        String text;

        @Option(names = "--image", paramLabel = "PATH", required = true,
                description = "An example image: find similar ones.")
        Path image;
    }

    @Override
    public Integer call() {
        if (font != null && grid == null) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "--font is for the grid: give --grid OUT.png too");
        }
        java.awt.Font gridFont = Pictures.font(font);
        String indexModelId = ImageIndex.modelIdOf(index);
        List<SearchHit> hits;
        try (Clip clip = loadModel(indexModelId);
             ImageIndex imageIndex = ImageIndex.open(index, clip, options.batchSize)) {
            hits = query.text != null ? imageIndex.search(query.text, top) : imageIndex.search(query.image, top);
        }
        if (grid != null) {
            String title = query.text != null ? query.text : "like " + query.image.getFileName();
            Pictures.write(grid, png -> ResultGrid.write(title, hits, png, gridFont));
        }
        PrintWriter out = spec.commandLine().getOut();
        Json.println(out, Json.hits(hits));
        out.flush();
        return 0;
    }

    /** {@code --model}, or the model named in the index's id. */
    private Clip loadModel(String indexModelId) {
        return loadModel(cli, index, indexModelId, model, options);
    }

    /**
     * The model to search {@code index} with (shared with {@code serve}): {@code model} if given, else the one named
     * in the index's id {@code indexModelId}, looked for beside the index file, then as a released name or a path
     * from the working folder.
     */
    static Clip loadModel(ClipCli cli, Path index, String indexModelId, String model, ModelOptions options) {
        if (model != null) {
            return cli.loadModel(model, options);
        }
        int hash = indexModelId.lastIndexOf('#');
        String name = hash > 0 ? indexModelId.substring(0, hash) : indexModelId;
        Path folder = index.toAbsolutePath().getParent();
        Path besideIndex = folder == null ? null : folder.resolve(name);
        String located = besideIndex != null && Files.exists(besideIndex) ? besideIndex.toString() : name;
        try {
            return cli.loadModel(located, options);
        } catch (UnknownModelException e) {
            throw new IndexException("image index " + index + " was built with model \"" + name + "\" (id "
                    + indexModelId + "), which is neither a released model nor a file beside the index or in the"
                    + " working folder; pass --model with that checkpoint's path");
        }
    }
}
