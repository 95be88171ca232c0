package io.github.clip4j.examples;

import io.github.clip4j.Clip;
import io.github.clip4j.examples.chart.ClassificationChart;
import io.github.clip4j.zeroshot.Classification;
import io.github.clip4j.zeroshot.Ensemble;
import io.github.clip4j.zeroshot.Prediction;
import io.github.clip4j.zeroshot.PromptTemplates;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * Zero-shot classification of one image, two ways: each label in one template ({@code "a photo of a {}"}), and
 * in the four SEED templates with their scores averaged (the method of the article this project started from).
 * Prints every label's score and probability for both, and draws the ensemble's result as a chart.
 *
 * <pre>
 * java -cp ... io.github.clip4j.examples.ZeroShotExample ViT-B/32 street.jpg street-chart.png
 * java -cp ... io.github.clip4j.examples.ZeroShotExample ViT-B/32 cat.jpg chart.png cat dog 一只猫
 * </pre>
 */
public final class ZeroShotExample {
    /** The labels when none are given. */
    public static final List<String> DEFAULT_LABELS = List.of("cat", "dog", "car", "tree", "book");

    private ZeroShotExample() {}

    /**
     * Classifies one image with a single template and with the SEED ensemble, prints both, and draws a chart.
     *
     * @param args {@code MODEL IMAGE OUT.png [LABELS...]}: a model name or checkpoint path, the image, the PNG
     *     file the chart is written to, and the labels ({@link #DEFAULT_LABELS} when none); prints the usage when
     *     fewer than three are given
     * @throws IOException if the chart cannot be written
     */
    public static void main(String[] args) throws IOException {
        if (args.length < 3) {
            System.err.println("usage: ZeroShotExample MODEL IMAGE OUT.png [LABELS...]");
            return;
        }
        System.setProperty("java.awt.headless", "true"); // draw without a display
        Path image = Path.of(args[1]);
        Path chart = Path.of(args[2]);
        List<String> labels = args.length > 3 ? Arrays.asList(args).subList(3, args.length) : DEFAULT_LABELS;

        try (Clip clip = Clip.load(args[0])) {
            Classification oneTemplate = clip.classifier()
                    .labels(labels)
                    .templates("a photo of a {}")
                    .build()
                    .classify(image);
            Classification ensemble = clip.classifier()
                    .labels(labels)
                    .templates(PromptTemplates.SEED)
                    .ensemble(Ensemble.SCORES)
                    .build()
                    .classify(image);

            System.out.printf("%-16s %22s %22s%n", "label", "\"a photo of a {}\"", "SEED ensemble");
            for (String label : labels) {
                System.out.printf("%-16s %22s %22s%n", label, describe(oneTemplate, label), describe(ensemble, label));
            }
            System.out.println("best: " + ensemble.best().label());

            ClassificationChart.write(ensemble, chart);
            System.out.println("chart: " + chart);
        }
    }

    /** "score (probability)" of {@code label}, e.g. {@code 0.2712 ( 93.1%)}. */
    private static String describe(Classification classification, String label) {
        for (Prediction p : classification.predictions()) {
            if (p.label().equals(label)) {
                return String.format("%.4f (%5.1f%%)", p.score(), 100 * p.probability());
            }
        }
        throw new IllegalStateException("no prediction for " + label);
    }
}
