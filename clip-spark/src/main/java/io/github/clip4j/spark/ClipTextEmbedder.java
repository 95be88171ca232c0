package io.github.clip4j.spark;

import io.github.clip4j.Clip;
import io.github.clip4j.Embedding;
import io.github.clip4j.spark.internal.ExecutorClips;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.ml.param.BooleanParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamValidators;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Embeds texts: adds an embedding column ({@code array<float>}, or an ML {@code Vector} with
 * {@code outputType=vector}) for the string column {@code inputCol} (default {@code text}). Texts longer than the
 * model's context are truncated, like {@code clip.tokenize(..., truncate=True)}; a null text gives a null embedding.
 *
 * <pre>{@code
 * Dataset<Row> captions = ...;                     // a "text" column
 * Dataset<Row> embedded = new ClipTextEmbedder().setModel("ViT-B/32").transform(captions);
 * }</pre>
 */
public final class ClipTextEmbedder extends ClipTransformer<ClipTextEmbedder> {
    private static final long serialVersionUID = 1L;

    private final Param<String> outputCol = new Param<>(this, "outputCol", "the embedding column");
    private final BooleanParam normalize = new BooleanParam(this, "normalize",
            "L2-normalized embeddings (true) or the encoder's raw features (false)");
    private final Param<String> outputType = new Param<>(this, "outputType",
            "array (array<float>) or vector (an ML Vector of doubles)",
            ParamValidators.inArray(List.of("array", "vector")));

    /** A stage with a new unique id. */
    public ClipTextEmbedder() {
        this(newUid("clipTextEmbedder"));
    }

    /**
     * @param uid the stage's id (used by {@link #load(String)})
     */
    public ClipTextEmbedder(String uid) {
        super(uid);
        setDefault(inputCol(), "text");
        setDefault(outputCol, "embedding");
        setDefault(normalize, true);
        setDefault(outputType, "array");
    }

    /** {@return a reader of saved stages} */
    public static MLReader<ClipTextEmbedder> read() {
        return new DefaultParamsReader<>();
    }

    /**
     * @param path where the stage was saved
     * @return the saved stage
     */
    public static ClipTextEmbedder load(String path) {
        return read().load(path);
    }

    /** {@return the output column parameter (default {@code embedding})} */
    public Param<String> outputCol() {
        return outputCol;
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
     * @param value the embedding column to add
     * @return this stage
     */
    public ClipTextEmbedder setOutputCol(String value) {
        set(outputCol, value);
        return this;
    }

    /**
     * @param value true for L2-normalized embeddings, false for raw features
     * @return this stage
     */
    public ClipTextEmbedder setNormalize(boolean value) {
        set(normalize, value);
        return this;
    }

    /**
     * @param value {@code array} or {@code vector}
     * @return this stage
     */
    public ClipTextEmbedder setOutputType(String value) {
        set(outputType, value);
        return this;
    }

    @Override
    public StructType transformSchema(StructType schema) {
        requireColumn(schema, getInputCol(), DataTypes.StringType);
        requireNewColumn(schema, getOrDefault(outputCol));
        return schema.add(getOrDefault(outputCol), ClipImageEmbedder.embeddingType(getOrDefault(outputType)), true);
    }

    @Override
    public Dataset<Row> transform(Dataset<?> dataset) {
        StructType out = transformSchema(dataset.schema());
        ExecutorClips.Key key = modelKey();
        int column = dataset.schema().fieldIndex(getInputCol());
        boolean norm = (Boolean) getOrDefault(normalize);
        boolean vector = "vector".equals(getOrDefault(outputType));
        return mapInBatches(dataset, out, getBatchSize(), rows -> {
            List<String> texts = new ArrayList<>(rows.size());
            for (Row r : rows) {
                if (!r.isNullAt(column)) {
                    texts.add(r.getString(column));
                }
            }
            List<float[]> features = new ArrayList<>(texts.size());
            if (!texts.isEmpty()) {
                Clip clip = ExecutorClips.get(key);
                if (norm) {
                    for (Embedding e : clip.embedTexts(texts)) {
                        features.add(e.toArray());
                    }
                } else {
                    features.addAll(List.of(clip.textFeatures(texts)));
                }
            }
            List<Object[]> values = new ArrayList<>(rows.size());
            int next = 0;
            for (Row r : rows) {
                float[] f = r.isNullAt(column) ? null : features.get(next++);
                values.add(new Object[] {Columns.embedding(f, vector)});
            }
            return values;
        });
    }
}
