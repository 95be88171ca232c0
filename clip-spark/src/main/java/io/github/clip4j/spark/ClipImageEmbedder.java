package io.github.clip4j.spark;

import io.github.clip4j.Clip;
import io.github.clip4j.spark.internal.ExecutorClips;
import io.github.clip4j.spark.internal.ImageBatches;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.param.BooleanParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamValidators;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Embeds images: adds an embedding column ({@code array<float>}, or an ML {@code Vector} with
 * {@code outputType=vector}) and an error column. The images come from a path column ({@code inputCol}, default
 * {@code path}: local paths or {@code file:} URIs every executor can read) or, with {@code contentCol} set, from
 * encoded bytes such as the {@code binaryFile} data source's {@code content} column (S3, HDFS, ...).
 *
 * <pre>{@code
 * Dataset<Row> images = spark.read().format("binaryFile").load("s3a://bucket/photos/");
 * Dataset<Row> embedded = new ClipImageEmbedder().setModel("ViT-B/32").setContentCol("content")
 *         .transform(images);                      // + embedding array<float>, error string
 * }</pre>
 *
 * <p>A row whose image cannot be used (missing, unreadable, not an image, truncated, too large) gets a null embedding
 * and the reason in the error column; the job goes on. Embeddings are L2-normalized unless {@code normalize} is
 * false (raw features, paths only: the API gives encoded bytes' embeddings normalized).
 */
public final class ClipImageEmbedder extends ClipTransformer<ClipImageEmbedder> {
    private static final long serialVersionUID = 1L;

    private final Param<String> contentCol = new Param<>(this, "contentCol",
            "a binary column of encoded images to embed instead of the paths of inputCol (empty: paths)");
    private final Param<String> outputCol = new Param<>(this, "outputCol", "the embedding column");
    private final Param<String> errorCol = new Param<>(this, "errorCol",
            "the column with why a row's image could not be embedded (null when it was)");
    private final BooleanParam normalize = new BooleanParam(this, "normalize",
            "L2-normalized embeddings (true) or the encoder's raw features (false)");
    private final Param<String> outputType = new Param<>(this, "outputType",
            "array (array<float>) or vector (an ML Vector of doubles)",
            ParamValidators.inArray(List.of("array", "vector")));

    /** A stage with a new unique id. */
    public ClipImageEmbedder() {
        this(newUid("clipImageEmbedder"));
    }

    /**
     * @param uid the stage's id (used by {@link #load(String)})
     */
    public ClipImageEmbedder(String uid) {
        super(uid);
        setDefault(inputCol(), "path");
        setDefault(contentCol, "");
        setDefault(outputCol, "embedding");
        setDefault(errorCol, "error");
        setDefault(normalize, true);
        setDefault(outputType, "array");
    }

    /** {@return a reader of saved stages} */
    public static MLReader<ClipImageEmbedder> read() {
        return new DefaultParamsReader<>();
    }

    /**
     * @param path where the stage was saved
     * @return the saved stage
     */
    public static ClipImageEmbedder load(String path) {
        return read().load(path);
    }

    /** {@return the content column parameter (empty: embed the files of inputCol)} */
    public Param<String> contentCol() {
        return contentCol;
    }

    /** {@return the output column parameter (default {@code embedding})} */
    public Param<String> outputCol() {
        return outputCol;
    }

    /** {@return the error column parameter (default {@code error})} */
    public Param<String> errorCol() {
        return errorCol;
    }

    /** {@return the normalize parameter (default true)} */
    public BooleanParam normalize() {
        return normalize;
    }

    /** {@return the output type parameter: {@code array} (default) or {@code vector}} */
    public Param<String> outputType() {
        return outputType;
    }

    /**
     * @param value a binary column of encoded images, or empty to embed the files named by inputCol
     * @return this stage
     */
    public ClipImageEmbedder setContentCol(String value) {
        set(contentCol, value);
        return this;
    }

    /**
     * @param value the embedding column to add
     * @return this stage
     */
    public ClipImageEmbedder setOutputCol(String value) {
        set(outputCol, value);
        return this;
    }

    /**
     * @param value the error column to add
     * @return this stage
     */
    public ClipImageEmbedder setErrorCol(String value) {
        set(errorCol, value);
        return this;
    }

    /**
     * @param value true for L2-normalized embeddings, false for raw features (paths only)
     * @return this stage
     */
    public ClipImageEmbedder setNormalize(boolean value) {
        set(normalize, value);
        return this;
    }

    /**
     * @param value {@code array} or {@code vector}
     * @return this stage
     */
    public ClipImageEmbedder setOutputType(String value) {
        set(outputType, value);
        return this;
    }

    private boolean fromContent() {
        return !getOrDefault(contentCol).isEmpty();
    }

    @Override
    public StructType transformSchema(StructType schema) {
        boolean raw = !(Boolean) getOrDefault(normalize);
        if (fromContent()) {
            requireColumn(schema, getOrDefault(contentCol), DataTypes.BinaryType);
            if (raw) {
                throw new IllegalArgumentException("normalize=false needs image paths (inputCol): encoded bytes are"
                        + " embedded normalized");
            }
        } else {
            requireColumn(schema, getInputCol(), DataTypes.StringType);
        }
        requireNewColumn(schema, getOrDefault(outputCol));
        requireNewColumn(schema, getOrDefault(errorCol));
        if (getOrDefault(outputCol).equals(getOrDefault(errorCol))) {
            throw new IllegalArgumentException("outputCol and errorCol are both '" + getOrDefault(errorCol) + "'");
        }
        return schema.add(getOrDefault(outputCol), embeddingType(getOrDefault(outputType)), true)
                .add(getOrDefault(errorCol), DataTypes.StringType, true);
    }

    static DataType embeddingType(String outputType) {
        return "vector".equals(outputType) ? SQLDataTypes.VectorType()
                : DataTypes.createArrayType(DataTypes.FloatType, true);
    }

    @Override
    public Dataset<Row> transform(Dataset<?> dataset) {
        StructType out = transformSchema(dataset.schema());
        ExecutorClips.Key key = modelKey();
        boolean content = fromContent();
        int column = dataset.schema().fieldIndex(content ? getOrDefault(contentCol) : getInputCol());
        boolean norm = (Boolean) getOrDefault(normalize);
        boolean vector = "vector".equals(getOrDefault(outputType));
        return mapInBatches(dataset, out, getBatchSize(), rows -> {
            Clip clip = ExecutorClips.get(key);
            List<ImageBatches.Result> results;
            if (content) {
                List<byte[]> bytes = new ArrayList<>(rows.size());
                for (Row r : rows) {
                    bytes.add(r.isNullAt(column) ? null : (byte[]) r.get(column));
                }
                results = ImageBatches.embedBytes(clip, bytes);
            } else {
                List<String> paths = new ArrayList<>(rows.size());
                for (Row r : rows) {
                    paths.add(r.isNullAt(column) ? null : r.getString(column));
                }
                results = ImageBatches.embedPaths(clip, paths, norm);
            }
            List<Object[]> values = new ArrayList<>(results.size());
            for (ImageBatches.Result r : results) {
                values.add(new Object[] {Columns.embedding(r.embedding(), vector), r.error()});
            }
            return values;
        });
    }
}
