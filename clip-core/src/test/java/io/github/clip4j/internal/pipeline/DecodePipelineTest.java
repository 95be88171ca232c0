package io.github.clip4j.internal.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.clip4j.InvalidImageException;
import io.github.clip4j.SkippedFile;
import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** The decode-ahead pipeline on fake items: no libtorch, no image files. */
class DecodePipelineTest {
    private static final int PIXELS = 3;

    /** Item {@code i} decodes to {@code [i, i, i]}; the names in {@code unreadable} throw an IOException. */
    private static class Fake implements ItemDecoder<Integer> {
        final Set<Integer> unreadable;
        final Set<Integer> broken;
        final Map<Integer, Integer> reads = new ConcurrentHashMap<>();
        final AtomicInteger started = new AtomicInteger();

        Fake(Set<Integer> unreadable, Set<Integer> broken) {
            this.unreadable = unreadable;
            this.broken = broken;
        }

        @Override
        public void decode(Integer item, FloatBuffer dst, int offset) throws IOException {
            started.incrementAndGet();
            reads.merge(item, 1, Integer::sum);
            if (unreadable.contains(item)) {
                throw new IOException("item " + item + " is corrupt");
            }
            if (broken.contains(item)) {
                throw new IllegalStateException("bug " + item);
            }
            for (int j = 0; j < PIXELS; j++) {
                dst.put(offset + j, item);
            }
        }

        @Override
        public String name(Integer item) {
            return "item-" + item;
        }

        @Override
        public Path file(Integer item) {
            return Path.of("img-" + item + ".png");
        }
    }

    private static float[] values(DecodedBatch<Integer> batch) {
        float[] out = new float[batch.pixels().remaining()];
        batch.pixels().duplicate().get(out);
        return out;
    }

    @Test
    void yieldsBatchesInOrderInDirectNativeBuffers() {
        try (DecodePipeline pipeline = new DecodePipeline(2, 1, DecodePipeline.OnFailure.FAIL)) {
            List<Integer> items = IntStream.range(0, 5).boxed().toList();
            try (var batches = pipeline.stream(DecodePipeline.partition(items, 2), PIXELS, new Fake(Set.of(), Set.of()))) {
                DecodedBatch<Integer> first = batches.next();
                assertThat(first.items()).containsExactly(0, 1);
                assertThat(first.pixels().isDirect()).isTrue();
                assertThat(first.pixels().order()).isEqualTo(ByteOrder.nativeOrder());
                assertThat(values(first)).containsExactly(0, 0, 0, 1, 1, 1);
                assertThat(batches.next().items()).containsExactly(2, 3);
                DecodedBatch<Integer> last = batches.next();
                assertThat(last.count()).isEqualTo(1);
                assertThat(values(last)).containsExactly(4, 4, 4);
                assertThat(batches.hasNext()).isFalse();
            }
        }
    }

    @Test
    void decodesAtMostDepthBatchesAhead() throws InterruptedException {
        Fake fake = new Fake(Set.of(), Set.of());
        try (DecodePipeline pipeline = new DecodePipeline(2, 2, DecodePipeline.OnFailure.FAIL)) {
            List<Integer> items = IntStream.range(0, 1000).boxed().toList();
            try (var batches = pipeline.stream(DecodePipeline.partition(items, 4), PIXELS, fake)) {
                awaitStarted(fake, 8);
                assertThat(fake.started.get()).as("two batches of 4 ahead, not the 1000 items").isEqualTo(8);
                batches.next();
                awaitStarted(fake, 12);
                assertThat(fake.started.get()).isEqualTo(12);
            }
        }
    }

