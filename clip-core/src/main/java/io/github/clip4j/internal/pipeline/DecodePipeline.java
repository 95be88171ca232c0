package io.github.clip4j.internal.pipeline;

import static java.util.Objects.requireNonNull;

import io.github.clip4j.InvalidImageException;
import io.github.clip4j.SkippedFile;
import io.github.clip4j.common.ClipException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * clip4j's one decode-ahead pipeline: a pool of daemon threads decodes and preprocesses the items of batch
 * {@code k + 1} (up to {@code k + depth}) straight into direct native-order buffers while the caller runs batch
 * {@code k} through a model, so decoding and inference overlap. Each item is decoded by its own job.
 *
 * <pre>{@code
 * try (DecodePipeline.Batches<Path> batches = pipeline.stream(DecodePipeline.partition(files, 16), pixels, decoder)) {
 *     while (batches.hasNext()) {
 *         DecodedBatch<Path> batch = batches.next();
 *         model.encodeImages(batch.pixels(), batch.count());
 *     }
 * }
 * }</pre>
 *
 * <p><b>Memory</b> is bounded whatever the input count: a stream never has more than {@code depth} batches
 * submitted and not yet handed out (plus the one the caller holds), and a batch's buffer is garbage once the
 * caller drops it.
 *
 * <p><b>Failures</b> follow the pipeline's {@link OnFailure} policy: {@link OnFailure#FAIL} (inference) rethrows
 * the first failure in input order; {@link OnFailure#SKIP} (training) leaves an undecodable file out of its batch,
 * reports it once and never reads it again through this pipeline.
 *
 * <p>Thread-safe: many threads may stream through one pipeline at once; each {@link Batches} is for one thread.
 * {@link #close()} stops it: queued jobs are cancelled (running ones finish, since an interrupt would surface as a
 * misleading read error), and streams then fail with a {@link CancellationException}.
 */
public final class DecodePipeline implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DecodePipeline.class);
    private static final AtomicInteger THREADS = new AtomicInteger();

    /** What a stream does when an item cannot be decoded. */
    public enum OnFailure {
        /**
         * Rethrow the first failure in input order: a {@link ClipException} (such as an
         * {@link InvalidImageException}) or an {@code Error} as it was, anything else as an
         * {@code InvalidImageException} naming the item. The stream's later batches are cancelled.
         */
        FAIL,
        /**
         * Leave out an item whose file cannot be decoded (an {@link IOException} or an
         * {@link InvalidImageException}): it is logged at WARN once, listed in {@link #skipped()} and not read again
         * by this pipeline, so a batch may come out smaller, even empty. Any other failure is rethrown as under
         * {@code FAIL}.
         */
        SKIP
    }

    private final ThreadPoolExecutor pool;
    private final int depth;
    private final OnFailure onFailure;
    private final Map<Path, String> unreadable = new ConcurrentHashMap<>();
    private final List<SkippedFile> skipped = Collections.synchronizedList(new ArrayList<>());

    /**
     * Starts a pipeline; its threads are created on demand and end after 10 idle seconds, so a pipeline that is
     * never closed does not pin threads forever.
     *
     * @param threads decoding threads, at least 1
     * @param depth batches decoded ahead of the one the caller is using, at least 1
     * @param onFailure what to do with an item that cannot be decoded, not null
     * @throws IllegalArgumentException if {@code threads} or {@code depth} is less than 1
     */
    public DecodePipeline(int threads, int depth, OnFailure onFailure) {
        if (threads < 1) {
            throw new IllegalArgumentException("decode threads must be at least 1, got " + threads);
        }
        if (depth < 1) {
            throw new IllegalArgumentException("decode-ahead depth must be at least 1 batch, got " + depth);
        }
        this.depth = depth;
        this.onFailure = requireNonNull(onFailure, "onFailure");
        this.pool = new ThreadPoolExecutor(threads, threads, 10, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
            Thread t = new Thread(r, "clip4j-decode-" + THREADS.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        this.pool.allowCoreThreadTimeOut(true);
    }

    /**
     * Cuts {@code items} into consecutive batches of {@code size} (the last may be shorter).
     *
     * @param items the items, not null
     * @param size items per batch, at least 1
     * @param <T> the item type
     * @return views of {@code items}, in order
     */
    public static <T> List<List<T>> partition(List<T> items, int size) {
        if (size < 1) {
            throw new IllegalArgumentException("batch size must be at least 1, got " + size);
        }
        List<List<T>> out = new ArrayList<>((items.size() + size - 1) / size);
        for (int start = 0; start < items.size(); start += size) {
            out.add(items.subList(start, Math.min(items.size(), start + size)));
        }
        return out;
    }

    /**
     * The decoded batches, in order; decoding of the first {@code depth} batches starts now.
     *
     * @param batches the items, batch by batch, not null; not copied, so do not change them meanwhile
     * @param pixelsPerItem floats the decoder writes per item, at least 1
     * @param decoder decodes one item, thread-safe, not null
     * @param <T> the item type
     * @return a stream to read from one thread; close it to cancel the batches not handed out
     * @throws CancellationException if this pipeline is closed
     */
    public <T> Batches<T> stream(List<List<T>> batches, int pixelsPerItem, ItemDecoder<T> decoder) {
        requireNonNull(batches, "batches");
        requireNonNull(decoder, "decoder");
        if (pixelsPerItem < 1) {
            throw new IllegalArgumentException("pixels per item must be at least 1, got " + pixelsPerItem);
        }
        return new Batches<>(batches.iterator(), pixelsPerItem, decoder);
    }

    /** {@return the files skipped so far under {@code SKIP}, each once, in the order they failed} */
    public List<SkippedFile> skipped() {
        synchronized (skipped) {
            return List.copyOf(skipped);
        }
    }

    /** {@return whether {@link #close()} has been called} */
    public boolean isClosed() {
        return pool.isShutdown();
    }

    /** Stops the threads once their running jobs end and cancels the queued jobs; idempotent. */
    @Override
    public void close() {
        pool.shutdown();
        List<Runnable> queued = new ArrayList<>();
        pool.getQueue().drainTo(queued);
        for (Runnable job : queued) {
            if (job instanceof Future<?> future) {
                future.cancel(false);
            }
        }
    }

    @Override
    public String toString() {
        return "DecodePipeline[" + pool.getMaximumPoolSize() + " threads, depth " + depth + ", " + onFailure + "]";
    }

    /**
     * The batches of one {@link #stream} call; an iterator for one thread. {@link #next()} throws what the
     * policy says, a {@link CancellationException} if the pipeline was closed, or a {@link ClipException} if the
     * thread was interrupted while waiting (its interrupt flag set again).
     *
     * @param <T> the item type
     */
    public final class Batches<T> implements Iterator<DecodedBatch<T>>, AutoCloseable {
        private final Iterator<List<T>> source;
        private final int pixelsPerItem;
        private final ItemDecoder<T> decoder;
        private final Deque<PendingBatch<T>> ahead = new ArrayDeque<>();

        private Batches(Iterator<List<T>> source, int pixelsPerItem, ItemDecoder<T> decoder) {
            this.source = source;
            this.pixelsPerItem = pixelsPerItem;
            this.decoder = decoder;
            fill();
        }

        @Override
        public boolean hasNext() {
            return !ahead.isEmpty();
        }

        @Override
        public DecodedBatch<T> next() {
            if (ahead.isEmpty()) {
                throw new NoSuchElementException("no more batches");
            }
            PendingBatch<T> head = ahead.removeFirst();
            try {
                fill(); // keep depth batches decoding while the caller waits for, then uses, this one
                return head.await();
            } catch (RuntimeException | Error e) {
                head.cancel();
                close();
                throw e;
            }
        }

        /** Cancels the batches not handed out yet; idempotent. */
        @Override
        public void close() {
            ahead.forEach(PendingBatch::cancel);
            ahead.clear();
            while (source.hasNext()) {
                source.next(); // nothing more is submitted
            }
        }

        private void fill() {
            while (ahead.size() < depth && source.hasNext()) {
                ahead.addLast(submit(source.next()));
            }
        }

        private PendingBatch<T> submit(List<T> batch) {
            List<T> items = onFailure == OnFailure.SKIP
                    ? batch.stream().filter(item -> !unreadable.containsKey(decoder.file(item))).toList()
                    : batch;
            // Decoded straight into native memory that libtorch reads in place: no copy of the batch.
            FloatBuffer pixels = ByteBuffer.allocateDirect(Math.multiplyExact(items.size() * pixelsPerItem,
                    Float.BYTES)).order(ByteOrder.nativeOrder()).asFloatBuffer();
            List<Future<Boolean>> jobs = new ArrayList<>(items.size());
            try {
                for (int i = 0; i < items.size(); i++) {
                    T item = items.get(i);
                    int offset = i * pixelsPerItem;
                    jobs.add(pool.submit(() -> decodeOne(item, pixels, offset)));
                }
            } catch (RejectedExecutionException e) {
                jobs.forEach(job -> job.cancel(false));
                close();
                throw new CancellationException("the decode pipeline is closed");
            }
            return new PendingBatch<>(items, pixels, pixelsPerItem, jobs);
        }

        /** True if decoded, false if skipped; failures that are not skipped are thrown, named. */
        private boolean decodeOne(T item, FloatBuffer pixels, int offset) {
            try {
                decoder.decode(item, pixels, offset);
                return true;
            } catch (IOException | InvalidImageException e) {
                if (onFailure == OnFailure.SKIP) {
                    skip(decoder.file(item), e.getMessage() != null ? e.getMessage() : e.toString());
                    return false;
                }
                if (e instanceof InvalidImageException invalid) {
                    throw invalid;
                }
                throw new InvalidImageException("Cannot read " + decoder.name(item) + ": " + e, e);
            } catch (ClipException e) {
                throw e;
            } catch (RuntimeException e) {
                throw new InvalidImageException("Cannot preprocess " + decoder.name(item) + ": " + e, e);
            }
        }
    }

    private void skip(Path file, String reason) {
        // Two items may share a file and fail at the same time: only the first reports it.
        if (unreadable.putIfAbsent(file, reason) == null) {
            skipped.add(new SkippedFile(file, reason));
            LOG.warn("skipping {}: it cannot be decoded ({}); it is left out and not read again", file, reason);
        }
    }

    /** One batch being decoded: its buffer, filled in by one job per item. */
    private static final class PendingBatch<T> {
        private final List<T> items;
        private final FloatBuffer pixels;
        private final int pixelsPerItem;
        private final List<Future<Boolean>> jobs;

        PendingBatch(List<T> items, FloatBuffer pixels, int pixelsPerItem, List<Future<Boolean>> jobs) {
            this.items = items;
            this.pixels = pixels;
            this.pixelsPerItem = pixelsPerItem;
            this.jobs = jobs;
        }

        /** The batch once every job is done; the first failure in input order is rethrown as it was. */
        DecodedBatch<T> await() {
            List<T> kept = new ArrayList<>(items.size());
            try {
                for (int i = 0; i < jobs.size(); i++) {
                    if (jobs.get(i).get()) {
                        if (kept.size() < i) {
                            // An earlier item was skipped: move this one down, so the kept ones stay contiguous.
                            FloatBuffer from = pixels.duplicate();
                            from.position(i * pixelsPerItem).limit((i + 1) * pixelsPerItem);
                            pixels.duplicate().position(kept.size() * pixelsPerItem).put(from);
                        }
                        kept.add(items.get(i));
                    }
                }
            } catch (ExecutionException e) {
                cancel();
                Throwable cause = e.getCause();
                if (cause instanceof RuntimeException r) {
                    throw r;
                }
                if (cause instanceof Error error) {
                    throw error;
                }
                throw new ClipException("image decoding failed: " + cause, cause);
            } catch (CancellationException e) {
                cancel();
                throw new CancellationException("the decode pipeline was closed while decoding");
            } catch (InterruptedException e) {
                cancel();
                Thread.currentThread().interrupt();
                throw new ClipException("interrupted while decoding images", e);
            }
            FloatBuffer out = pixels.duplicate();
            out.position(0).limit(kept.size() * pixelsPerItem);
            return new DecodedBatch<>(kept, out.slice()); // a slice keeps the native order
        }

        void cancel() {
            jobs.forEach(job -> job.cancel(false));
        }
    }
}
