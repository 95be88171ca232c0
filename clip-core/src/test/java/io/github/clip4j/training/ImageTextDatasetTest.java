package io.github.clip4j.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageTextDatasetTest {
    @TempDir
    Path dir;

    @BeforeEach
    void images() throws IOException {
        Files.createDirectories(dir.resolve("photos"));
        for (String name : List.of("photos/cat.jpg", "photos/dog.png", "photos/a, b.jpg", "car.jpg")) {
            Files.writeString(dir.resolve(name), "x");
        }
    }

    @Test
    void readsCsvWithRfc4180Quoting() throws IOException {
        Path csv = write("data.csv", "image,caption\r\n"
                + "photos/cat.jpg,a cat\r\n"
                + "\"photos/a, b.jpg\",\"a caption with, a comma and \"\"quotes\"\"\"\r\n"
                + "car.jpg,\"two\nlines\"\r\n"
                + "photos/dog.png,a dog");
        ImageTextDataset data = ImageTextDataset.read(csv);
        assertThat(data.pairs()).containsExactly(
                new ImageTextPair(dir.resolve("photos/cat.jpg"), "a cat"),
                new ImageTextPair(dir.resolve("photos/a, b.jpg"), "a caption with, a comma and \"quotes\""),
                new ImageTextPair(dir.resolve("car.jpg"), "two\nlines"),
                new ImageTextPair(dir.resolve("photos/dog.png"), "a dog"));
        assertThat(data.report().skipped()).isEmpty();
        assertThat(data.report().kept()).isEqualTo(4);
    }

    @Test
    void csvColumnsMayComeInAnyOrderWithExtras() throws IOException {
        Path csv = write("data.csv", "id,Caption,image\n1,a cat,photos/cat.jpg\n");
        assertThat(ImageTextDataset.read(csv).pairs())
                .containsExactly(new ImageTextPair(dir.resolve("photos/cat.jpg"), "a cat"));
    }

    @Test
    void reportsAndSkipsMissingImagesEmptyCaptionsAndShortRows() throws IOException {
        Path csv = write("data.csv", "image,caption\n"
                + "photos/cat.jpg,a cat\n"
                + "photos/missing.jpg,a ghost\n"
                + "photos/dog.png,\n"
                + "\"car.jpg\",\"  \"\n"
                + "car.jpg\n"
                + "\n"
                + "car.jpg,a car\n");
        ImageTextDataset data = ImageTextDataset.read(csv);
        assertThat(data.pairs()).extracting(ImageTextPair::caption).containsExactly("a cat", "a car");
        assertThat(data.report().skipped()).extracting(DatasetReport.SkippedRow::line).containsExactly(3L, 4L, 5L, 6L);
        assertThat(data.report().skipped().get(0).reason()).contains("image not found: photos/missing.jpg");
        assertThat(data.report().skipped().get(1).reason()).contains("empty caption");
        assertThat(data.report().skipped().get(3).reason()).contains("expected 2 columns, got 1");
    }

    @Test
    void skippedRowsReportTheLineWhereAMultiLineRecordStarts() throws IOException {
        Path csv = write("data.csv", "image,caption\ncar.jpg,\"one\ntwo\"\nnope.jpg,x\n");
        ImageTextDataset data = ImageTextDataset.read(csv);
        assertThat(data.report().skipped()).extracting(DatasetReport.SkippedRow::line).containsExactly(4L);
    }

    @Test
    void readsJsonLines() throws IOException {
        Path jsonl = write("data.jsonl", "{\"image\": \"photos/cat.jpg\", \"caption\": \"a cat \\\"indoors\\\"\"}\n"
                + "\n"
                + "{\"image\": \"photos/nope.jpg\", \"caption\": \"missing\"}\n"
                + "not json\n"
                + "{\"image\": \"car.jpg\"}\n"
                + "[1, 2]\n"
                + "{\"caption\": \"a dog\", \"image\": \"photos/dog.png\", \"extra\": 1}\n");
        ImageTextDataset data = ImageTextDataset.read(jsonl);
        assertThat(data.pairs()).containsExactly(
                new ImageTextPair(dir.resolve("photos/cat.jpg"), "a cat \"indoors\""),
                new ImageTextPair(dir.resolve("photos/dog.png"), "a dog"));
        assertThat(data.report().skipped()).extracting(DatasetReport.SkippedRow::line).containsExactly(3L, 4L, 5L, 6L);
        assertThat(data.report().skipped().get(1).reason()).startsWith("not valid JSON");
    }

    @Test
    void imagePathsAreRelativeToTheDatasetFileNotTheWorkingDirectory() throws IOException {
        Path sub = Files.createDirectories(dir.resolve("lists"));
        Files.createDirectories(sub.resolve("photos"));
        Files.writeString(sub.resolve("photos/cat.jpg"), "x");
        Path csv = Files.writeString(sub.resolve("d.csv"), "image,caption\nphotos/./cat.jpg,a cat\n");
        assertThat(ImageTextDataset.read(csv).pairs().get(0).image()).isEqualTo(sub.resolve("photos/cat.jpg"));
    }

    @Test
    void aDatasetWithoutUsablePairsIsAClearError() throws IOException {
        assertThatThrownBy(() -> ImageTextDataset.read(write("empty.csv", "")))
                .isInstanceOf(TrainingException.class).hasMessageContaining("empty.csv").hasMessageContaining("empty");
        assertThatThrownBy(() -> ImageTextDataset.read(write("header.csv", "image,caption\n")))
                .isInstanceOf(TrainingException.class).hasMessageContaining("no usable image/caption pair");
        assertThatThrownBy(() -> ImageTextDataset.read(write("bad.jsonl", "{\"image\": \"x.jpg\", \"caption\": \"c\"}\n")))
                .isInstanceOf(TrainingException.class).hasMessageContaining("all 1 rows were skipped")
                .hasMessageContaining("line 1: image not found: x.jpg");
    }

    @Test
    void malformedCsvNamesTheLine() throws IOException {
        assertThatThrownBy(() -> ImageTextDataset.read(write("open.csv", "image,caption\ncar.jpg,\"never closed\n")))
                .isInstanceOf(TrainingException.class).hasMessageContaining("line 2").hasMessageContaining("never closed");
        assertThatThrownBy(() -> ImageTextDataset.read(write("junk.csv", "image,caption\ncar.jpg,\"a\"b\n")))
                .isInstanceOf(TrainingException.class).hasMessageContaining("line 2");
        assertThatThrownBy(() -> ImageTextDataset.read(write("nohead.csv", "path,text\ncar.jpg,a car\n")))
                .isInstanceOf(TrainingException.class).hasMessageContaining("'image' and 'caption'");
        assertThatThrownBy(() -> ImageTextDataset.read(write("data.txt", "x")))
                .isInstanceOf(TrainingException.class).hasMessageContaining("unknown format");
    }

    @Test
    void splitIsSeededAndDisjoint() throws IOException {
        ImageTextDataset data = ToyData.dataset(dir, 5);
        ImageTextDataset.Split a = data.split(0.2, 7);
        ImageTextDataset.Split b = data.split(0.2, 7);
        ImageTextDataset.Split c = data.split(0.2, 8);
        assertThat(a.heldOut().pairs()).isEqualTo(b.heldOut().pairs()).hasSize(6).isNotEqualTo(c.heldOut().pairs());
        assertThat(a.train().pairs()).hasSize(24).doesNotContainAnyElementsOf(a.heldOut().pairs());
    }

    private Path write(String name, String content) throws IOException {
        return Files.writeString(dir.resolve(name), content, StandardCharsets.UTF_8);
    }
}
