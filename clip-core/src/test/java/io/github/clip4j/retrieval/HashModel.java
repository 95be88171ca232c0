package io.github.clip4j.retrieval;

import io.github.clip4j.Embedding;
import io.github.clip4j.EmbeddingModel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;

/** A model that never reads its images: an embedding from the file name's hash, so thousands of files cost nothing. */
final class HashModel implements EmbeddingModel {
    static final int DIMENSION = 8;
    private final String id;
    final AtomicInteger imagesEmbedded = new AtomicInteger();

    HashModel(String id) {
        this.id = id;
    }

    @Override
    public String modelId() {
        return id;
    }

    @Override
    public int dimension() {
        return DIMENSION;
    }

    @Override
    public float logitScale() {
        return 100;
    }

    @Override
    public List<Embedding> embedTexts(List<String> texts) {
        List<Embedding> out = new ArrayList<>();
        texts.forEach(t -> out.add(of(t)));
        return out;
    }

    @Override
    public List<Embedding> embedImages(List<Path> images) {
        imagesEmbedded.addAndGet(images.size());
        List<Embedding> out = new ArrayList<>();
        images.forEach(p -> out.add(of(p.getFileName().toString())));
        return out;
    }

    static Embedding of(String key) {
        Random random = new Random(new String(key.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8).hashCode());
        float[] v = new float[DIMENSION];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) random.nextGaussian();
        }
        return Embedding.normalize(v);
    }
}
