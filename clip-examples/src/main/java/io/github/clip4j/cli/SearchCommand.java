package io.github.clip4j.cli;

import io.github.clip4j.Clip;
import io.github.clip4j.Embedding;
import io.github.clip4j.examples.chart.ResultGrid;
import io.github.clip4j.retrieval.ImageIndex;
import io.github.clip4j.retrieval.IndexException;
import io.github.clip4j.retrieval.SearchHit;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
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
 * {@code clip search --index FILE [--model M] (--text Q | --image PATH [--no-exclude-query]) [--top K]
 * [--grid OUT.png [--font FILE]]}: the indexed
 * images closest to a text or an example image, best first. An example image that is itself in the index is left
 * out of its results (compared by real path) unless {@code --no-exclude-query}. The grid's captions are the hits'
 * paths relative to their indexed folder.
 *
 * <p>Without {@code --model}: an index file is untrusted input, so the model id it records ({@code NAME#FINGERPRINT})
 * is a label to compare, never a path to open or a model to download. The one model used without {@code --model}
 * is a checkpoint file called NAME (a plain file name) lying in the index file's own folder (symbolic links
 * resolved: its real path must be in that folder too), and its weights' fingerprint must match. Anything else (a
 * released name, a path, a folder) is refused with a message that names the index's model and says to pass
 * {@code --model}.
 */
