package io.github.clip4j.internal.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.clip4j.testsupport.Fixtures;
import io.github.clip4j.internal.runtime.Tensors;
import io.github.clip4j.internal.weights.CheckpointReader;
import io.github.clip4j.internal.weights.HostTensor;
import io.github.clip4j.internal.weights.SafetensorsReader;
import io.github.clip4j.internal.weights.StateDict;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.bytedeco.pytorch.Tensor;

/**
 * The tiny models' checkpoints and their reference outputs ({@code NAME.expected.safetensors}), and the one way
 * the tests compare features with them (cosine and norm, the tolerances).
 */
public final class ModelFixtures {
    private ModelFixtures() {}

    static StateDict weights(String file) {
        return CheckpointReader.read(Fixtures.file("models/" + file));
    }

    public static StateDict expected(String model) {
        return SafetensorsReader.read(Fixtures.file("models/" + model + ".expected.safetensors"));
    }

    /**
     * A list the reference recorded in an expected file's metadata as a JSON array of strings ({@code "images"},
     * {@code "prompts"}).
     */
    public static List<String> metadataList(StateDict expected, String key) {
        try {
            return List.of(new ObjectMapper().readValue(expected.metadata().get(key), String[].class));
        } catch (IOException e) {
            throw new UncheckedIOException("metadata " + key + " of an expected file is not a list of strings", e);
        }
    }

    /** The reference's constructor arguments recorded in the metadata, as a {@link ModelConfig}. */
    static ModelConfig referenceConfig(StateDict expected) {
        JsonNode args;
        try {
            args = new ObjectMapper().readTree(expected.metadata().get("config"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<Integer> layers = new ArrayList<>();
        if (args.get(2).isArray()) {
            args.get(2).forEach(n -> layers.add(n.asInt()));
        } else {
            layers.add(args.get(2).asInt());
        }
        return new ModelConfig(args.get(0).asInt(), args.get(1).asInt(), layers, args.get(3).asInt(),
                args.get(4).isNull() ? 0 : args.get(4).asInt(), args.get(5).asInt(), args.get(6).asInt(),
                args.get(7).asInt(), args.get(8).asInt(), args.get(9).asInt());
    }

    public static float[][] rows(HostTensor t) {
        int n = (int) t.dim(0);
        int d = (int) t.dim(1);
        float[] flat = t.toFloatArray();
        float[][] out = new float[n][d];
        for (int i = 0; i < n; i++) {
            System.arraycopy(flat, i * d, out[i], 0, d);
        }
        return out;
    }

    public static int[][] intRows(HostTensor t) {
        int n = (int) t.dim(0);
        int d = (int) t.dim(1);
        long[] flat = t.toLongArray();
        int[][] out = new int[n][d];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < d; j++) {
                out[i][j] = Math.toIntExact(flat[i * d + j]);
            }
        }
        return out;
    }

    public static double dot(float[] a, float[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += (double) a[i] * b[i];
        }
        return s;
    }

    public static double norm(float[] a) {
        return Math.sqrt(dot(a, a));
    }

    public static double cosine(float[] a, float[] b) {
        return dot(a, b) / (norm(a) * norm(b));
    }

    /** Every value of {@code actual} within {@code relative} times the largest magnitude of {@code expected}. */
    static void assertWithin(float[] actual, float[] expected, double relative) {
        assertThat(actual).hasSameSizeAs(expected);
        double scale = 0;
        for (float e : expected) {
            scale = Math.max(scale, Math.abs(e));
        }
        for (int j = 0; j < expected.length; j++) {
            assertThat((double) Math.abs(actual[j] - expected[j])).as("value %d (scale %s)", j, scale)
                    .isLessThanOrEqualTo(relative * scale);
        }
    }

    /** An fp32 tensor of {@code shape} with values drawn uniformly from {@code [-scale, scale)}. */
    static Tensor uniform(SplittableRandom random, double scale, long... shape) {
        int count = 1;
        for (long d : shape) {
            count *= (int) d;
        }
        float[] values = new float[count];
        for (int i = 0; i < count; i++) {
            values[i] = (float) ((random.nextDouble() * 2 - 1) * scale);
        }
        return Tensors.fromFloats(values, shape);
    }

    /**
     * Asserts that each row of {@code actual} has the reference row's direction (cosine at least 0.99999) and norm
     * (within 1e-4 relative).
     */
    public static void assertFeaturesClose(String what, float[][] actual, float[][] expected) {
        assertThat(actual.length).as(what + " rows").isEqualTo(expected.length);
        for (int i = 0; i < expected.length; i++) {
            assertThat(actual[i]).as(what + " row %d length", i).hasSize(expected[i].length);
            assertThat(cosine(actual[i], expected[i])).as(what + " row %d cosine", i).isGreaterThanOrEqualTo(0.99999);
            assertThat(norm(actual[i]) / norm(expected[i])).as(what + " row %d norm ratio", i)
                    .isCloseTo(1.0, within(1e-4));
        }
    }
}
