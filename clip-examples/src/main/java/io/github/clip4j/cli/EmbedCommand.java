package io.github.clip4j.cli;

import io.github.clip4j.Clip;
import io.github.clip4j.Embedding;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code clip embed --model M [--image PATH]... [--text T]... [--text-file FILE] [--raw]}: the embeddings of images
 * and texts in one JSON object, L2-normalized unless {@code --raw}.
 *
 * <p>Everything is embedded before anything is printed, so a bad image leaves stdout empty.
 */
@Command(name = "embed",
        mixinStandardHelpOptions = true,
        versionProvider = ClipCli.Version.class,
        description = {"Embed images and texts into CLIP's joint space (one vector each).",
            "Prints one JSON object:",
            "{\"model\": M, \"dim\": D, \"images\": [{\"path\": P, \"embedding\": [...]}],"
                    + " \"texts\": [{\"text\": T, \"embedding\": [...]}]}",
            "Embeddings are L2-normalized (dot product = cosine similarity) unless --raw. Texts longer than the"
                    + " model's context are truncated (the reference's truncate=True)."})
final class EmbedCommand implements Callable<Integer> {
    @ParentCommand
    private ClipCli cli;

    @Spec
    private CommandLine.Model.CommandSpec spec;

    @Mixin
    private ModelName model;

    @Option(names = "--image", paramLabel = "PATH", description = "An image file to embed (repeatable).")
    private List<Path> images = new ArrayList<>();

    @Option(names = "--text", paramLabel = "T", description = "A text to embed (repeatable).")
    private List<String> texts = new ArrayList<>();

    @Option(names = "--text-file", paramLabel = "FILE",
            description = "More texts, after those of --text: one text per line (UTF-8, blank lines skipped), or"
                    + " one JSON string per line if FILE ends in .jsonl (for texts with line breaks).")
    private Path textFile;

    @Option(names = "--raw", description = "Print the encoders' raw features instead of normalized embeddings.")
    private boolean raw;

    @Mixin
    private ModelOptions options;

    @Override
    public Integer call() {
        List<String> allTexts = new ArrayList<>(texts);
        if (textFile != null) {
            allTexts.addAll(TextFiles.read(textFile));
        }
        if (images.isEmpty() && allTexts.isEmpty()) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "nothing to embed: give --image, --text or --text-file");
        }
        Map<String, Object> result = new LinkedHashMap<>();
        try (Clip clip = cli.loadModel(model.value, options)) {
            float[][] imageRows = imageFeatures(clip, images);
            float[][] textRows = allTexts.isEmpty() ? new float[0][] : clip.textFeatures(allTexts);
            result.put("model", model.value);
            result.put("dim", clip.dimension());
            List<String> paths = images.stream().map(Path::toString).toList();
            for (int i = 0; i < imageRows.length; i++) {
                ModelOutputException.requireUsable(imageRows[i], model.value, "image " + paths.get(i));
            }
            for (int i = 0; i < textRows.length; i++) {
                ModelOutputException.requireUsable(textRows[i], model.value, "text " + i + " "
                        + Json.toJson(abbreviate(allTexts.get(i))));
            }
            result.put("images", entries("path", paths, imageRows));
            result.put("texts", entries("text", allTexts, textRows));
        }
        PrintWriter out = spec.commandLine().getOut();
        Json.println(out, result);
        out.flush();
        return 0;
    }

    /** The raw image features, a batch at a time so that the progress bar moves. */
    private float[][] imageFeatures(Clip clip, List<Path> paths) {
        try (Progress progress = cli.progress("Embedding", paths.size() > options.batchSize ? paths.size() : 0)) {
            return options.inBatches(paths, progress, batch -> Arrays.asList(clip.imageFeatures(batch)))
                    .toArray(float[][]::new);
        }
    }

    private static String abbreviate(String text) {
        return text.length() <= 80 ? text : text.substring(0, 80) + "...";
    }

    private List<Map<String, Object>> entries(String key, List<String> names, float[][] rows) {
        List<Map<String, Object>> entries = new ArrayList<>(rows.length);
        for (int i = 0; i < rows.length; i++) {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put(key, names.get(i));
            entry.put("embedding", raw ? rows[i] : Embedding.normalize(rows[i]).toArray());
            entries.add(entry);
        }
        return entries;
    }
}
