package io.github.clip4j.zeroshot;

import static java.util.Objects.requireNonNull;

import io.github.clip4j.Embedding;
import io.github.clip4j.EmbeddingModel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Zero-shot image classification: an image gets the label whose prompts it matches best, for any labels, with
 * no training.
 *
 * <pre>{@code
 * ZeroShotClassifier classifier = ZeroShotClassifier.builder(clip)
 *         .labels("cat", "dog", "car")
 *         .templates(PromptTemplates.OPENAI_IMAGENET)   // default: PromptTemplates.SEED
 *         .build();                                      // every prompt is embedded here, once
 * Classification c = classifier.classify(Path.of("cat.jpg"));
 * System.out.println(c.best().label() + " " + c.best().probability());
 * }</pre>
 *
 * <p>A label's score is the cosine similarity between the image and the label after ensembling its templates (see
 * {@link Ensemble}); its probability is the softmax over all labels of {@link EmbeddingModel#logitScale()} times the
 * score, as CLIP computes {@code logits_per_image.softmax(dim=-1)}. Labels are plain text in any language.
 *
 * <p>Immutable and thread-safe once built; classifying only embeds the images.
 */
public final class ZeroShotClassifier {
    private static final Logger log = LoggerFactory.getLogger(ZeroShotClassifier.class);

    private final EmbeddingModel model;
    private final List<String> labels;
    private final PromptTemplates templates;
    private final Ensemble ensemble;
    private final int topK;
    private final int imageBatchSize;
    /** Per label: one embedding ({@link Ensemble#EMBEDDINGS}) or one per template ({@link Ensemble#SCORES}). */
    private final List<List<Embedding>> labelEmbeddings;

    private ZeroShotClassifier(Builder b, List<List<Embedding>> labelEmbeddings) {
        this.model = b.model;
        this.labels = b.labels;
        this.templates = b.templates;
        this.ensemble = b.ensemble;
        this.topK = Math.min(b.topK, b.labels.size());
        this.imageBatchSize = b.imageBatchSize;
        this.labelEmbeddings = labelEmbeddings;
    }

    /**
     * A builder of a classifier over {@code model}'s embeddings.
     *
     * @param model the model that embeds the prompts and the images, not null; it stays the caller's to close
     * @return a new builder with the default templates ({@link PromptTemplates#SEED}) and no labels yet
     */
    public static Builder builder(EmbeddingModel model) {
        return new Builder(model);
    }

    /**
     * The rule for {@link Builder#topK(int)}, for tools that check their options before loading a model.
     *
     * @param k the number of predictions to keep per image
     * @return {@code k}
     * @throws IllegalArgumentException if {@code k < 1}
     */
    public static int checkTopK(int k) {
        if (k < 1) {
            throw new IllegalArgumentException("top-k must be at least 1, got " + k);
        }
        return k;
    }

    /**
     * The labels as {@link Builder#labels(Collection)} takes them: checked and copied. A tool can check labels a user
     * gave with it before it loads a model, with the builder's own rules.
     *
     * <pre>{@code
     * List<String> labels = ZeroShotClassifier.checkLabels(List.of(args));   // fails fast, before Clip.load()
     * }</pre>
     *
     * @param labels one or more distinct labels, not blank, not null
     * @return the labels, unmodifiable, in the collection's iteration order
     * @throws IllegalArgumentException if there are none, one is blank, or one is repeated (the message says which)
     */
    public static List<String> checkLabels(Collection<String> labels) {
        requireNonNull(labels, "labels");
        if (labels.isEmpty()) {
            throw new IllegalArgumentException("at least one label is needed");
        }
        Map<String, Integer> seen = new HashMap<>();
        List<String> copy = new ArrayList<>(labels.size());
        for (String label : labels) {
            int i = copy.size();
            requireNonNull(label, "label " + i);
            if (label.isBlank()) {
                throw new IllegalArgumentException("label " + i + " is blank; every label needs some text");
            }
            Integer first = seen.putIfAbsent(label, i);
            if (first != null) {
                throw new IllegalArgumentException("label \"" + label + "\" is given twice (at " + first + " and "
                        + i + "); each label must be distinct");
            }
            copy.add(label);
        }
        return List.copyOf(copy);
    }

    /**
     * The labels this classifier chooses from.
     *
     * @return the labels, unmodifiable, in the order given
     */
    public List<String> labels() {
        return labels;
    }

    /**
     * The templates each label was put into.
     *
     * @return the templates given to the builder
     */
    public PromptTemplates templates() {
        return templates;
    }

    /**
     * How the templates of a label are combined.
     *
     * @return the ensemble given to the builder
     */
    public Ensemble ensemble() {
        return ensemble;
    }

    /**
     * How many predictions a classification keeps.
     *
     * @return the top-k set on the builder, or the number of labels when it was not set or is larger
     */
    public int topK() {
        return topK;
    }

    /**
     * Classifies one image file.
     *
     * @param image the image file, not null
     * @return the predictions for it, best first
     * @throws io.github.clip4j.common.ClipException if the image cannot be read (the message names it)
     */
    public Classification classify(Path image) {
        requireNonNull(image, "image");
        return classify(image, model.embedImage(image));
    }

    /**
     * Classifies image files, embedded in batches of the builder's image batch size.
     *
     * @param images the image files, not null and without null elements; may be empty
     * @return one classification per file, in the order of {@code images}
     * @throws io.github.clip4j.common.ClipException if an image cannot be read (the message names it)
     */
    public List<Classification> classify(List<Path> images) {
        requireNonNull(images, "images");
        List<Embedding> embeddings = embedInBatches(images, imageBatchSize, model::embedImages, "embedImages");
        List<Classification> results = new ArrayList<>(images.size());
        for (int i = 0; i < images.size(); i++) {
            results.add(classify(requireNonNull(images.get(i), "image " + i), embeddings.get(i)));
        }
        return results;
    }

    /**
     * Classifies an image that is already embedded (with the same model), e.g. one read back from an
     * {@code ImageIndex}; no model call is made.
     *
     * @param image the image's embedding, not null
     * @return the predictions for it, best first, without an image path
     * @throws IllegalArgumentException if the embedding's dimension is not the model's
     */
    public Classification classify(Embedding image) {
        return classify(null, image);
    }

    private Classification classify(Path path, Embedding image) {
        requireNonNull(image, "image embedding");
        int n = labels.size();
        double[] scores = new double[n];
        for (int i = 0; i < n; i++) {
            scores[i] = score(image, labelEmbeddings.get(i));
        }
        double[] probabilities = softmax(scores, model.logitScale());
        Integer[] order = new Integer[n];
        Arrays.setAll(order, i -> i);
        // Stable: equal probabilities keep the labels' order.
        Arrays.sort(order, Comparator.comparingDouble((Integer i) -> probabilities[i]).reversed());
        List<Prediction> predictions = new ArrayList<>(topK);
        for (int rank = 0; rank < topK; rank++) {
            int i = order[rank];
            predictions.add(new Prediction(labels.get(i), probabilities[i], scores[i]));
        }
        return new Classification(path, predictions);
    }

    /** The mean cosine over the label's embeddings: one for EMBEDDINGS, one per template for SCORES. */
    private static double score(Embedding image, List<Embedding> label) {
        double sum = 0;
        for (Embedding e : label) {
            sum += image.dot(e);
        }
        return sum / label.size();
    }

    /** {@code softmax(scale * scores)} in double, shifted by the maximum so that no exponential overflows. */
    static double[] softmax(double[] scores, double scale) {
        double max = Double.NEGATIVE_INFINITY;
        for (double s : scores) {
            max = Math.max(max, scale * s);
        }
        double[] p = new double[scores.length];
        double sum = 0;
        for (int i = 0; i < scores.length; i++) {
            p[i] = Math.exp(scale * scores[i] - max);
            sum += p[i];
        }
        for (int i = 0; i < p.length; i++) {
            p[i] /= sum;
        }
        return p;
    }

    /**
     * The embeddings of {@code inputs}, in order, from calls of {@code embed} on at most {@code batchSize} inputs each.
     * A model that returns the wrong number of embeddings for a batch is a bug in that model: it fails here rather
     * than pairing labels or images with the wrong embeddings.
     */
    private static <T> List<Embedding> embedInBatches(List<T> inputs, int batchSize,
            Function<List<T>, List<Embedding>> embed, String method) {
        List<Embedding> embedded = new ArrayList<>(inputs.size());
        for (int from = 0; from < inputs.size(); from += batchSize) {
            List<T> batch = inputs.subList(from, Math.min(inputs.size(), from + batchSize));
            List<Embedding> result = embed.apply(batch);
            if (result == null || result.size() != batch.size()) {
                throw new IllegalStateException("the model's " + method + " returned "
                        + (result == null ? "null" : result.size() + " embeddings") + " for " + batch.size()
                        + " inputs");
            }
            embedded.addAll(result);
        }
        return embedded;
    }

    @Override
    public String toString() {
        return "ZeroShotClassifier[" + labels.size() + " labels, " + templates.size() + " templates, " + ensemble
                + ", model " + model.modelId() + "]";
    }

    /**
     * Collects and validates the settings of a {@link ZeroShotClassifier}; {@link #build()} embeds the prompts.
     * Not thread-safe.
     */
    public static final class Builder {
        private final EmbeddingModel model;
        private List<String> labels = List.of();
        private PromptTemplates templates = PromptTemplates.SEED;
        private Ensemble ensemble = Ensemble.EMBEDDINGS;
        private int topK = Integer.MAX_VALUE;
        private int textBatchSize = 256;
        private int imageBatchSize = 32;

        private Builder(EmbeddingModel model) {
            this.model = requireNonNull(model, "model");
        }

        /**
         * The labels to choose from, in any language ({@code "cat"}, {@code "猫"}); replaces labels set before.
         *
         * @param labels one or more distinct labels, not blank
         * @return this builder
         * @throws IllegalArgumentException if there are none, one is blank, or one is repeated
         */
        public Builder labels(String... labels) {
            requireNonNull(labels, "labels");
            return labels(Arrays.asList(labels));
        }

        /**
         * The labels to choose from, in the collection's iteration order; replaces labels set before.
         *
         * @param labels one or more distinct labels, not blank, not null; copied
         * @return this builder
         * @throws IllegalArgumentException as {@link #labels(String...)}
         */
        public Builder labels(Collection<String> labels) {
            this.labels = checkLabels(labels);
            return this;
        }

        /**
         * The templates each label is put into; default {@link PromptTemplates#SEED}. More templates usually mean
         * better accuracy and a slower {@link #build()}.
         *
         * @param templates the templates, not null
         * @return this builder
         */
        public Builder templates(PromptTemplates templates) {
            this.templates = requireNonNull(templates, "templates");
            return this;
        }

        /**
         * Templates given as text, each with a {@code {}} where the label goes.
         *
         * @param templates one or more templates, e.g. {@code "a photo of a {}."}
         * @return this builder
         * @throws IllegalArgumentException as {@link PromptTemplates#of(String...)}
         */
        public Builder templates(String... templates) {
            return templates(PromptTemplates.of(templates));
        }

        /**
         * How the templates of a label are combined; default {@link Ensemble#EMBEDDINGS}, as OpenAI's notebooks do.
         *
         * @param ensemble the ensemble, not null
         * @return this builder
         */
        public Builder ensemble(Ensemble ensemble) {
            this.ensemble = requireNonNull(ensemble, "ensemble");
            return this;
        }

        /**
         * Keep only the {@code k} most probable labels per image (probabilities are still over all labels);
         * default all. A {@code k} above the number of labels keeps all.
         *
         * @param k the number of predictions to keep, at least 1
         * @return this builder
         * @throws IllegalArgumentException if {@code k < 1}
         */
        public Builder topK(int k) {
            this.topK = checkTopK(k);
            return this;
        }

        /**
         * How many prompts go to the model per {@link EmbeddingModel#embedTexts} call; default 256.
         *
         * @param size the batch size, at least 1
         * @return this builder
         * @throws IllegalArgumentException if {@code size < 1}
         */
        public Builder textBatchSize(int size) {
            this.textBatchSize = checkBatchSize(size);
            return this;
        }

        /**
         * How many images go to the model per {@link EmbeddingModel#embedImages} call; default 32.
         *
         * @param size the batch size, at least 1
         * @return this builder
         * @throws IllegalArgumentException if {@code size < 1}
         */
        public Builder imageBatchSize(int size) {
            this.imageBatchSize = checkBatchSize(size);
            return this;
        }

        private static int checkBatchSize(int size) {
            if (size < 1) {
                throw new IllegalArgumentException("batch size must be at least 1, got " + size);
            }
            return size;
        }

        /**
         * Embeds every prompt (labels x templates) once, in batches, and returns the classifier. This is the slow
         * step: e.g. 1,000 labels with 80 templates are 80,000 prompts.
         *
         * @return a new, immutable classifier
         * @throws IllegalStateException if no labels were set
         */
        public ZeroShotClassifier build() {
            if (labels.isEmpty()) {
                throw new IllegalStateException("no labels: call labels(...) before build()");
            }
            long start = System.nanoTime();
            List<String> prompts = new ArrayList<>(labels.size() * templates.size());
            for (String label : labels) {
                prompts.addAll(templates.apply(label));
            }
            List<Embedding> embedded = embedInBatches(prompts, textBatchSize, model::embedTexts, "embedTexts");
            int t = templates.size();
            List<List<Embedding>> perLabel = new ArrayList<>(labels.size());
            for (int i = 0; i < labels.size(); i++) {
                List<Embedding> own = embedded.subList(i * t, (i + 1) * t);
                perLabel.add(ensemble == Ensemble.EMBEDDINGS ? List.of(Embedding.mean(own)) : List.copyOf(own));
            }
            log.debug("embedded {} prompts ({} labels x {} templates) in {} ms", prompts.size(), labels.size(), t,
                    (System.nanoTime() - start) / 1_000_000);
            return new ZeroShotClassifier(this, List.copyOf(perLabel));
        }
    }
}
