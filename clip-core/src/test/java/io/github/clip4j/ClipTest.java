package io.github.clip4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.clip4j.testsupport.Fixtures;
import io.github.clip4j.tokenizer.ClipTokenizer;
import io.github.clip4j.zeroshot.Classification;
import io.github.clip4j.zeroshot.ZeroShotClassifier;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The facade's behaviour beyond the numbers: threads, batching, in-memory images and its lifetime. */
class ClipTest {
    private static final String[] LABELS = {"cat", "dog", "car", "coffee", "rocket", "diagram"};

    private static ClipTokenizer tokenizer;
    private static Clip clip;
    private static List<Path> images;

    @BeforeAll
    static void load() {
        tokenizer = ClipTokenizer.load(Fixtures.bpeVocabulary());
        clip = open(16);
        images = List.of(Fixtures.file("images/chelsea.png"), Fixtures.file("images/coffee.png"),
                Fixtures.file("images/rocket.jpg"), Fixtures.file("images/camera.png"));
    }

    @AfterAll
    static void close() {
        if (clip != null) {
            clip.close();
        }
    }

    private static Clip open(int batchSize) {
        return Clip.builder().model(Fixtures.file("models/vit-tiny.f16.safetensors")).tokenizer(tokenizer)
                .batchSize(batchSize).build();
    }

    @Test
    void eightThreadsClassifyingAtOnceGetTheSequentialResults() throws Exception {
        ZeroShotClassifier classifier = clip.classifier().labels(LABELS).build();
        List<Classification> sequential = classifier.classify(images);
        List<Classification> single = new ArrayList<>();
        for (Path image : images) {
            single.add(clip.classify(image, LABELS));
        }

        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<List<List<Classification>>>> runs = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                runs.add(pool.submit(() -> {
                    start.await();
                    List<Classification> one = new ArrayList<>();
                    for (Path image : images) {
                        one.add(clip.classify(image, LABELS));
                    }
                    return List.of(classifier.classify(images), one);
                }));
            }
            start.countDown();
            for (Future<List<List<Classification>>> run : runs) {
                List<List<Classification>> results = run.get(5, TimeUnit.MINUTES);
                assertThat(results.get(0)).isEqualTo(sequential);
                assertThat(results.get(1)).isEqualTo(single);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(sequential).extracting(c -> c.image().orElseThrow()).containsExactlyElementsOf(images);
        assertThat(sequential.get(0).predictions()).hasSize(LABELS.length);
    }

    @Test
    void batchSizeDoesNotChangeTheEmbeddings() {
        List<Path> many = new ArrayList<>();
        many.addAll(images);
        many.addAll(images.subList(0, 3));
        List<Embedding> batched = clip.embedImages(many);
        try (Clip ones = open(1); Clip threes = open(3)) {
            assertCloseEach(ones.embedImages(many), batched);
            assertCloseEach(threes.embedImages(many), batched);
            List<String> texts = List.of("a cat", "", "一只猫", "a rocket on a launch pad");
            assertCloseEach(threes.embedTexts(texts), clip.embedTexts(texts));
        }
        // Every copy of an image gets the same embedding wherever it falls in the batches.
        for (int i = 0; i < many.size(); i++) {
            assertThat(batched.get(i).dot(batched.get(i % images.size()))).isCloseTo(1f,
                    org.assertj.core.data.Offset.offset(1e-6f));
        }
    }

    private static void assertCloseEach(List<Embedding> actual, List<Embedding> expected) {
        assertThat(actual).hasSameSizeAs(expected);
        for (int i = 0; i < actual.size(); i++) {
            assertThat(actual.get(i).dot(expected.get(i))).as("cosine of embedding %d", i)
                    .isGreaterThan(0.999999f);
        }
    }

    @Test
    void encodedBytesThatAreNoImageAreRefusedByName() {
        assertThatThrownBy(() -> clip.embedImage(new byte[] {1, 2, 3}))
                .isInstanceOf(InvalidImageException.class).hasMessageContaining("in-memory image (3 bytes)");
        assertThatThrownBy(() -> clip.embedImage(new java.io.ByteArrayInputStream(new byte[0])))
                .isInstanceOf(InvalidImageException.class).hasMessageContaining("image stream");
    }

