package io.github.clip4j.internal.runtime;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;
import org.bytedeco.pytorch.global.torch;

/**
 * Data-parallel inference batches: a batch of N images (or texts) is cut into T slices along its first dimension and
 * each slice's whole forward pass runs on its own worker thread, with one libtorch thread and one OpenBLAS thread
 * each, instead of one forward pass whose every operation is split over T threads (issue 17).
 *
 * <p>Why: on the 2-core machine of issue 17 a ViT-B/32 batch of 16 scaled ~1.65x from one to two intra-op threads
 * (fp32, bf16) and only 1.1x in int8, whose fbgemm products run on one thread whatever libtorch is told; and with a
 * CPU-bound competitor two intra-op threads lost 1.6-3x, because a thread that loses its core holds up the other
 * at the end of each of the hundreds of parallel operations per batch. Two independent half-batches share nothing
 * but the read-only weights and wait for each other once per batch. A slice's numbers differ from the whole
 * batch's only by the rounding of matrix products of another height.
 *
 * <p>Threads: libtorch's intra-op count is OpenMP's per-thread setting, which {@code torch.set_num_threads} sets
 * for the calling thread (and as the default that threads touching libtorch later start with). Each worker sets 1
 * for itself when it starts, and the default is put back at once ({@link NativeRuntime#intraOpThreads()}), so the
 * caller's threads keep theirs. OpenBLAS's count is process-wide (its pthread pool): while splitting is on it stays
 * at 1, so every inference call, split or not, multiplies on one OpenBLAS thread (the same bits alone or among
 * concurrent calls); training gets the configured count back for its run ({@link NativeRuntime#wholeGraphs}).
 *
 * <p>{@code -Dclip4j.splitBatches=false} turns it off (every batch is one forward pass on the intra-op threads).
 */
public final class BatchWorkers {
    private static final boolean ENABLED = Boolean.parseBoolean(System.getProperty("clip4j.splitBatches", "true"));
    private static final Object LOCK = new Object();
    private static final ThreadLocal<Boolean> WORKER = ThreadLocal.withInitial(() -> false);
    private static final AtomicInteger NAMES = new AtomicInteger();

    private static ThreadPoolExecutor pool;
    private static int size;

    private BatchWorkers() {}

    /** Whether batches are split at all ({@code -Dclip4j.splitBatches}, default true). */
    static boolean enabled() {
        return ENABLED;
    }

    /**
     * How many slices a batch of {@code n} is cut into: {@code min(n, workers)}, or 1 when splitting is off, only one
     * worker is configured, or the caller is itself a worker.
     *
     * @param n the batch's size
     * @return at least 1
     */
    public static int slices(int n) {
        int workers = NativeRuntime.batchThreads();
        if (!ENABLED || workers < 2 || n < 2 || WORKER.get()) {
            return 1;
        }
        return Math.min(n, workers);
    }

    /** The first row of slice {@code i} of {@code slices} over {@code n} rows (sizes differ by at most one). */
    public static int start(int n, int slices, int i) {
        return (int) ((long) n * i / slices);
    }

    /**
     * Runs {@code slice.apply(i)} for {@code i} in {@code [0, slices)} on the workers and returns the results in
     * order. Each task runs on a worker thread with one libtorch thread; it must open its own
     * {@link InferenceScope} and return plain Java values (its tensors die with its scope).
     *
     * @param <T>    the result of one slice
     * @param slices from {@link #slices(int)}, at least 2
     * @param slice  the work for one slice
     * @return the results, slice by slice
     */
    public static <T> List<T> run(int slices, IntFunction<T> slice) {
        ThreadPoolExecutor workers = workers(slices);
        List<Future<T>> futures = new ArrayList<>(slices);
        for (int i = 0; i < slices; i++) {
            int index = i;
            futures.add(workers.submit(() -> slice.apply(index)));
        }
        List<T> results = new ArrayList<>(slices);
        Throwable failure = null;
        for (Future<T> future : futures) {
            try {
                results.add(uninterruptibly(future));
            } catch (ExecutionException e) {
                failure = failure == null ? e.getCause() : failure;
            }
        }
        if (failure instanceof RuntimeException r) {
            throw r;
        }
        if (failure instanceof Error e) {
            throw e;
        }
        if (failure != null) {
            throw new IllegalStateException(failure);
        }
        return results;
    }

    /** Waits for every slice even if interrupted (the slices read the caller's memory), then re-asserts the flag. */
    private static <T> T uninterruptibly(Future<T> future) throws ExecutionException {
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    return future.get();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** The pool, grown to {@code count} threads if needed; every thread set to one libtorch thread before use. */
    private static ThreadPoolExecutor workers(int count) {
        synchronized (LOCK) {
            if (pool == null || size < count) {
                ThreadPoolExecutor old = pool;
                CountDownLatch ready = new CountDownLatch(count);
                ThreadPoolExecutor created = new ThreadPoolExecutor(count, count, 0, TimeUnit.MILLISECONDS,
                        new LinkedBlockingQueue<>(), task -> {
                            Thread t = new Thread(() -> {
                                WORKER.set(true);
                                torch.set_num_threads(1); // this thread's OpenMP setting (and, briefly, the default)
                                ready.countDown();
                                task.run();
                            }, "clip4j-batch-" + NAMES.incrementAndGet());
                            t.setDaemon(true);
                            return t;
                        });
                created.prestartAllCoreThreads();
                boolean interrupted = false;
                while (true) {
                    try {
                        ready.await();
                        break;
                    } catch (InterruptedException e) {
                        interrupted = true;
                    }
                }
                // the workers changed libtorch's default for threads that have not used it yet: put it back
                torch.set_num_threads(NativeRuntime.intraOpThreads());
                if (interrupted) {
                    Thread.currentThread().interrupt();
                }
                pool = created;
                size = count;
                if (old != null) {
                    old.shutdown();
                }
            }
            return pool;
        }
    }
}