    /** Waits for {@code count} decodes to start, then a little longer, so that any extra one would show. */
    private static void awaitStarted(Fake fake, int count) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (fake.started.get() < count && System.nanoTime() < deadline) {
            TimeUnit.MILLISECONDS.sleep(10);
        }
        TimeUnit.MILLISECONDS.sleep(200);
    }

    @Test
    void failRethrowsTheFirstFailureInInputOrderNamingTheItem() {
        try (DecodePipeline pipeline = new DecodePipeline(2, 1, DecodePipeline.OnFailure.FAIL)) {
            Fake fake = new Fake(Set.of(5), Set.of(3));
            List<Integer> items = IntStream.range(0, 8).boxed().toList();
            var batches = pipeline.stream(DecodePipeline.partition(items, 8), PIXELS, fake);
            assertThatThrownBy(batches::next).isInstanceOf(InvalidImageException.class)
                    .hasMessageContaining("item-3").hasMessageContaining("bug 3");
            assertThat(batches.hasNext()).isFalse();
            assertThat(pipeline.skipped()).isEmpty();
        }
    }

    @Test
    void skipLeavesOutUnreadableFilesReportsThemOnceAndNeverReadsThemAgain() {
        try (DecodePipeline pipeline = new DecodePipeline(2, 1, DecodePipeline.OnFailure.SKIP)) {
            Fake fake = new Fake(Set.of(1, 2), Set.of());
            List<List<Integer>> batches = List.of(List.of(0, 1, 2, 3), List.of(2, 4));
            Map<Integer, Integer> readsAfterFirstPass = Map.of();
            for (int pass = 0; pass < 2; pass++) {
                if (pass == 1) {
                    readsAfterFirstPass = Map.copyOf(fake.reads);
                }
                var stream = pipeline.stream(batches, PIXELS, fake);
                DecodedBatch<Integer> first = stream.next();
                assertThat(first.items()).containsExactly(0, 3);
                assertThat(values(first)).as("kept items are contiguous").containsExactly(0, 0, 0, 3, 3, 3);
                assertThat(stream.next().items()).containsExactly(4);
            }
            // Two decode threads: which of the two fails first is a race, so the order is not asserted.
            assertThat(pipeline.skipped()).extracting(SkippedFile::path)
                    .containsExactlyInAnyOrder(Path.of("img-1.png"), Path.of("img-2.png"));
            assertThat(pipeline.skipped()).filteredOn(s -> s.path().equals(Path.of("img-1.png")))
                    .extracting(SkippedFile::reason).containsExactly("item 1 is corrupt");
            assertThat(fake.reads.get(1)).isEqualTo(1);
            // Batch 2 may be submitted before item 2 fails in batch 1 (decode-ahead), but no later stream reads it.
            assertThat(fake.reads.get(2)).isEqualTo(readsAfterFirstPass.get(2));
            assertThat(fake.reads.get(0)).isEqualTo(2);
        }
    }

    @Test
    void skipStillFailsOnBugs() {
        try (DecodePipeline pipeline = new DecodePipeline(1, 1, DecodePipeline.OnFailure.SKIP)) {
            var stream = pipeline.stream(List.of(List.of(0, 1)), PIXELS, new Fake(Set.of(), Set.of(1)));
            assertThatThrownBy(stream::next).isInstanceOf(InvalidImageException.class).hasMessageContaining("item-1");
        }
    }

    @Test
    void closeCancelsQueuedDecodes() throws InterruptedException {
        CountDownLatch running = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        ItemDecoder<Integer> blocking = new Fake(Set.of(), Set.of()) {
            @Override
            public void decode(Integer item, FloatBuffer dst, int offset) throws IOException {
                running.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                super.decode(item, dst, offset);
            }
        };
        DecodePipeline pipeline = new DecodePipeline(1, 1, DecodePipeline.OnFailure.FAIL);
        var stream = pipeline.stream(List.of(List.of(0, 1, 2)), PIXELS, blocking);
        assertThat(running.await(10, TimeUnit.SECONDS)).isTrue();
        pipeline.close();
        release.countDown();
        assertThatThrownBy(stream::next).isInstanceOf(CancellationException.class);
        assertThat(pipeline.isClosed()).isTrue();
        assertThatThrownBy(() -> pipeline.stream(List.of(List.of(0)), PIXELS, blocking))
                .isInstanceOf(CancellationException.class);
    }

    @Test
    void refusesBadSettings() {
        assertThatThrownBy(() -> new DecodePipeline(0, 1, DecodePipeline.OnFailure.FAIL))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("got 0");
        assertThatThrownBy(() -> new DecodePipeline(1, 0, DecodePipeline.OnFailure.FAIL))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("depth");
    }
}
