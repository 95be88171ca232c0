package io.github.clip4j.internal.training;

import io.github.clip4j.training.ImageTextPair;
import io.github.clip4j.SkippedFile;
import io.github.clip4j.training.TrainingException;
import static java.util.Objects.requireNonNull;

import io.github.clip4j.common.ClipException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decodes batches on a background thread pool, keeping up to {@code depth} batches ready ahead of the one the
 * trainer asks for, so the model does not wait on image I/O. Each image of a batch is decoded by its own task.
 *
 * <p>An image that cannot be decoded (an {@link IOException} or a {@link ClipException} such as
 * {@code InvalidImageException}: corrupt, truncated, not an image) drops its pair from the batch, is logged once
 * and remembered, so later batches (later epochs) leave its pairs out without reading it again; a batch may thus
 * come out smaller, even empty. Any other failure (a bug in a custom loader) still fails the batch.
 */
public final class BatchPrefetcher implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(BatchPrefetcher.class);

    private final ImageLoader images;
    private final CaptionTokenizer tokenizer;
    private final ExecutorService pool;
    private final int depth;
    private final Map<Path, String> unreadable = new ConcurrentHashMap<>();
    private final List<SkippedFile> skipped = Collections.synchronizedList(new ArrayList<>());

  public   BatchPrefetcher(ImageLoader images, CaptionTokenizer tokenizer, int threads, int depth) {
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
    public Iterator<HostBatch> stream(List<List<ImageTextPair>> batches) {
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

    /** {@return the images found undecodable so far, each once, in the order they failed} */
    public List<SkippedFile> skipped() {
        synchronized (skipped) {
            return List.copyOf(skipped);
        }
    }

    private Future<HostBatch> submit(List<ImageTextPair> batch) {
        List<ImageTextPair> readable = batch.stream().filter(pair -> !unreadable.containsKey(pair.image())).toList();
        List<CompletableFuture<float[]>> pixels = new ArrayList<>(readable.size());
        for (ImageTextPair pair : readable) {
            pixels.add(CompletableFuture.supplyAsync(() -> decode(pair), pool));
        }
        return CompletableFuture.allOf(pixels.toArray(new CompletableFuture<?>[0]))
                .thenApply(done -> assemble(readable, pixels));
    }

    /** The pixels, or null if the file cannot be decoded (then it is reported and remembered). */
    private float[] decode(ImageTextPair pair) {
        try {
            return images.load(pair.image());
        } catch (IOException | ClipException e) {
            if (e instanceof TrainingException) {
                throw (TrainingException) e; // the loader's own contract broken, not an unreadable file
            }
            skip(pair.image(), e.getMessage() != null ? e.getMessage() : e.toString());
            return null;
        } catch (RuntimeException e) {
            throw new TrainingException("cannot load image " + pair.image() + ": " + e.getMessage(), e);
        }
    }

    private void skip(Path image, String reason) {
        // Two pairs may share an image and fail at the same time: only the first reports it.
        if (unreadable.putIfAbsent(image, reason) == null) {
            skipped.add(new SkippedFile(image, reason));
            log.warn("skipping image {}: it cannot be decoded ({}); its pairs are left out of training", image,
                    reason);
        }
    }

    private HostBatch assemble(List<ImageTextPair> candidates, List<CompletableFuture<float[]>> decoded) {
        List<ImageTextPair> batch = new ArrayList<>(candidates.size());
        List<float[]> pixels = new ArrayList<>(candidates.size());
        for (int i = 0; i < candidates.size(); i++) {
            float[] p = decoded.get(i).join();
            if (p != null) {
                batch.add(candidates.get(i));
                pixels.add(p);
            }
        }
        if (batch.isEmpty()) {
            return new HostBatch(List.of(), new float[0], new long[0], 0);
        }
        int per = pixels.get(0).length;
        float[] all = new float[per * batch.size()];
        long[] tokens = null;
        int context = -1;
        for (int i = 0; i < batch.size(); i++) {
            System.arraycopy(pixels.get(i), 0, all, i * per, per);
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
        return new HostBatch(List.copyOf(batch), all, tokens, context);
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
