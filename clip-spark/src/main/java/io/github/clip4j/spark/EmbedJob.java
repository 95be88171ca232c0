package io.github.clip4j.spark;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.clip4j.Clip;
import io.github.clip4j.common.ClipException;
import io.github.clip4j.spark.internal.ExecutorClips;
import io.github.clip4j.spark.internal.ImageListing;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.Metadata;
import org.apache.spark.sql.types.MetadataBuilder;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The distributed embed job: {@code java -jar clip-spark.jar embed --master local[2] --model M --input DIR_OR_GLOB
 * --output OUT.parquet}, or the same arguments after {@code spark-submit --class io.github.clip4j.spark.EmbedJob
 * clip-spark.jar}. It lists the images on the driver, embeds them on the executors ({@link ClipImageEmbedder}) and
 * writes the embeddings hand-over format that {@code clip index --import} reads: Parquet with {@code path} (relative
 * to the input folder, {@code /}-separated), {@code embedding} ({@code array<float>}, L2-normalized), {@code size} and {@code mtime}
 * (ms since the epoch), and the model id. Images that cannot be embedded are left out of it, listed in
 * {@code OUT_errors} (JSON lines: path, error) and counted in the summary printed on stdout (one JSON line).
 */
@Command(name = "clip-spark", mixinStandardHelpOptions = true, versionProvider = EmbedJob.Version.class,
        description = "clip4j on Apache Spark.", subcommands = {EmbedJob.Embed.class})
public final class EmbedJob implements Callable<Integer> {
    /**
     * Where Spark's Parquet writer puts the model id: the {@code embedding} field's metadata in Spark's row schema
     * (key-value metadata {@value #SPARK_ROW_METADATA}), because Spark's writer takes no custom footer entries.
     */
    public static final String MODEL_ID_KEY = "clip4j.model_id";
    /** The Parquet key-value metadata entry in which Spark stores the row schema (JSON, with field metadata). */
    public static final String SPARK_ROW_METADATA = "org.apache.spark.sql.parquet.row.metadata";
    /** Failed images named in the summary line (all of them are in the errors output). */
    static final int SUMMARY_ERRORS = 20;

    @Spec
    private CommandLine.Model.CommandSpec spec;

    /** Runs the job; {@code System.exit} with 0 (done, even with broken images), 1 (failed) or 2 (usage). */
    public static void main(String[] args) {
        System.exit(run(new PrintWriter(System.out, true), new PrintWriter(System.err, true), args));
    }