@Command(name = "search",
        mixinStandardHelpOptions = true,
        versionProvider = ClipCli.Version.class,
        description = {"Find the indexed images closest to a text or an example image (see 'clip index').",
            "Prints one JSON array:",
            "[{\"path\": P, \"score\": s}], best first; score = cosine similarity with the query.",
            "Without --model, the only model used is a checkpoint file beside the index file with the name the index"
                    + " records (and the same weights); otherwise pass --model (e.g. a released name such as"
                    + " ViT-B/32, which is then downloaded if needed)."})
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
            description = "The model that built the index (default: the checkpoint file the index names, if it lies"
                    + " beside the index file).")
    private String model;

    @ArgGroup(exclusive = true, multiplicity = "1")
    private Query query;

    @Option(names = "--top", paramLabel = "K", defaultValue = "" + DEFAULT_TOP,
            description = "How many results (default: ${DEFAULT-VALUE}).")
    private int top;

    @Option(names = "--filter", paramLabel = "CRITERION",
            description = "Only images passing this criterion (repeatable, all must hold): dir=FOLDER (under that"
                    + " folder), after=YYYY-MM-DD or an ISO instant (modified at or after), type=EXT[,EXT...].")
    private List<String> filters = new ArrayList<>();

    @Option(names = "--grid", paramLabel = "OUT.png", description = "Also draw the results as a grid of thumbnails.")
    private Path grid;

    @Option(names = "--font", paramLabel = "FILE",
            description = "A font file (TTF, OTF or TTC) to draw the --grid with, e.g. for Chinese or Japanese text"
                    + " when no CJK font is installed.")
    private Path font;

    @Option(names = "--exclude-query", negatable = true, defaultValue = "true", fallbackValue = "true",
            arity = "0..1", paramLabel = "BOOL",
            description = "With --image: leave the query image itself out of the results when it is in the index"
                    + " (default: on; --no-exclude-query keeps it). Files are compared by real path.")
    private boolean excludeQuery;

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
        ImageIndex.checkK(top); // the library's rule, before any model loads
        if (grid != null) {
            OutputFolder.require(grid, "--grid");
        }
        java.awt.Font gridFont = Pictures.font(font);
        io.github.clip4j.retrieval.SearchFilter filter = io.github.clip4j.retrieval.SearchFilter.ANY;
        for (String criterion : filters) {
            filter = filter.with(criterion);
        }
        String indexModelId = ImageIndex.modelIdOf(index);
        List<SearchHit> hits;
        List<Path> folders;
        try (Clip clip = loadModel(indexModelId);
             ImageIndex imageIndex = ImageIndex.open(index, clip, options.batchSize)) {
            folders = imageIndex.folders();
            try {
                hits = query.text != null ? imageIndex.search(query.text, top, filter)
                        : excludeQuery
                                ? searchWithout(imageIndex, clip.embedImage(query.image), query.image, top, filter)
                        : imageIndex.search(query.image, top, filter);
            } catch (IllegalArgumentException e) {
                // --top was checked before loading: what is left is a query embedding that cannot be normalized
                throw new ModelOutputException("the model gave unusable features for " + (query.text != null
                        ? "--text " + Json.toJson(query.text) : "--image " + query.image) + " (" + e.getMessage()
                        + "); its weights are probably broken");
            }
        }
        if (grid != null) {
            String title = query.text != null ? query.text : "like " + query.image.getFileName();
            Pictures.write(grid, png -> ResultGrid.write(title, hits, png, gridFont, folders));
        }
        for (SearchHit hit : hits) {
            if (!Float.isFinite(hit.score())) {
                throw new IndexException("the model gave a non-finite score (" + hit.score() + ") for "
                        + (query.text != null ? "--text " + Json.toJson(query.text) : "--image " + query.image)
                        + " against " + hit.path() + "; the model's weights are probably broken");
            }
        }
        PrintWriter out = spec.commandLine().getOut();
        Json.println(out, Json.hits(hits));
        out.flush();
        return 0;
    }

    /**
     * The {@code top} hits for {@code embedding} (the embedding of the image file {@code image}) other than
     * {@code image} itself: hits whose real path is {@code image}'s are left out (more are asked for until
     * {@code top} others are found or the index has no more).
     */
    static List<SearchHit> searchWithout(ImageIndex index, Embedding embedding, Path image, int top,
            io.github.clip4j.retrieval.SearchFilter filter) {
        Path self = realPath(image);
        if (self == null) {
            return index.search(embedding, top, filter);
        }
        int excluded = 0;
        while (true) {
            int ask = (int) Math.min(Integer.MAX_VALUE, (long) top + excluded + 1);
            List<SearchHit> found = index.search(embedding, ask, filter);
            List<SearchHit> kept = new ArrayList<>(Math.min(top, found.size()));
            excluded = 0;
            for (SearchHit hit : found) {
                if (self.equals(realPath(hit.path()))) {
                    excluded++;
                } else if (kept.size() < top) {
                    kept.add(hit);
                }
            }
            if (kept.size() >= top || found.size() < ask || ask == Integer.MAX_VALUE) {
                return kept;
            }
        }
    }

    /** {@code path}'s real path (symbolic links resolved), or null if it has none (e.g. the file is gone). */
    private static Path realPath(Path path) {
        try {
            return path.toRealPath();
        } catch (java.io.IOException | SecurityException e) {
            return null;
        }
    }

    /** {@code --model}, or the checkpoint file beside the index that the index's id names. */
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
        Path beside = besideIndex(index, ImageIndex.modelName(indexModelId));
        if (beside == null) {
            throw new IndexException("image index " + index + " was built with model \""
                    + abbreviate(ImageIndex.modelName(indexModelId)) + "\" (id " + abbreviate(indexModelId)
                    + "); pass --model with that model (a released name, a checkpoint file or a Hugging Face"
                    + " folder): without --model, search only uses a checkpoint file of that name beside the index");
        }
        return cli.loadModel(beside.toString(), options);
    }

    /**
     * The checkpoint file {@code name} in the index file's folder, or null: {@code name} must be a plain file name
     * (no separator, not {@code .} or {@code ..}) of a regular file whose real path is in the index's real folder.
     */
    private static Path besideIndex(Path index, String name) {
        if (name.isEmpty() || name.equals(".") || name.equals("..") || name.indexOf('/') >= 0
                || name.indexOf('\\') >= 0 || name.indexOf('\0') >= 0 || name.indexOf(':') >= 0) {
            return null;
        }
        try {
            Path folder = index.toAbsolutePath().getParent();
            if (folder == null) {
                return null;
            }
            Path candidate = folder.resolve(name);
            if (!Files.isRegularFile(candidate)) {
                return null;
            }
            Path real = candidate.toRealPath();
            return folder.toRealPath().equals(real.getParent()) ? real : null;
        } catch (java.io.IOException | java.nio.file.InvalidPathException e) {
            return null;
        }
    }

    /** A name from an untrusted file, shortened for an error message. */
    private static String abbreviate(String text) {
        return text.length() <= 120 ? text : text.substring(0, 120) + "...";
    }
}
