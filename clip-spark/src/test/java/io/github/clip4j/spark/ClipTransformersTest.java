package io.github.clip4j.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.github.clip4j.Clip;
import io.github.clip4j.Embedding;
import io.github.clip4j.zeroshot.Prediction;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import scala.collection.Seq;

/** The three stages in local mode against the same model called directly: same numbers, per-row errors. */
class ClipTransformersTest {
    private static SparkSession spark;
    private static Clip clip;
    private static Path model;

    @TempDir
    static Path dir;

    @BeforeAll
    static void start() throws Exception {
        model = SparkFixtures.tinyModel();
        SparkFixtures.imageFolder(dir);
        spark = SparkFixtures.session();
        clip = Clip.load(model);
    }

    @AfterAll
    static void stop() {
        if (spark != null) {
            spark.stop();
        }
        if (clip != null) {
            clip.close();
        }
    }

    private static Dataset<Row> paths(String... values) {
        return spark.createDataset(Arrays.asList(values), Encoders.STRING()).toDF("path").repartition(2);
    }

    private static float[] floats(Row row, String column) {
        Seq<Object> seq = row.getSeq(row.fieldIndex(column));
        float[] out = new float[seq.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = (Float) seq.apply(i);
        }
        return out;
    }

    private static Row rowOf(List<Row> rows, String column, String value) {
        return rows.stream().filter(r -> value.equals(r.getAs(column))).findFirst().orElseThrow();
    }

    @Test
    void imageEmbeddingsEqualTheModelsAndBadRowsGetAnError() {
        String good1 = dir.resolve("chelsea.png").toString();
        String good2 = dir.resolve("a/b/rocket.jpg").toString();
        String broken = dir.resolve("c/broken.jpg").toString();
        String missing = dir.resolve("missing.png").toString();
        String remote = "s3a://bucket/cat.png";
        String notImage = dir.resolve("c/notes.txt").toString();
        Dataset<Row> in = paths(good1, broken, good2, missing, remote, notImage, good1, "bad\u0000path")
                .union(spark.sql("select cast(null as string) as path"));
        List<Row> rows = new ClipImageEmbedder().setModel(model.toString()).setBatchSize(3).transform(in)
                .collectAsList();
        assertThat(rows).hasSize(9);
        List<Embedding> expected = clip.embedImages(List.of(Path.of(good1), Path.of(good2)));
        assertThat(floats(rowOf(rows, "path", good1), "embedding")).containsExactly(expected.get(0).toArray(),
                within(1e-6f));
        assertThat(floats(rowOf(rows, "path", good2), "embedding")).containsExactly(expected.get(1).toArray(),
                within(1e-6f));
        for (String bad : List.of(broken, missing, remote, notImage, "bad\u0000path")) {
            Row r = rowOf(rows, "path", bad);
            assertThat(r.isNullAt(r.fieldIndex("embedding"))).as(bad).isTrue();
            assertThat(r.<String>getAs("error")).as(bad).isNotBlank();
        }
        assertThat(rowOf(rows, "path", broken).<String>getAs("error")).contains("truncated");
        assertThat(rowOf(rows, "path", remote).<String>getAs("error")).contains("binaryFile");
        Row nullRow = rows.stream().filter(r -> r.isNullAt(0)).findFirst().orElseThrow();
        assertThat(nullRow.<String>getAs("error")).contains("null");
        assertThat(rowOf(rows, "path", good1).<String>getAs("error")).isNull();
    }

    @Test
    void rawFeaturesAsVectors() {
        String good = dir.resolve("coffee.png").toString();
        Row row = new ClipImageEmbedder().setModel(model.toString()).setNormalize(false).setOutputType("vector")
                .setOutputCol("features").transform(paths(good)).first();
        float[] raw = clip.imageFeatures(List.of(Path.of(good)))[0];
        double[] got = row.<Vector>getAs("features").toArray();
        assertThat(got).hasSize(raw.length);
        for (int i = 0; i < raw.length; i++) {
            assertThat(got[i]).isCloseTo(raw[i], within(1e-5));
        }
    }

    @Test
    void binaryFileContentGivesTheSameEmbeddingsAsPaths() {
        Dataset<Row> files = spark.read().format("binaryFile").option("recursiveFileLookup", "true")
                .option("pathGlobFilter", "*.{png,jpg}").load(dir.toString());
        List<Row> rows = new ClipImageEmbedder().setModel(model.toString()).setContentCol("content")
                .transform(files).select("path", "embedding", "error").collectAsList();
        assertThat(rows).hasSize(6);
        int ok = 0;
        for (Row r : rows) {
            String path = r.getString(0);
            if (path.endsWith("broken.jpg")) {
                assertThat(r.isNullAt(1)).isTrue();
                assertThat(r.getString(2)).isNotBlank();
                continue;
            }
            Embedding expected = clip.embedImage(Path.of(java.net.URI.create(path)));
            assertThat(floats(r, "embedding")).as(path).containsExactly(expected.toArray(), within(1e-6f));
            ok++;
        }
        assertThat(ok).isEqualTo(5);
        // The binaryFile source's file: URIs also work as paths.
        List<Row> byUri = new ClipImageEmbedder().setModel(model.toString()).transform(files.select("path"))
                .collectAsList();
        assertThat(byUri.stream().filter(r -> r.isNullAt(r.fieldIndex("error"))).count()).isEqualTo(5);
    }