    @Test
    void inMemoryImagesEmbedLikeTheirFiles() throws Exception {
        // chelsea.png is RGB, camera.png 8-bit gray: both paths of the conversion.
        for (String name : List.of("chelsea.png", "camera.png")) {
            Path file = Fixtures.file("images/" + name);
            BufferedImage image = ImageIO.read(file.toFile());
            Embedding fromFile = clip.embedImage(file);
            assertThat(clip.embedImage(image).toArray()).as(name).isEqualTo(fromFile.toArray());
            assertThat(clip.embedImage(image).dot(clip.embedText("a cat"))).isEqualTo(clip.similarity(file, "a cat"));
            byte[] bytes = java.nio.file.Files.readAllBytes(file);
            assertThat(clip.embedImage(bytes).toArray()).as(name + " as bytes").isEqualTo(fromFile.toArray());
            try (java.io.InputStream in = new java.io.ByteArrayInputStream(bytes)) {
                assertThat(clip.embedImage(in).toArray()).as(name + " as a stream").isEqualTo(fromFile.toArray());
            }
            assertThat(clip.classify(image, LABELS).predictions())
                    .isEqualTo(clip.classify(file, LABELS).predictions());
        }
        BufferedImage argb = new BufferedImage(40, 30, BufferedImage.TYPE_INT_ARGB);
        argb.setRGB(3, 4, 0x80FF0000);
        assertThat(clip.embedBufferedImages(List.of(argb, argb))).hasSize(2).allSatisfy(
                e -> assertThat(e.dimension()).isEqualTo(clip.dimension()));
    }

    @Test
    void embeddingsAreUnitVectorsAndSimilarityIsTheirDotProduct() {
        Embedding image = clip.embedImage(images.get(0));
        Embedding text = clip.embedText("a photo of a cat");
        assertThat(image.dot(image)).isCloseTo(1f, org.assertj.core.data.Offset.offset(1e-5f));
        assertThat(text.dot(text)).isCloseTo(1f, org.assertj.core.data.Offset.offset(1e-5f));
        assertThat(clip.similarity(images.get(0), "a photo of a cat")).isEqualTo(image.dot(text));
        assertThat(clip.dimension()).isEqualTo(image.dimension()).isEqualTo(64);
        assertThat(clip.embedImages(List.of())).isEmpty();
        assertThat(clip.embedTexts(List.of())).isEmpty();
        assertThat(clip.modelId()).startsWith("vit-tiny.f16.safetensors#");
    }

    @Test
    void closeWaitsForCallsInProgressAndLaterCallsFailClearly() throws Exception {
        Clip victim = open(2);
        ExecutorService pool = Executors.newFixedThreadPool(6);
        AtomicInteger succeeded = new AtomicInteger();
        try {
            CountDownLatch running = new CountDownLatch(6);
            List<Future<?>> workers = new ArrayList<>();
            for (int t = 0; t < 6; t++) {
                int id = t;
                workers.add(pool.submit(() -> {
                    running.countDown();
                    for (int i = 0; i < 200; i++) {
                        try {
                            if (id % 2 == 0) {
                                victim.embedImages(images);
                            } else {
                                victim.embedTexts(List.of("a cat", "a dog", "a car"));
                            }
                            succeeded.incrementAndGet();
                        } catch (ClipClosedException e) {
                            assertThat(e).hasMessageContaining("vit-tiny.f16.safetensors").hasMessageContaining("closed");
                            return null;
                        }
                    }
                    return null;
                }));
            }
            running.await();
            Thread.sleep(300);
            victim.close();
            for (Future<?> worker : workers) {
                worker.get(2, TimeUnit.MINUTES); // any other exception (or a crash) fails here
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(victim.isClosed()).isTrue();
        assertThat(victim.toString()).contains("closed");
        assertThatThrownBy(() -> victim.embedText("a cat")).isInstanceOf(ClipClosedException.class)
                .hasMessageContaining("vit-tiny.f16.safetensors");
        assertThatThrownBy(() -> victim.embedImage(images.get(0))).isInstanceOf(ClipClosedException.class);
        assertThatThrownBy(() -> victim.classify(images.get(0), "a", "b")).isInstanceOf(ClipClosedException.class);
        assertThatThrownBy(victim::classifier).isInstanceOf(ClipClosedException.class);
        victim.close(); // idempotent
        assertThat(victim.logitScale()).isPositive(); // plain values stay readable
    }

    @Test
    void aClassifierOutlivingItsClipFailsClearly() {
        Clip owner = open(4);
        ZeroShotClassifier classifier = owner.classifier().labels("cat", "dog").build();
        owner.close();
        assertThatThrownBy(() -> classifier.classify(images.get(0))).isInstanceOf(ClipClosedException.class);
    }
}
