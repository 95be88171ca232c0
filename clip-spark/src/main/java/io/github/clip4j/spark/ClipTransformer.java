package io.github.clip4j.spark;

import io.github.clip4j.spark.internal.ExecutorClips;
import java.io.Serializable;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.ml.Transformer;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.param.ParamValidators;
import org.apache.spark.ml.util.DefaultParamsWritable;
import org.apache.spark.ml.util.Identifiable$;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * What every clip4j stage shares: the model ({@code model}: a released name such as {@code "ViT-B/32"}, or a
 * checkpoint path every executor can read), {@code precision}, {@code batchSize} and {@code threads}, and how rows
 * are processed: in batches of {@code batchSize} inside each partition, on the executor's one shared {@code Clip}
 * (loaded by the first task that needs it, closed when the executor exits).
 *
 * <p>Stages are saved and loaded like any Spark ML stage ({@code stage.write().save(dir)},
 * {@code ClipImageEmbedder.load(dir)}); only the parameters are saved, not the weights.
 *
 * @param <T> the stage's own type, which the setters return
 */
public abstract class ClipTransformer<T extends ClipTransformer<T>> extends Transformer
        implements DefaultParamsWritable {
    private static final long serialVersionUID = 1L;

    private final String uid;
    private final Param<String> model;
    private final Param<String> precision;
    private final IntParam batchSize;
    private final IntParam threads;
    private final Param<String> inputCol;

    /**
     * @param uid the stage's unique id
     */
    protected ClipTransformer(String uid) {
        this.uid = uid;
        model = new Param<>(this, "model", "the CLIP model: a released name or a checkpoint path the executors can"
                + " read");
        precision = new Param<>(this, "precision", "fp32, bf16 or fp16",
                ParamValidators.inArray(List.of("fp32", "bf16", "fp16", "FP32", "BF16", "FP16")));
        inputCol = new Param<>(this, "inputCol", "the input column");
        batchSize = new IntParam(this, "batchSize", "rows per encoder call inside a partition (>= 1)",
                ParamValidators.inRange(1, 4096));
        threads = new IntParam(this, "threads", "threads per encoder call (0: libtorch's choice)",
                ParamValidators.inRange(0, 1024));
        setDefault(precision, "fp32");
        setDefault(batchSize, 16);
        setDefault(threads, 0);
    }

    /** {@return a new unique id for a stage named {@code prefix}} */
    static String newUid(String prefix) {
        return Identifiable$.MODULE$.randomUID(prefix);
    }

    @Override
    public String uid() {
        return uid;
    }

    /** {@return the model parameter} */
    public Param<String> model() {
        return model;
    }

    /** {@return the precision parameter (default fp32)} */
    public Param<String> precision() {
        return precision;
    }

    /** {@return the batch size parameter (default 16)} */
    public IntParam batchSize() {
        return batchSize;
    }

    /** {@return the threads parameter (default 0: libtorch's choice, all cores of the executor)} */
    public IntParam threads() {
        return threads;
    }

    /** {@return the input column parameter} */
    public Param<String> inputCol() {
        return inputCol;
    }

    /** {@return the input column} */
    public String getInputCol() {
        return getOrDefault(inputCol);
    }

    /**
     * @param value the input column
     * @return this stage
     */
    public T setInputCol(String value) {
        set(inputCol, value);
        return self();
    }

    /** {@return this stage as its own type} */
    @SuppressWarnings("unchecked")
    final T self() {
        return (T) this;
    }

    /** {@return the model name or path} */
    public String getModel() {
        return getOrDefault(model);
    }

    /** {@return the precision} */
    public String getPrecision() {
        return getOrDefault(precision);
    }

    /** {@return the batch size} */
    public int getBatchSize() {
        return (Integer) getOrDefault(batchSize);
    }

    /** {@return the threads per encoder call} */
    public int getThreads() {
        return (Integer) getOrDefault(threads);
    }

    /**
     * @param value a released name ({@code "ViT-B/32"}) or a checkpoint path readable on every executor
     * @return this stage
     */
    public T setModel(String value) {
        set(model, value);
        return self();
    }

    /**
     * @param value {@code fp32}, {@code bf16} or {@code fp16}
     * @return this stage
     */
    public T setPrecision(String value) {
        set(precision, value);
        return self();
    }

    /**
     * @param value rows per encoder call, 1 to 4096
     * @return this stage
     */
    public T setBatchSize(int value) {
        set(batchSize, value);
        return self();
    }

    /**
     * @param value threads per encoder call (process-wide for the executor), 0 for libtorch's choice
     * @return this stage
     */
    public T setThreads(int value) {
        set(threads, value);
        return self();
    }

    /** {@return the executor-side key of this stage's model; fails clearly if no model is set} */
    ExecutorClips.Key modelKey() {
        if (!isDefined(model)) {
            throw new IllegalArgumentException(getClass().getSimpleName() + " " + uid + ": set the model (a"
                    + " released name or a checkpoint path every executor can read)");
        }
        return new ExecutorClips.Key(getModel(), ExecutorClips.precision(getPrecision()), getThreads());
    }

    @Override
    public Transformer copy(ParamMap extra) {
        return defaultCopy(extra);
    }

    /** Checks that {@code column} is in {@code schema} with type {@code type}. */
    static void requireColumn(StructType schema, String column, DataType type) {
        StructField field;
        try {
            field = schema.apply(column);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("input column '" + column + "' is missing; the columns are "
                    + String.join(", ", schema.fieldNames()), e);
        }
        if (!field.dataType().equals(type)) {
            throw new IllegalArgumentException("input column '" + column + "' is " + field.dataType().simpleString()
                    + ", not " + type.simpleString());
        }
    }

    /** Checks that {@code column} is not in {@code schema} yet. */
    static void requireNewColumn(StructType schema, String column) {
        if (column.isEmpty() || List.of(schema.fieldNames()).contains(column)) {
            throw new IllegalArgumentException("output column '" + column + "' is empty or exists already");
        }
    }

    /** Computes a batch's new column values: one {@code Object[]} per input row, in order. */
    @FunctionalInterface
    interface BatchFunction extends Serializable {
        List<Object[]> apply(List<Row> rows);
    }

    /**
     * The rows of {@code dataset} with the columns of {@code out} past the input's appended, computed by {@code fn}
     * on batches of {@code batch} rows of a partition.
     */
    static Dataset<Row> mapInBatches(Dataset<?> dataset, StructType out, int batch, BatchFunction fn) {
        MapPartitionsFunction<Row, Row> partition = rows -> new Iterator<>() {
            private final Deque<Row> ready = new ArrayDeque<>();

            @Override
            public boolean hasNext() {
                if (ready.isEmpty() && rows.hasNext()) {
                    List<Row> in = new ArrayList<>(batch);
                    while (in.size() < batch && rows.hasNext()) {
                        in.add(rows.next());
                    }
                    List<Object[]> added = fn.apply(in);
                    for (int i = 0; i < in.size(); i++) {
                        Row r = in.get(i);
                        Object[] extra = added.get(i);
                        Object[] values = new Object[r.length() + extra.length];
                        for (int c = 0; c < r.length(); c++) {
                            values[c] = r.get(c);
                        }
                        System.arraycopy(extra, 0, values, r.length(), extra.length);
                        ready.add(RowFactory.create(values));
                    }
                }
                return !ready.isEmpty();
            }

            @Override
            public Row next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                return ready.poll();
            }
        };
        return dataset.toDF().mapPartitions(partition, Encoders.row(out));
    }
}
