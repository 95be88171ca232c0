package io.github.clip4j.cli;

import io.github.clip4j.internal.io.AtomicFiles;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code clip export --index PATH --out FILE.parquet}: an index's embeddings as Parquet (see
 * {@link EmbeddingsParquet}), for clip-spark or an external vector database; needs no model.
 */
@Command(name = "export",
        mixinStandardHelpOptions = true,
        versionProvider = ClipCli.Version.class,
        description = {"Write an index's embeddings to a Parquet file (path, embedding, size, mtime; the model id"
                + " in the file's metadata), e.g. for 'clip index --import', Spark or a vector database.",
            "Prints one JSON object: {\\\"rows\\\": n}"})
final class ExportCommand implements Callable<Integer> {
    @Spec
    private CommandLine.Model.CommandSpec spec;

    @Option(names = "--index", paramLabel = "PATH", required = true, description = "The index (exact or hnsw).")
    private Path index;

    @Option(names = "--out", paramLabel = "FILE.parquet", required = true, description = "The Parquet file to write.")
    private Path out;

    @Override
    public Integer call() throws Exception {
        long[] rows = {0};
        AtomicFiles.write(out, channel -> rows[0] = EmbeddingsParquet.export(index, channel));
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("rows", rows[0]);
        PrintWriter printer = spec.commandLine().getOut();
        Json.println(printer, result);
        printer.flush();
        return 0;
    }
}
