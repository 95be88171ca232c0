package io.github.clip4j.cli;

import io.github.clip4j.Clip;
import io.github.clip4j.ImageDecoding;
import io.github.clip4j.retrieval.ImageIndex;
import io.github.clip4j.retrieval.IndexUpdate;
import io.github.clip4j.SkippedFile;
import io.github.clip4j.internal.loading.ClipLoader;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
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
 * {@code clip index --model M --dir DIR --index FILE}: creates or updates an image index, embedding only new and
 * changed images; prints what changed. Unreadable files are skipped and reported, never fatal.
 */
@Command(name = "index",
        mixinStandardHelpOptions = true,
        versionProvider = ClipCli.Version.class,
        description = {"Create or update an image index of a folder, for 'clip search'.",
            "The images under DIR (recursively: png, jpg, jpeg, gif, bmp, webp) go into FILE: only new and changed"
                    + " images are embedded, vanished ones are dropped. Prints one JSON object:",
            "{\"added\": a, \"updated\": u, \"removed\": r, \"unchanged\": n, \"total\": t,"
                    + " \"skipped\": [{\"path\": P, \"reason\": R}]}",
            "Unreadable images are skipped and listed, never fatal. An index belongs to one model: search it with"
                    + " the same one."})
final class IndexCommand implements Callable<Integer> {
    /** Encoder batches per {@code ImageIndex} model call (progress is reported after each call). */
    static final int BATCHES_PER_CALL = 4;

    @ParentCommand
    private ClipCli cli;

    @Spec
    private CommandLine.Model.CommandSpec spec;

    @Mixin
    private ModelName model;

    @picocli.CommandLine.ArgGroup(exclusive = true, multiplicity = "1")
    private Source source;

    /** Images to embed, or embeddings to import. */
    static final class Source {
        @Option(names = "--dir", paramLabel = "DIR", required = true, description = "The folder of images to index.")
        Path dir;

        @Option(names = "--import", paramLabel = "PARQUET", required = true,
                description = "Import embeddings from a Parquet file, or a folder of them (path, embedding, size,"
                        + " mtime; the model id in the metadata, as 'clip export' and clip-spark write).")
        Path importFrom;
    }

    @Option(names = "--index", paramLabel = "PATH", required = true,
            description = "The index: a file (exact) or a folder (hnsw); created if missing.")
    private Path index;

    @Option(names = "--kind", paramLabel = "KIND", defaultValue = "auto",
            description = "The kind of a new index: exact (one file, exact search), hnsw (a Lucene folder,"
                    + " approximate search for millions of images) or auto (hnsw from "
                    + ImageIndex.AUTO_HNSW_THRESHOLD + " images). Default: ${DEFAULT-VALUE}.")
    private String kind;

    @Mixin
    private ModelOptions options;

    @Mixin
    private DecodeOption decode;

    @Override
    public Integer call() throws java.io.IOException {
        if (!java.nio.file.Files.isDirectory(index)) { // an existing folder is an hnsw index (checked on open)
            OutputFolder.require(index, "--index");
        }
        ImageIndex.Kind indexKind = IndexKinds.parse(kind);
        IndexUpdate update;
        if (source.importFrom != null) {
            update = ParquetImport.run(cli, model.value, options, source.importFrom, index, indexKind);
        } else {
            // Indexing only embeds images: the image tower alone is loaded, on a thread of its own while the
            // decode pool decodes the first photos (ClipLoader.forImages; same checks and model id).
            try (Clip clip = ClipLoader.forImages(
                        () -> cli.loadModel(model.value, options, decode.orDefault(ImageDecoding.FAST)));
                 // Several encoder batches per index call: the decode pool works on batch k + 1 while batch k is
                 // encoded (one call's batches share the decode-ahead pipeline); memory stays one batch ahead.
                 ImageIndex imageIndex = ImageIndex.open(index, clip, options.batchSize * BATCHES_PER_CALL, indexKind);
                 LazyProgress progress = new LazyProgress(cli, "Indexing")) {
                update = imageIndex.addDirectory(source.dir, progress::update);
            }
        }
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("added", update.added());
        result.put("updated", update.updated());
        result.put("removed", update.removed());
        result.put("unchanged", update.unchanged());
        result.put("total", update.total());
        List<Map<String, String>> skipped = new ArrayList<>();
        for (SkippedFile file : update.skipped()) {
            Map<String, String> entry = new LinkedHashMap<>();
            entry.put("path", file.path().toString());
            entry.put("reason", file.reason());
            skipped.add(entry);
        }
        result.put("skipped", skipped);
        PrintWriter out = spec.commandLine().getOut();
        Json.println(out, result);
        out.flush();
        return 0;
    }

    /** A progress bar that starts when the total is first known (the index says it after the first batch). */
    private static final class LazyProgress implements AutoCloseable {
        private final ClipCli cli;
        private final String task;
        private Progress bar;

        LazyProgress(ClipCli cli, String task) {
            this.cli = cli;
            this.task = task;
        }

        void update(int done, int total) {
            if (bar == null) {
                bar = cli.progress(task, total);
            }
            bar.stepTo(done);
        }

        @Override
        public void close() {
            if (bar != null) {
                bar.close();
            }
        }
    }
}
