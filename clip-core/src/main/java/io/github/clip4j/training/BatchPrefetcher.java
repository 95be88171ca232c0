package io.github.clip4j.training;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Decodes batches on a background thread pool, keeping up to {@code depth} batches ready ahead of the one the
 * trainer asks for, so the model does not wait on image I/O. Each image of a batch is decoded by its own task.
 */
final class BatchPrefetcher implements AutoCloseable {
    private final ImageLoader images;
    private final CaptionTokenizer tokenizer;
    private final ExecutorService pool;
    private final int depth;

    BatchPrefetcher(ImageLoader images, CaptionTokenizer tokenizer, int threads, int depth) {
        this.images = requireNonNull(images, "images");
        this.tokenizer = requireNonNull(tokenizer, "tokenizer");
        if (threads < 1 || depth < 1) {
            throw new IllegalArgumentException("threads and depth must be >= 1, got " + threads + ", " + depth);
        }
        this.depth = depth;
        AtomicInteger counter = new AtomicInteger();
        this.pool = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "clip4j-decode-" + counter.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    /** The batches in order; decoding of later batches starts as soon as the iterator is created. */
    Iterator<HostBatch> stream(List<List<ImageTextPair>> batches) {
        Iterator<List<ImageTextPair>> source = batches.iterator();
        Deque<Future<HostBatch>> ready = new ArrayDeque<>();
        Runnable fill = () -> {
            while (ready.size() < depth && source.hasNext()) {
                ready.add(submit(source.next()));
            }
        };
        fill.run();
        return new Iterator<>() {
            @Override
            public boolean hasNext() {
                return !ready.isEmpty();
            }

            @Override
            public HostBatch next() {
                Future<HostBatch> head = ready.removeFirst();
                fill.run();
                return await(head);
            }
        };
    }

    /** Decodes one batch synchronously (used by evaluation). */
    HostBatch load(List<ImageTextPair> batch) {
        return await(submit(batch));
    }

    private Future<HostBatch> submit(List<ImageTextPair> batch) {
        List<CompletableFuture<float[]>> pixels = new ArrayList<>(batch.size());
        for (ImageTextPair pair : batch) {
            pixels.add(CompletableFuture.supplyAsync(() -> decode(pair), pool));
        }
        return CompletableFuture.allOf(pixels.toArray(new CompletableFuture<?>[0]))
                .thenApply(done -> assemble(batch, pixels));
    }

    private float[] decode(ImageTextPair pair) {
        try {
            return images.load(pair.image());
        } catch (IOException | RuntimeException e) {
            throw new TrainingException("cannot load image " + pair.image() + ": " + e.getMessage(), e);
        }
    }

    private HostBatch assemble(List<ImageTextPair> batch, List<CompletableFuture<float[]>> pixels) {
        int per = pixels.get(0).join().length;
        float[] all = new float[per * batch.size()];
        long[] tokens = null;
        int context = -1;
        for (int i = 0; i < batch.size(); i++) {
            System.arraycopy(pixels.get(i).join(), 0, all, i * per, per);
            int[] ids = tokenizer.tokenize(batch.get(i).caption());
            if (tokens == null) {
                context = ids.length;
                tokens = new long[context * batch.size()];
            } else if (ids.length != context) {
                throw new TrainingException("the caption tokenizer returned " + ids.length + " ids for \""
                        + batch.get(i).caption() + "\" but " + context + " for another caption; it must pad to a"
                        + " fixed context length");
            }
            for (int j = 0; j < context; j++) {
                tokens[i * context + j] = ids[j];
            }
        }
        return new HostBatch(batch, all, tokens, context);
    }

    private static HostBatch await(Future<HostBatch> future) {
        try {
            return future.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TrainingException("interrupted while decoding images", e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            while (cause instanceof java.util.concurrent.CompletionException && cause.getCause() != null) {
                cause = cause.getCause();
            }
            if (cause instanceof TrainingException te) {
                throw te;
            }
            throw new TrainingException("decoding a batch failed: " + cause, cause);
        }
    }

    @Override
    public void close() {
        pool.shutdownNow();
    }
}
