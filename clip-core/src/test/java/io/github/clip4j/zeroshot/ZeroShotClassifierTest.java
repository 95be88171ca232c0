package io.github.clip4j.zeroshot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.github.clip4j.Embedding;
import io.github.clip4j.testing.FakeEmbeddingModel;
import io.github.clip4j.testing.TestImages;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ZeroShotClassifierTest {
    private static final List<String> LABELS = List.of("cat", "dog", "car", "tree", "book");

    private final FakeEmbeddingModel model = new FakeEmbeddingModel();

    static List<Arguments> ensemblesAndTemplates() {
        List<Arguments> cases = new ArrayList<>();
        for (Ensemble e : Ensemble.values()) {
            for (PromptTemplates t : List.of(PromptTemplates.SEED, PromptTemplates.OPENAI_IMAGENET,
                    PromptTemplates.NONE)) {
                cases.add(Arguments.of(e, t));
            }
        }
        return cases;
    }

    /** Scores and probabilities recomputed here in double, from the fake's embeddings, by the definitions. */
    @ParameterizedTest
    @MethodSource("ensemblesAndTemplates")
    void scoresAndProbabilitiesFollowTheDefinitions(Ensemble ensemble, PromptTemplates templates) {
        ZeroShotClassifier classifier = ZeroShotClassifier.builder(model)
                .labels(LABELS).templates(templates).ensemble(ensemble).build();
        Embedding image = FakeEmbeddingModel.textEmbedding("a photo of a dog on a beach");

        double[] expectedScores = new double[LABELS.size()];
        for (int i = 0; i < LABELS.size(); i++) {
            List<Embedding> prompts = new ArrayList<>();
            for (String p : templates.apply(LABELS.get(i))) {
                prompts.add(FakeEmbeddingModel.textEmbedding(p));
            }
            expectedScores[i] = ensemble == Ensemble.EMBEDDINGS ? cosineWithNormalizedMean(image, prompts)
                    : meanCosine(image, prompts);
        }
        double max = Double.NEGATIVE_INFINITY;
        for (double s : expectedScores) {
            max = Math.max(max, 100 * s);
        }
        double total = 0;
        for (double s : expectedScores) {
            total += Math.exp(100 * s - max);
        }

        Classification c = classifier.classify(image);
        assertThat(c.predictions()).hasSize(LABELS.size());
        assertThat(c.image()).isEmpty();
        for (Prediction p : c.predictions()) {
            int i = LABELS.indexOf(p.label());
            assertThat(p.score()).as(p.label()).isCloseTo(expectedScores[i], within(1e-6));
            assertThat(p.probability()).as(p.label())
                    .isCloseTo(Math.exp(100 * expectedScores[i] - max) / total, within(1e-4));
        }
        assertThat(c.predictions().stream().mapToDouble(Prediction::probability).sum()).isCloseTo(1, within(1e-12));
    }

    private static double cosineWithNormalizedMean(Embedding image, List<Embedding> prompts) {
        double[] mean = new double[image.dimension()];
        for (Embedding e : prompts) {
            for (int d = 0; d < mean.length; d++) {
                mean[d] += e.get(d) / (double) prompts.size();
            }
        }
        double norm = 0;
        double dot = 0;
        for (int d = 0; d < mean.length; d++) {
            norm += mean[d] * mean[d];
            dot += mean[d] * image.get(d);
        }
        return dot / Math.sqrt(norm);
    }

    private static double meanCosine(Embedding image, List<Embedding> prompts) {
        double sum = 0;
        for (Embedding e : prompts) {
            for (int d = 0; d < image.dimension(); d++) {
                sum += (double) e.get(d) * image.get(d);
            }
        }
        return sum / prompts.size();
    }

    @Test
    void theEnsemblesDifferWithSeveralTemplatesAndAgreeWithOne() {
        Embedding image = FakeEmbeddingModel.textEmbedding("an image of a car");
        Map<Ensemble, Classification> seed = new HashMap<>();
        Map<Ensemble, Classification> single = new HashMap<>();
        for (Ensemble e : Ensemble.values()) {
            seed.put(e, ZeroShotClassifier.builder(model).labels(LABELS).ensemble(e).build().classify(image));
            single.put(e, ZeroShotClassifier.builder(model).labels(LABELS).ensemble(e)
                    .templates("a photo of a {}").build().classify(image));
        }
        assertThat(seed.get(Ensemble.EMBEDDINGS).best().score())
                .isNotCloseTo(seed.get(Ensemble.SCORES).best().score(), within(1e-3));
        for (int i = 0; i < LABELS.size(); i++) {
            Prediction a = single.get(Ensemble.EMBEDDINGS).predictions().get(i);
            Prediction b = single.get(Ensemble.SCORES).predictions().get(i);
            assertThat(a.label()).isEqualTo(b.label());
            assertThat(a.score()).isCloseTo(b.score(), within(1e-6));
        }
    }

    @Test
    void theLabelWhosePromptTheImageMatchesComesFirst() {
        ZeroShotClassifier classifier = ZeroShotClassifier.builder(model).labels(LABELS).build();
        for (String label : LABELS) {
            Classification c = classifier.classify(FakeEmbeddingModel.textEmbedding("a photo of a " + label));
            assertThat(c.best().label()).isEqualTo(label);
            List<Prediction> p = c.predictions();
            for (int i = 1; i < p.size(); i++) {
                assertThat(p.get(i).probability()).isLessThanOrEqualTo(p.get(i - 1).probability());
                assertThat(p.get(i).score()).isLessThanOrEqualTo(p.get(i - 1).score());
            }
        }
    }

    @Test
    void topKKeepsTheBestAfterTheSoftmaxOverAllLabels() {
        // A low temperature spreads the probabilities, so that dropping labels visibly loses mass.
        FakeEmbeddingModel cool = new FakeEmbeddingModel("cool", 1f);
        Embedding image = FakeEmbeddingModel.textEmbedding("a picture of a tree");
        Classification all = ZeroShotClassifier.builder(cool).labels(LABELS).build().classify(image);
        Classification top2 = ZeroShotClassifier.builder(cool).labels(LABELS).topK(2).build().classify(image);
        assertThat(top2.predictions()).containsExactlyElementsOf(all.predictions().subList(0, 2));
        assertThat(top2.predictions().stream().mapToDouble(Prediction::probability).sum()).isLessThan(0.9);
        assertThat(ZeroShotClassifier.builder(cool).labels(LABELS).topK(50).build().classify(image).predictions())
                .hasSize(LABELS.size());
    }

    @Test
    void everyPromptIsEmbeddedOnceInBatchesAtBuildTime(@TempDir Path dir) throws Exception {
        ZeroShotClassifier classifier = ZeroShotClassifier.builder(model)
                .labels(LABELS).templates(PromptTemplates.SEED).textBatchSize(7).build();
        List<List<String>> calls = model.textCalls();
        List<String> all = calls.stream().flatMap(List::stream).toList();
        assertThat(all).hasSize(20).doesNotHaveDuplicates()
                .startsWith("a photo of a cat", "a picture of a cat").endsWith("a photo of the book");
        assertThat(calls).hasSize(3).allMatch(call -> call.size() <= 7);

        classifier.classify(TestImages.writePng(dir.resolve("a.png"), 1));
        classifier.classify(FakeEmbeddingModel.textEmbedding("x"));
        assertThat(model.textCalls()).hasSize(3);
    }

    @Test
    void imagesAreClassifiedInBatchesInOrder(@TempDir Path dir) throws Exception {
        List<Path> images = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            images.add(TestImages.writePng(dir.resolve("img" + i + ".png"), i));
        }
        ZeroShotClassifier classifier = ZeroShotClassifier.builder(model).labels(LABELS).imageBatchSize(2).build();
        List<Classification> results = classifier.classify(images);
        assertThat(model.imageCalls()).extracting(List::size).containsExactly(2, 2, 1);
        assertThat(results).hasSize(5);
        for (int i = 0; i < 5; i++) {
            assertThat(results.get(i).image()).contains(images.get(i));
            assertThat(results.get(i)).isEqualTo(classifier.classify(images.get(i)));
        }
    }

    @Test
    void nonEnglishLabelsAreJustText() {
        List<String> labels = List.of("猫", "狗", "汽车");
        ZeroShotClassifier classifier = ZeroShotClassifier.builder(model).labels(labels)
                .templates("一张{}的照片").build();
        assertThat(model.textCalls().get(0)).containsExactly("一张猫的照片", "一张狗的照片", "一张汽车的照片");
        assertThat(classifier.classify(FakeEmbeddingModel.textEmbedding("一张狗的照片")).best().label()).isEqualTo("狗");
    }

    @Test
    void theSoftmaxIsStableForLargeScales() {
        FakeEmbeddingModel hot = new FakeEmbeddingModel("hot", 1e6f);
        Classification c = ZeroShotClassifier.builder(hot).labels(LABELS).build()
                .classify(FakeEmbeddingModel.textEmbedding("a photo of a book"));
        assertThat(c.best().label()).isEqualTo("book");
        assertThat(c.best().probability()).isCloseTo(1, within(1e-9));
        assertThat(c.predictions()).allMatch(p -> !Double.isNaN(p.probability()));
    }

    @Test
    void invalidSettingsAreRefusedWithUsefulMessages() {
        ZeroShotClassifier.Builder b = ZeroShotClassifier.builder(model);
        assertThatThrownBy(() -> b.labels(List.of())).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("at least one label");
        assertThatThrownBy(() -> b.labels("cat", " ")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("label 1 is blank");
        assertThatThrownBy(() -> b.labels("cat", "dog", "cat")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("\"cat\"").hasMessageContaining("twice");
        assertThatThrownBy(() -> b.templates("a photo")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("\"a photo\"");
        assertThatThrownBy(() -> b.topK(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> b.textBatchSize(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(b::build).isInstanceOf(IllegalStateException.class).hasMessageContaining("labels");
        assertThat(model.textCalls()).isEmpty();
    }

    @Test
    void labelsCanBeCheckedWithoutAModelByTheBuildersRules() {
        assertThat(ZeroShotClassifier.checkLabels(List.of("cat", "猫"))).containsExactly("cat", "猫");
        assertThatThrownBy(() -> ZeroShotClassifier.checkLabels(List.of("cat", ""))).isInstanceOf(
                IllegalArgumentException.class).hasMessageContaining("label 1 is blank");
        assertThatThrownBy(() -> ZeroShotClassifier.checkLabels(List.of("cat", "cat"))).isInstanceOf(
                IllegalArgumentException.class).hasMessageContaining("twice");
    }
}
