package io.github.clip4j.internal.training;

import io.github.clip4j.training.RetrievalMetrics;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Recall@k and zero-shot accuracy from held-out features (host arrays, tiny next to a training step). */
public final class RetrievalEvaluator {
    private RetrievalEvaluator() {}

    /**
     * @param image image features, row-major {@code [n, d]}, not necessarily normalized
     * @param text text features {@code [n, d]}; row {@code i} matches image row {@code i}
     * @param captions the captions of the rows, to treat repeated captions as equivalent
     */
    public static RetrievalMetrics evaluate(float[] image, float[] text, List<String> captions) {
        int n = captions.size();
        if (n == 0 || image.length != text.length || image.length % n != 0) {
            throw new IllegalArgumentException("features do not match " + n + " captions");
        }
        int d = image.length / n;
        double[][] sim = new double[n][n];
        double[] imageNorm = norms(image, n, d);
        double[] textNorm = norms(text, n, d);
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                double dot = 0;
                for (int k = 0; k < d; k++) {
                    dot += (double) image[i * d + k] * text[j * d + k];
                }
                sim[i][j] = dot / (imageNorm[i] * textNorm[j]);
            }
        }
        Map<String, Integer> classes = new HashMap<>();
        int[] label = new int[n];
        for (int i = 0; i < n; i++) {
            label[i] = classes.computeIfAbsent(captions.get(i), c -> classes.size());
        }
        int i2t1 = 0;
        int i2t5 = 0;
        int t2i1 = 0;
        int t2i5 = 0;
        for (int row = 0; row < n; row++) {
            int i = row;
            int rankText = rankOfFirstMatch(n, j -> sim[i][j], j -> label[j] == label[i]);
            int rankImage = rankOfFirstMatch(n, j -> sim[j][i], j -> label[j] == label[i]);
            i2t1 += rankText < 1 ? 1 : 0;
            i2t5 += rankText < 5 ? 1 : 0;
            t2i1 += rankImage < 1 ? 1 : 0;
            t2i5 += rankImage < 5 ? 1 : 0;
        }
        double zeroShot = Double.NaN;
        if (classes.size() < n) {
            // one text embedding per distinct caption (its first occurrence), as a zero-shot classifier does
            int[] representative = new int[classes.size()];
            for (int i = n - 1; i >= 0; i--) {
                representative[label[i]] = i;
            }
            int correct = 0;
            for (int i = 0; i < n; i++) {
                int best = 0;
                for (int c = 1; c < representative.length; c++) {
                    if (sim[i][representative[c]] > sim[i][representative[best]]) {
                        best = c;
                    }
                }
                correct += best == label[i] ? 1 : 0;
            }
            zeroShot = (double) correct / n;
        }
        return new RetrievalMetrics((double) i2t1 / n, (double) i2t5 / n, (double) t2i1 / n, (double) t2i5 / n,
                zeroShot, n);
    }

    /** How many candidates score strictly higher than the best-scoring match (0 = a match ranks first). */
    private static int rankOfFirstMatch(int n, java.util.function.IntToDoubleFunction score,
            java.util.function.IntPredicate matches) {
        double best = Double.NEGATIVE_INFINITY;
        for (int j = 0; j < n; j++) {
            if (matches.test(j)) {
                best = Math.max(best, score.applyAsDouble(j));
            }
        }
        int higher = 0;
        for (int j = 0; j < n; j++) {
            if (!matches.test(j) && score.applyAsDouble(j) > best) {
                higher++;
            }
        }
        return higher;
    }

    private static double[] norms(float[] x, int n, int d) {
        double[] out = new double[n];
        for (int i = 0; i < n; i++) {
            double s = 0;
            for (int k = 0; k < d; k++) {
                s += (double) x[i * d + k] * x[i * d + k];
            }
            out[i] = Math.max(Math.sqrt(s), 1e-12);
        }
        return out;
    }
}
