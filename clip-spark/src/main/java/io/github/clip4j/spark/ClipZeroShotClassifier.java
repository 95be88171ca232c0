package io.github.clip4j.spark;

import io.github.clip4j.Clip;
import io.github.clip4j.Embedding;
import io.github.clip4j.spark.internal.ExecutorClips;
import io.github.clip4j.spark.internal.ImageBatches;
import io.github.clip4j.zeroshot.Prediction;
import io.github.clip4j.zeroshot.ZeroShotClassifier;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.StringArrayParam;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Classifies images by labels without training (zero-shot): adds the best label, its probability (softmax over the
 * labels of the model's temperature times the cosine with each label's prompt embeddings) and an error column. The
 * images come from a path column ({@code inputCol}, default {@code path}) or a binary {@code contentCol}, as in
 * {@link ClipImageEmbedder}. The prompts are the {@code templates} ({@code "a photo of a {}."}; default: the model's
 * default templates) applied to each label, embedded once per executor.
 *
 * <pre>{@code
 * Dataset<Row> labelled = new ClipZeroShotClassifier().setModel("ViT-B/32")
 *         .setLabels(new String[] {"cat", "dog", "car"}).transform(images);   // + label, probability, error
 * }</pre>
 */
public final class ClipZeroShotClassifier extends ClipTransformer<ClipZeroShotClassifier> {
    private static final long serialVersionUID = 1L;

    private final Param<String> contentCol = new Param<>(this, "contentCol",
            "a binary column of encoded images to classify instead of the paths of inputCol (empty: paths)");
    private final StringArrayParam labels = new StringArrayParam(this, "labels", "the labels, one or more");
    private final StringArrayParam templates = new StringArrayParam(this, "templates",
            "prompt templates with {} for the label (empty: the model's default templates)");
    private final Param<String> labelCol = new Param<>(this, "labelCol", "the best label's column");
    private final Param<String> probabilityCol = new Param<>(this, "probabilityCol",
            "the best label's probability column");
    private final Param<String> errorCol = new Param<>(this, "errorCol",
            "the column with why a row's image could not be classified (null when it was)");

    /** A stage with a new unique id. */
    public ClipZeroShotClassifier() {
        this(newUid("clipZeroShotClassifier"));
    }

    /**
     * @param uid the stage's id (used by {@link #load(String)})
     */
    public ClipZeroShotClassifier(String uid) {
        super(uid);
        setDefault(inputCol(), "path");
        setDefault(contentCol, "");
        setDefault(templates, new String[0]);
        setDefault(labelCol, "label");
        setDefault(probabilityCol, "probability");
        setDefault(errorCol, "error");
    }

    /** {@return a reader of saved stages} */
    public static MLReader<ClipZeroShotClassifier> read() {
        return new DefaultParamsReader<>();
    }

    /**
     * @param path where the stage was saved
     * @return the saved stage
     */
    public static ClipZeroShotClassifier load(String path) {
        return read().load(path);
    }

    /** {@return the content column parameter (empty: classify the files of inputCol)} */
    public Param<String> contentCol() {
        return contentCol;
    }

    /** {@return the labels parameter} */
    public StringArrayParam labels() {
        return labels;
    }

    /** {@return the templates parameter} */
    public StringArrayParam templates() {
        return templates;
    }

    /** {@return the label column parameter (default {@code label})} */
    public Param<String> labelCol() {
        return labelCol;
    }

    /** {@return the probability column parameter (default {@code probability})} */
    public Param<String> probabilityCol() {
        return probabilityCol;
    }

    /** {@return the error column parameter (default {@code error})} */
    public Param<String> errorCol() {
        return errorCol;
    }

    /**
     * @param value a binary column of encoded images, or empty to classify the files named by inputCol
     * @return this stage
     */
    public ClipZeroShotClassifier setContentCol(String value) {
        set(contentCol, value);
        return this;
    }

    /**
     * @param value the labels, one or more, distinct and not blank
     * @return this stage
     */
    public ClipZeroShotClassifier setLabels(String[] value) {
        set(labels, value);
        return this;
    }

    /**
     * @param value prompt templates, each with {@code {}} where the label goes; empty for the model's defaults
     * @return this stage
     */
    public ClipZeroShotClassifier setTemplates(String[] value) {
        set(templates, value);
        return this;
    }

    /**
     * @param value the label column to add
     * @return this stage
     */
    public ClipZeroShotClassifier setLabelCol(String value) {
        set(labelCol, value);
        return this;
    }

    /**
     * @param value the probability column to add
     * @return this stage
     */
    public ClipZeroShotClassifier setProbabilityCol(String value) {
        set(probabilityCol, value);
        return this;
    }

    /**
     * @param value the error column to add
     * @return this stage
     */
    public ClipZeroShotClassifier setErrorCol(String value) {
        set(errorCol, value);
        return this;
    }

    private boolean fromContent() {
        return !getOrDefault(contentCol).isEmpty();
    }

    @Override
    public StructType transformSchema(StructType schema) {
        if (!isDefined(labels) || getOrDefault(labels).length == 0) {
            throw new IllegalArgumentException("set the labels (one or more)");
        }
        ZeroShotClassifier.checkLabels(List.of(getOrDefault(labels)));
        if (fromContent()) {
            requireColumn(schema, getOrDefault(contentCol), DataTypes.BinaryType);
        } else {
            requireColumn(schema, getInputCol(), DataTypes.StringType);
        }
        List<String> added = List.of(getOrDefault(labelCol), getOrDefault(probabilityCol), getOrDefault(errorCol));
        for (String column : added) {
            requireNewColumn(schema, column);
        }
        if (added.stream().distinct().count() != added.size()) {
            throw new IllegalArgumentException("labelCol, probabilityCol and errorCol must differ: " + added);
        }
        return schema.add(getOrDefault(labelCol), DataTypes.StringType, true)
                .add(getOrDefault(probabilityCol), DataTypes.DoubleType, true)
                .add(getOrDefault(errorCol), DataTypes.StringType, true);
    }

    @Override
    public Dataset<Row> transform(Dataset<?> dataset) {
        StructType out = transformSchema(dataset.schema());
        ExecutorClips.Key key = modelKey();
        boolean content = fromContent();
        int column = dataset.schema().fieldIndex(content ? getOrDefault(contentCol) : getInputCol());
        List<String> labelList = List.of(getOrDefault(labels));
        List<String> templateList = List.of(getOrDefault(templates));
        return mapInBatches(dataset, out, getBatchSize(), rows -> {
            Clip clip = ExecutorClips.get(key);
            ZeroShotClassifier classifier = ExecutorClips.classifier(key, labelList, templateList);
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
                results = ImageBatches.embedPaths(clip, paths, true);
            }
            List<Object[]> values = new ArrayList<>(results.size());
            for (ImageBatches.Result r : results) {
                if (r.embedding() == null) {
                    values.add(new Object[] {null, null, r.error()});
                } else {
                    Prediction best = classifier.classify(Embedding.ofNormalized(r.embedding())).best();
                    values.add(new Object[] {best.label(), best.probability(), null});
                }
            }
            return values;
        });
    }
}
