package io.github.clip4j.cli;

import com.fasterxml.jackson.core.JsonGenerator;
import io.github.clip4j.Clip;
import io.github.clip4j.Embedding;
import io.github.clip4j.ImageDecoding;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
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
 * <p>Inputs are embedded a batch at a time and written as they come (texts of {@code --text-file} are read as a
 * stream), so memory does not grow with the number of inputs; the output is held back until the end (beyond 1 MB
 * in a temporary file, see {@link DeferredOutput}), so a bad image still leaves stdout empty.
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
    /** Time spent formatting and writing JSON (the {@code --verbose} profile). */
    private long writingNanos;
    private long index;

    /** Texts read from {@code --text-file} and embedded per step: the encoder batches them further. */
    private static final int TEXT_BATCH = 256;

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

    @Mixin
    private DecodeOption decode;

    @Override
    public Integer call() throws IOException {
        long started = System.nanoTime();
        try (TextSource textSource = TextSource.of(texts,
                textFile == null ? TextSource.empty() : TextSource.textFile(textFile))) {
            List<String> firstTexts = textSource.next(TEXT_BATCH);
            if (images.isEmpty() && firstTexts.isEmpty()) {
                throw new CommandLine.ParameterException(spec.commandLine(),
                        "nothing to embed: give --image, --text or --text-file");
            }
            try (Clip clip = cli.loadModel(model.value, options, decode.orDefault(ImageDecoding.EXACT));
                    DeferredOutput deferred = new DeferredOutput()) {
                JsonOutput json = new JsonOutput(deferred);
                JsonGenerator generator = json.generator();
                generator.writeStartObject();
                generator.writeStringField("model", model.value);
                generator.writeNumberField("dim", clip.dimension());
                generator.writeArrayFieldStart("images");
                writeImages(clip, json);
                generator.writeEndArray();
                generator.writeArrayFieldStart("texts");
                index = 0;
                for (List<String> batch = firstTexts; !batch.isEmpty(); batch = textSource.next(TEXT_BATCH)) {
                    float[][] rows = clip.textFeatures(batch);
                    for (int i = 0; i < rows.length; i++, index++) {
                        String text = batch.get(i);
                        long at = index;
                        entry(json, "text", text, rows[i],
                                () -> "text " + at + " " + Json.toJson(abbreviate(text)));
                    }
                    flush(json);
                }
                generator.writeEndArray();
                generator.writeEndObject();
                json.newline();
                json.close();
                long commit = System.nanoTime();
                deferred.commitTo(spec.commandLine().getOut());
                writingNanos += System.nanoTime() - commit;
            }
            if (cli.verbose()) {
                // the profile the benchmarks quote: how much of the run writing the JSON takes
                long total = System.nanoTime() - started;
                spec.commandLine().getErr().printf(java.util.Locale.ROOT,
                        "clip: embed: %d images, %d texts in %.2f s, of which writing JSON %.3f s (%.1f%%)%n",
                        images.size(), index, total / 1e9, writingNanos / 1e9, 100.0 * writingNanos / total);
                spec.commandLine().getErr().flush();
            }
        }
        return 0;
    }

    /** The image entries, a batch at a time (the progress bar moves per batch), never all held at once. */
    private void writeImages(Clip clip, JsonOutput json) throws IOException {
        int batchSize = options.batchSize;
        try (Progress progress = cli.progress("Embedding", images.size() > batchSize ? images.size() : 0)) {
            for (int from = 0; from < images.size(); from += batchSize) {
                List<Path> batch = images.subList(from, Math.min(images.size(), from + batchSize));
                float[][] rows = clip.imageFeatures(batch);
                for (int i = 0; i < rows.length; i++) {
                    String path = batch.get(i).toString();
                    entry(json, "path", path, rows[i], () -> "image " + path);
                }
                flush(json);
                progress.stepTo(from + batch.size());
            }
        }
    }

    private void flush(JsonOutput json) throws IOException {
        long start = System.nanoTime();
        json.flush();
        writingNanos += System.nanoTime() - start;
    }

    private static String abbreviate(String text) {
        return text.length() <= 80 ? text : text.substring(0, 80) + "...";
    }

    /**
     * {@code {"path"|"text": name, "embedding": [...]}}, normalized unless {@code --raw}.
     *
     * @param input names the input in the error if the model's row is not usable (NaN, infinite, all zero); built
     *     only then
     * @throws ModelOutputException if the row is not usable
     */
    private void entry(JsonOutput json, String key, String name, float[] row, Supplier<String> input)
            throws IOException {
        if (!ModelOutputException.usable(row)) {
            ModelOutputException.requireUsable(row, model.value, input.get());
        }
        long start = System.nanoTime();
        JsonGenerator generator = json.generator();
        generator.writeStartObject();
        generator.writeStringField(key, name);
        json.floatArrayField("embedding", raw ? row : Embedding.normalize(row).toArray(),
                () -> "the embedding of " + input.get());
        generator.writeEndObject();
        writingNanos += System.nanoTime() - start;
    }
}
