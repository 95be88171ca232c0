package io.github.clip4j.cli;

import io.github.clip4j.Clip;
import io.github.clip4j.ImageDecoding;
import io.github.clip4j.examples.chart.ClassificationChart;
import io.github.clip4j.zeroshot.Classification;
import io.github.clip4j.zeroshot.Ensemble;
import io.github.clip4j.zeroshot.Prediction;
import io.github.clip4j.zeroshot.PromptTemplates;
import io.github.clip4j.zeroshot.ZeroShotClassifier;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code clip classify --model M (--labels a,b,c | --label L...) [templates] [--ensemble E] [--top K]
 * [--chart OUT.png [--font FILE]] IMAGE...}: zero-shot classification, one JSON array with each image's
 * predictions, best first.
 *
 * <p>Without template options the labels go into the four {@code seed} templates (the seed article's method), so
 * {@code clip classify} and the library's {@code Clip.classify} (one template, {@code "a photo of a {}"}) differ
 * unless {@code --template "a photo of a {}"} is given.
 */
@Command(name = "classify",
        mixinStandardHelpOptions = true,
        versionProvider = ClipCli.Version.class,
        description = {"Zero-shot classification: which of the labels fits each image best.",
            "Prints one JSON array:",
            "[{\"image\": P, \"predictions\": [{\"label\": L, \"probability\": p, \"score\": s}]}], best first.",
            "score = cosine similarity of the image with the label (after ensembling its templates);"
                    + " probability = softmax over all labels of logit_scale * score.",
            "Default templates: seed (\"a photo of a {}\", \"a picture of a {}\", \"an image of a {}\","
                    + " \"a photo of the {}\"), ensembled by embeddings."})
final class ClassifyCommand implements Callable<Integer> {
    @ParentCommand
    private ClipCli cli;

    @Spec
    private CommandLine.Model.CommandSpec spec;

    @Mixin
    private ModelName model;

    @ArgGroup(exclusive = true, multiplicity = "1")
    private LabelOptions labels;

    @ArgGroup(exclusive = true, multiplicity = "0..1")
    private TemplateOptions templates;

    @Option(names = "--ensemble", paramLabel = "E", defaultValue = "embeddings",
            description = "How a label's templates combine: embeddings (default: average the prompt embeddings,"
                    + " CLIP's method) or scores (average the cosine similarities, the seed article's method).")
    private Ensemble ensemble;

    @Option(names = "--top", paramLabel = "K",
            description = "Print only the K most probable labels per image (default: all).")
    private Integer top;

    @Option(names = "--chart", paramLabel = "OUT.png",
            description = "Also draw each image beside a bar chart of its predictions. With several images, the"
                    + " charts are OUT-1.png, OUT-2.png, ... in the order of the images.")
    private Path chart;

    @Option(names = "--font", paramLabel = "FILE",
            description = "A font file (TTF, OTF or TTC) to draw the --chart with, e.g. for Chinese or Japanese text"
                    + " when no CJK font is installed.")
    private Path font;

    @Parameters(paramLabel = "IMAGE", arity = "1..*", description = "Image files to classify.")
    private List<Path> images = new ArrayList<>();

    @Mixin
    private ModelOptions options;

    @Mixin
    private DecodeOption decode;

    /** The labels: a comma-separated list, or one option per label (for labels that contain commas). */
    static final class LabelOptions {
        @Option(names = "--labels", paramLabel = "a,b,c", split = ",", hideParamSyntax = true, required = true,
                description = "The labels, separated by commas.")
        List<String> list;

        @Option(names = "--label", paramLabel = "L", required = true,
                description = "One label (repeatable; a label may contain commas).")
        List<String> each;

        /** The labels without surrounding spaces, so that {@code --labels "cat, dog"} means "dog", not " dog". */
        List<String> values() {
            return (list != null ? list : each).stream().map(String::strip).toList();
        }
    }

    /** Own templates, or a named set. */
    static final class TemplateOptions {
        @Option(names = "--template", paramLabel = "T", required = true,
                description = "A template with {} where the label goes, e.g. \"a photo of a {}\" (repeatable).")
        List<String> own;

        @Option(names = "--templates", paramLabel = "SET", required = true,
                description = "A named set (PromptTemplates.names()): seed (the default; 4 templates),"
                        + " openai-imagenet (CLIP's 80 ImageNet templates), chinese-imagenet (Chinese-CLIP's 80"
                        + " ImageNet templates), chinese (\"{}的照片。\", the default for Chinese-CLIP models) or"
                        + " none (the bare label).")
        String named;
    }

    @Override
    public Integer call() {
        // The library's own checks, run before the model loads: a typo in a label costs no model load.
        List<String> labelList = ZeroShotClassifier.checkLabels(labels.values());
        PromptTemplates promptTemplates = promptTemplates();
        if (top != null) {
            ZeroShotClassifier.checkTopK(top);
        }
        if (chart != null) {
            OutputFolder.require(chart, "--chart");
        }
        if (font != null && chart == null) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--font is for the chart: give --chart OUT.png too");
        }
        java.awt.Font chartFont = Pictures.font(font);
        List<Classification> results;
        try (Clip clip = cli.loadModel(model.value, options, decode.orDefault(ImageDecoding.EXACT))) {
            ZeroShotClassifier.Builder builder = clip.classifier()
                    .labels(labelList)
                    .templates(promptTemplates != null ? promptTemplates : clip.defaultTemplates())
                    .ensemble(ensemble)
                    .imageBatchSize(options.batchSize);
            if (top != null) {
                builder.topK(top);
            }
            ZeroShotClassifier classifier;
            try {
                classifier = builder.build(); // embeds the prompts
            } catch (IllegalArgumentException e) {
                // Every option was checked above: what is left is the model's output on the prompts.
                throw new ModelOutputException("model " + model.value + " gave unusable text features for the"
                        + " labels' prompts (" + e.getMessage() + "); its weights are probably broken");
            }
            results = classify(clip, classifier);
        }
        if (chart != null) {
            writeCharts(results, chartFont);
        }
        PrintWriter out = spec.commandLine().getOut();
        Json.println(out, toJson(results));
        out.flush();
        return 0;
    }

    private List<Classification> classify(Clip clip, ZeroShotClassifier classifier) {
        try (Progress progress = cli.progress("Classifying",
                images.size() > options.batchSize ? images.size() : 0)) {
            return options.inBatches(images, progress, batch -> {
                try {
                    return classifier.classify(batch);
                } catch (IllegalArgumentException e) {
                    // e.g. "cannot normalize a vector of norm NaN": name the image instead
                    throw ModelOutputException.forImages(clip, model.value, batch, e);
                }
            });
        }
    }

    private PromptTemplates promptTemplates() {
        if (templates == null) {
            return null; // the model's default: seed, or "{}的照片。" for Chinese-CLIP
        }
        return templates.own != null ? PromptTemplates.of(templates.own) : PromptTemplates.named(templates.named);
    }

    private void writeCharts(List<Classification> results, java.awt.Font chartFont) {
        for (int i = 0; i < results.size(); i++) {
            Path file = results.size() == 1 ? chart : numbered(chart, i + 1);
            Classification classification = results.get(i);
            Pictures.write(file, png -> ClassificationChart.write(classification, png, chartFont));
        }
    }

    /** {@code out.png} with {@code -n} before the extension: {@code out-2.png}. */
    static Path numbered(Path file, int n) {
        String name = file.getFileName().toString();
        int dot = name.lastIndexOf('.');
        String numbered = dot > 0 ? name.substring(0, dot) + "-" + n + name.substring(dot) : name + "-" + n;
        return file.resolveSibling(numbered);
    }

    private static List<Map<String, Object>> toJson(List<Classification> results) {
        List<Map<String, Object>> json = new ArrayList<>(results.size());
        for (Classification c : results) {
            List<Map<String, Object>> predictions = new ArrayList<>();
            for (Prediction p : c.predictions()) {
                if (!Double.isFinite(p.score()) || !Double.isFinite(p.probability())) {
                    throw new ModelOutputException("the model gave a non-finite " + (Double.isFinite(p.score())
                            ? "probability" : "score") + " for image " + c.image().map(Path::toString).orElse("?")
                            + " and label " + Json.toJson(p.label())
                            + "; the model's weights are probably broken (NaN or infinite)");
                }
                Map<String, Object> prediction = new LinkedHashMap<>();
                prediction.put("label", p.label());
                prediction.put("probability", p.probability());
                prediction.put("score", p.score());
                predictions.add(prediction);
            }
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("image", c.image().map(Path::toString).orElse(null));
            entry.put("predictions", predictions);
            json.add(entry);
        }
        return json;
    }
}
