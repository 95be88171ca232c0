package io.github.clip4j.testing;

import static java.util.Objects.requireNonNull;

import io.github.clip4j.Embedding;
import io.github.clip4j.EmbeddingModel;
import io.github.clip4j.common.ClipException;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import javax.imageio.ImageIO;

/**
 * A deterministic stand-in for a CLIP model, so the tasks can be tested without weights: a text's embedding is a
 * pseudo-random unit vector seeded by the text; an image's is made of its mean colour over the whole picture and over
 * its four quadrants (centred), so different pictures land in different directions. Records every call.
 *
 * <p>Thread-safe.
 */
public final class FakeEmbeddingModel implements EmbeddingModel {
    /** 3 channels x (whole + 4 quadrants) + a constant. */
    public static final int DIMENSION = 16;

    private final String modelId;
    private final float logitScale;
    private final List<List<String>> textCalls = Collections.synchronizedList(new ArrayList<>());
    private final List<List<Path>> imageCalls = Collections.synchronizedList(new ArrayList<>());

    public FakeEmbeddingModel() {
        this("fake-model", 100f);
    }

    public FakeEmbeddingModel(String modelId, float logitScale) {
        this.modelId = requireNonNull(modelId, "modelId");
        this.logitScale = logitScale;
    }

    @Override
    public String modelId() {
        return modelId;
    }

    @Override
    public int dimension() {
        return DIMENSION;
    }

    @Override
    public float logitScale() {
        return logitScale;
    }

    @Override
    public List<Embedding> embedTexts(List<String> texts) {
        textCalls.add(List.copyOf(texts));
        List<Embedding> out = new ArrayList<>(texts.size());
        for (String text : texts) {
            out.add(textEmbedding(text));
        }
        return out;
    }

    @Override
    public List<Embedding> embedImages(List<Path> images) {
        imageCalls.add(List.copyOf(images));
        List<Embedding> out = new ArrayList<>(images.size());
        for (Path image : images) {
            out.add(imageEmbedding(image));
        }
        return out;
    }

    /** The embedding this fake gives {@code text}, without recording a call. */
    public static Embedding textEmbedding(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        long seed = 1125899906842597L;
        for (byte b : bytes) {
            seed = 31 * seed + b;
        }
        Random random = new Random(seed);
        float[] v = new float[DIMENSION];
        for (int i = 0; i < DIMENSION; i++) {
            v[i] = (float) random.nextGaussian();
        }
        return Embedding.normalize(v);
    }

    /** The embedding this fake gives the image file, without recording a call. */
    public static Embedding imageEmbedding(Path file) {
        BufferedImage image;
        try {
            image = ImageIO.read(file.toFile());
        } catch (IOException e) {
            throw new UnreadableImageException(file + ": cannot decode: " + e.getMessage());
        }
        if (image == null) {
            throw new UnreadableImageException(file + ": not a supported image");
        }
        int w = image.getWidth();
        int h = image.getHeight();
        float[] v = new float[DIMENSION];
        int[][] quadrants = {{0, 0, w, h}, {0, 0, w / 2, h / 2}, {w / 2, 0, w, h / 2}, {0, h / 2, w / 2, h},
                {w / 2, h / 2, w, h}};
        for (int q = 0; q < quadrants.length; q++) {
            int[] r = quadrants[q];
            double[] sum = new double[3];
            int n = 0;
            for (int y = r[1]; y < r[3]; y++) {
                for (int x = r[0]; x < r[2]; x++) {
                    int rgb = image.getRGB(x, y);
                    sum[0] += (rgb >> 16) & 0xff;
                    sum[1] += (rgb >> 8) & 0xff;
                    sum[2] += rgb & 0xff;
                    n++;
                }
            }
            for (int c = 0; c < 3; c++) {
                v[3 * q + c] = (float) (sum[c] / Math.max(1, n) / 255.0 - 0.5);
            }
        }
        v[DIMENSION - 1] = 0.05f;
        return Embedding.normalize(v);
    }

    /** The texts of every {@link #embedTexts} call, one list per call. */
    public List<List<String>> textCalls() {
        return List.copyOf(textCalls);
    }

    /** The files of every {@link #embedImages} call, one list per call. */
    public List<List<Path>> imageCalls() {
        return List.copyOf(imageCalls);
    }

    /** The number of image files embedded over all calls. */
    public int imagesEmbedded() {
        return imageCalls().stream().mapToInt(List::size).sum();
    }

    /** What the real decoder's {@code InvalidImageException} is to this fake. */
    public static final class UnreadableImageException extends io.github.clip4j.InvalidImageException {
        private static final long serialVersionUID = 1L;

        UnreadableImageException(String message) {
            super(message);
        }
    }
}