    @Test
    void textEmbeddingsEqualTheModels() {
        List<String> texts = Arrays.asList("a cat", "a photo of a dog", "", "a cat");
        Dataset<Row> in = spark.createDataset(texts, Encoders.STRING()).toDF("text")
                .union(spark.sql("select cast(null as string) as text"));
        List<Row> rows = new ClipTextEmbedder().setModel(model.toString()).setBatchSize(2).transform(in)
                .collectAsList();
        List<Embedding> expected = clip.embedTexts(List.of("a cat", "a photo of a dog", ""));
        assertThat(floats(rowOf(rows, "text", "a cat"), "embedding")).containsExactly(expected.get(0).toArray(),
                within(1e-6f));
        assertThat(floats(rowOf(rows, "text", "a photo of a dog"), "embedding"))
                .containsExactly(expected.get(1).toArray(), within(1e-6f));
        assertThat(floats(rowOf(rows, "text", ""), "embedding")).containsExactly(expected.get(2).toArray(),
                within(1e-6f));
        Row nullRow = rows.stream().filter(r -> r.isNullAt(0)).findFirst().orElseThrow();
        assertThat(nullRow.isNullAt(1)).isTrue();
    }

    @Test
    void zeroShotLabelsEqualTheModelsClassifier() {
        String[] labels = {"cat", "coffee", "rocket"};
        String[] templates = {"a photo of a {}.", "a picture of a {}."};
        List<String> images = List.of(dir.resolve("chelsea.png").toString(), dir.resolve("coffee.png").toString(),
                dir.resolve("a/b/rocket.jpg").toString(), dir.resolve("c/broken.jpg").toString());
        List<Row> rows = new ClipZeroShotClassifier().setModel(model.toString()).setLabels(labels)
                .setTemplates(templates).transform(paths(images.toArray(new String[0]))).collectAsList();
        var classifier = clip.classifier().labels(labels).templates(templates).build();
        for (String image : images.subList(0, 3)) {
            Prediction best = classifier.classify(Path.of(image)).best();
            Row r = rowOf(rows, "path", image);
            assertThat(r.<String>getAs("label")).isEqualTo(best.label());
            assertThat(r.<Double>getAs("probability")).isCloseTo(best.probability(), within(1e-6));
            assertThat(r.<String>getAs("error")).isNull();
        }
        Row broken = rowOf(rows, "path", images.get(3));
        assertThat(broken.<String>getAs("label")).isNull();
        assertThat(broken.<String>getAs("error")).contains("truncated");
    }

    @Test
    void stagesSaveAndLoadAsPipelineStages(@TempDir Path saved) throws Exception {
        ClipImageEmbedder image = new ClipImageEmbedder().setModel(model.toString()).setBatchSize(5)
                .setOutputType("vector").setErrorCol("why");
        ClipTextEmbedder text = new ClipTextEmbedder().setModel(model.toString()).setNormalize(false)
                .setInputCol("caption");
        ClipZeroShotClassifier zeroShot = new ClipZeroShotClassifier().setModel(model.toString()).setLabels(
                new String[] {"cat", "dog"}).setPrecision("bf16").setErrorCol("zs_error");
        image.write().save(saved.resolve("image").toString());
        ClipImageEmbedder image2 = ClipImageEmbedder.load(saved.resolve("image").toString());
        assertThat(image2.uid()).isEqualTo(image.uid());
        assertThat(image2.getBatchSize()).isEqualTo(5);
        assertThat(image2.getModel()).isEqualTo(model.toString());
        assertThat(image2.getOrDefault(image2.outputType())).isEqualTo("vector");

        PipelineModel pipeline = new Pipeline().setStages(new PipelineStage[] {text, zeroShot})
                .fit(spark.sql("select 'a cat' as caption, 'x.png' as path"));
        pipeline.write().save(saved.resolve("pipeline").toString());
        PipelineModel loaded = PipelineModel.load(saved.resolve("pipeline").toString());
        ClipTextEmbedder text2 = (ClipTextEmbedder) loaded.stages()[0];
        ClipZeroShotClassifier zeroShot2 = (ClipZeroShotClassifier) loaded.stages()[1];
        assertThat(text2.getInputCol()).isEqualTo("caption");
        assertThat((Boolean) text2.getOrDefault(text2.normalize())).isFalse();
        assertThat(zeroShot2.getOrDefault(zeroShot2.labels())).containsExactly("cat", "dog");
        assertThat(zeroShot2.getPrecision()).isEqualTo("bf16");
        assertThat(zeroShot2.getOrDefault(zeroShot2.errorCol())).isEqualTo("zs_error");
    }

    @Test
    void badParametersFailBeforeAnyWork() {
        Dataset<Row> in = paths("x.png");
        assertThatThrownBy(() -> new ClipImageEmbedder().transform(in)).hasMessageContaining("set the model");
        assertThatThrownBy(() -> new ClipImageEmbedder().setModel("m").setInputCol("nope").transform(in))
                .hasMessageContaining("'nope' is missing");
        assertThatThrownBy(() -> new ClipImageEmbedder().setModel("m").setOutputCol("path").transform(in))
                .hasMessageContaining("exists already");
        assertThatThrownBy(() -> new ClipZeroShotClassifier().setModel("m").transform(in))
                .hasMessageContaining("labels");
        assertThatThrownBy(() -> new ClipImageEmbedder().setPrecision("fp8")).isInstanceOf(
                IllegalArgumentException.class);
        assertThatThrownBy(() -> new ClipImageEmbedder().setBatchSize(0)).isInstanceOf(
                IllegalArgumentException.class);
    }
}
