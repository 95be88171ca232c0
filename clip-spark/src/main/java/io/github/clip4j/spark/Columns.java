package io.github.clip4j.spark;

import org.apache.spark.ml.linalg.Vectors;
import scala.collection.immutable.ArraySeq;

/** How embeddings become column values. */
final class Columns {
    private Columns() {}

    /** {@return {@code values} as an {@code array<float>} value, or an ML dense vector; null stays null} */
    static Object embedding(float[] values, boolean vector) {
        if (values == null) {
            return null;
        }
        if (vector) {
            double[] d = new double[values.length];
            for (int i = 0; i < values.length; i++) {
                d[i] = values[i];
            }
            return Vectors.dense(d);
        }
        return ArraySeq.unsafeWrapArray(values);
    }
}