    /** {@return the exit status of {@code clip-spark args}, writing to {@code out} and {@code err}} (for tests) */
    static int run(PrintWriter out, PrintWriter err, String... args) {
        // Netty (Spark's RPC) needs it on Java 9+; spark-submit passes it as a JVM option, java -jar cannot.
        System.setProperty("io.netty.tryReflectionSetAccessible", "true");
        if (System.getProperty("log4j2.configurationFile") == null) {
            // Spark logs INFO lines by default; the job's stderr is for its own warnings and its error line.
            System.setProperty("log4j2.configurationFile", "clip4j-spark-log4j2.properties");
        }
        CommandLine cli = new CommandLine(new EmbedJob()).setOut(out).setErr(err);
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            commandLine.getErr().println("clip-spark: error: " + oneLine(e));
            return e instanceof IllegalArgumentException ? 2 : 1;
        });
        cli.setParameterExceptionHandler((e, args1) -> {
            e.getCommandLine().getErr().println("clip-spark: error: " + e.getMessage()
                    + " (see clip-spark embed --help)");
            return 2;
        });
        return cli.execute(args);
    }

    private static String oneLine(Throwable e) {
        String message = e.getMessage() == null ? e.toString() : e.getMessage();
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return 2;
    }

    /** The version of the clip4j jar. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = EmbedJob.class.getPackage().getImplementationVersion();
            return new String[] {"clip-spark " + (v == null ? "(development build)" : v)};
        }
    }

    /** {@code embed}: images to the embeddings hand-over Parquet. */
    @Command(name = "embed", mixinStandardHelpOptions = true,
            description = "Embed the images of a folder or glob on Spark into Parquet (path, embedding, size, mtime"
                    + " and the model id), for 'clip index --import'.")
    static final class Embed implements Callable<Integer> {
        @Spec
        private CommandLine.Model.CommandSpec spec;

        @Option(names = "--master", paramLabel = "URL",
                description = "Spark master (local[2], spark://host:7077, yarn, ...); default: spark-submit's, else"
                        + " local[*].")
        private String master;

        @Option(names = "--model", paramLabel = "M", required = true,
                description = "A released model name or a checkpoint path every executor can read.")
        private String model;

        @Option(names = "--input", paramLabel = "DIR_OR_GLOB", required = true,
                description = "A folder (recursive) or a glob such as '/data/photos/**/*.jpg', on a file system"
                        + " the driver and every executor see at the same path.")
        private String input;

        @Option(names = "--output", paramLabel = "OUT.parquet", required = true,
                description = "The Parquet folder to write (must not exist); failures go to OUT_errors.")
        private String output;

        @Option(names = "--batch-size", paramLabel = "B", defaultValue = "16",
                description = "Images per encoder call (default: ${DEFAULT-VALUE}).")
        private int batchSize;

        @Option(names = "--precision", paramLabel = "P", defaultValue = "fp32",
                description = "fp32, bf16 or fp16 (default: ${DEFAULT-VALUE}).")
        private String precision;

        @Option(names = "--threads", paramLabel = "N", defaultValue = "0",
                description = "Threads per encoder call on each executor (default: libtorch's choice).")
        private int threads;

        @Option(names = "--partitions", paramLabel = "N", defaultValue = "0",
                description = "Tasks to split the images into (default: 4 per core of the cluster, at most one per"
                        + " batch).")
        private int partitions;

        @Option(names = "--max-images", paramLabel = "N", defaultValue = "10000000",
                description = "Refuse an input with more images than this (default: ${DEFAULT-VALUE}); the driver"
                        + " holds the list.")
        private int maxImages;

        @Override
        public Integer call() throws Exception {
            if (batchSize < 1 || batchSize > 4096) {
                throw new IllegalArgumentException("--batch-size " + batchSize + ": use 1 to 4096");
            }
            if (threads < 0 || partitions < 0 || maxImages < 1) {
                throw new IllegalArgumentException("--threads and --partitions must be >= 0, --max-images >= 1");
            }
            ExecutorClips.precision(precision);
            Path out = Path.of(output);
            Path errorsOut = Path.of(output + "_errors");
            for (Path p : List.of(out, errorsOut)) {
                if (Files.exists(p)) {
                    throw new IllegalArgumentException(p + " exists; remove it or choose another --output");
                }
            }
            long start = System.nanoTime();
            ImageListing.Listing listing = ImageListing.list(input, maxImages);
            PrintWriter err = spec.commandLine().getErr();
            for (String unreadable : listing.unreadable()) {
                err.println("clip-spark: warning: cannot read " + unreadable);
            }

            SparkSession.Builder builder = SparkSession.builder().appName("clip4j embed " + input);
            if (master != null) {
                builder.master(master);
            } else if (System.getProperty("spark.master") == null) {
                builder.master("local[*]");
            }
            SparkSession spark = builder.getOrCreate();
            try {
                return embed(spark, listing, out, errorsOut, start);
            } finally {
                spark.stop();
            }
        }

        private int embed(SparkSession spark, ImageListing.Listing listing, Path out, Path errorsOut, long start)
                throws Exception {
            // The model on the driver: its id goes into the output, and a wrong name or path fails here, once.
            ExecutorClips.Key key = new ExecutorClips.Key(model, ExecutorClips.precision(precision), threads);
            Clip clip;
            try {
                clip = ExecutorClips.get(key);
            } catch (ClipException e) {
                throw new ClipException("cannot load --model " + model + ": " + e.getMessage(), e);
            }
            String modelId = clip.modelId();

            List<Row> rows = new ArrayList<>(listing.images().size());
            for (ImageListing.Image image : listing.images()) {
                rows.add(RowFactory.create(image.file(), image.path(), image.size(), image.mtime()));
            }
            StructType listed = new StructType()
                    .add("file", DataTypes.StringType, false)
                    .add("path", DataTypes.StringType, false)
                    .add("size", DataTypes.LongType, true)
                    .add("mtime", DataTypes.LongType, true);
            int cores = spark.sparkContext().defaultParallelism();
            int tasks = partitions > 0 ? partitions
                    : Math.max(1, Math.min(4 * cores, (rows.size() + batchSize - 1) / batchSize));
            Dataset<Row> images = spark.createDataFrame(rows, listed).repartition(tasks);

            Dataset<Row> embedded = new ClipImageEmbedder().setModel(model).setPrecision(precision)
                    .setBatchSize(batchSize).setThreads(threads).setInputCol("file").setOutputCol("embedding")
                    .setErrorCol("error").transform(images).persist(StorageLevel.MEMORY_AND_DISK());
            try {
                Metadata modelMeta = new MetadataBuilder().putString(MODEL_ID_KEY, modelId).build();
                StructType handOver = new StructType(new StructField[] {
                    new StructField("path", DataTypes.StringType, false, Metadata.empty()),
                    new StructField("embedding", DataTypes.createArrayType(DataTypes.FloatType, true), false,
                            modelMeta),
                    new StructField("size", DataTypes.LongType, true, Metadata.empty()),
                    new StructField("mtime", DataTypes.LongType, true, Metadata.empty())});
                // Paths relative to the input folder, as clip index records them: the importer resolves them against
                // the index's folder, and an exact index refuses absolute entries.
                String pathColumn = "path";
                Dataset<Row> ok = embedded.where(functions.col("error").isNull())
                        .select(functions.col(pathColumn).as("path"), functions.col("embedding"),
                                functions.col("size"), functions.col("mtime"));
                spark.createDataFrame(ok.javaRDD(), handOver).write().parquet(out.toString());

                Dataset<Row> failed = embedded.where(functions.col("error").isNotNull())
                        .select(functions.col(pathColumn).as("path"), functions.col("error"))
                        .persist(StorageLevel.MEMORY_AND_DISK());
                long failures = failed.count();
                List<Map<String, String>> named = new ArrayList<>();
                if (failures > 0) {
                    failed.coalesce(1).write().json(errorsOut.toString());
                    for (Row r : failed.orderBy("path").limit(SUMMARY_ERRORS).collectAsList()) {
                        Map<String, String> e = new LinkedHashMap<>();
                        e.put("path", r.getString(0));
                        e.put("error", r.getString(1));
                        named.add(e);
                        spec.commandLine().getErr().println("clip-spark: warning: skipped " + r.getString(0) + ": "
                                + r.getString(1));
                    }
                }
                failed.unpersist();
                long total = listing.images().size();
                double seconds = (System.nanoTime() - start) / 1e9;
                Map<String, Object> summary = new LinkedHashMap<>();
                summary.put("images", total);
                summary.put("embedded", total - failures);
                summary.put("failed", failures);
                summary.put("output", out.toString());
                summary.put("errors_output", failures > 0 ? errorsOut.toString() : null);
                summary.put("model_id", modelId);
                summary.put("partitions", tasks);
                summary.put("seconds", Math.round(seconds * 1000) / 1000.0);
                summary.put("images_per_second", Math.round(total / seconds * 100) / 100.0);
                summary.put("errors", named);
                PrintWriter stdout = spec.commandLine().getOut();
                stdout.println(new ObjectMapper().writeValueAsString(summary));
                stdout.flush();
                return 0;
            } finally {
                embedded.unpersist();
            }
        }
    }
}
