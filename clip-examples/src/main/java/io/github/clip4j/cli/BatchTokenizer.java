package io.github.clip4j.cli;

import io.github.clip4j.tokenizer.TextTokenizer;
import io.github.clip4j.tokenizer.TextTooLongException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Supplier;

/**
 * {@code clip tokenize}'s pipeline: the calling thread reads batch k+1 and writes batch k-1 while worker threads
 * tokenize batch k, cut into one chunk per worker. At most two batches are alive, so memory does not grow with
 * the input. Rows come out in input order; a refused text is reported with its 0-based index in the whole input,
 * the first one in input order.
 */
final class BatchTokenizer {
    /** Texts per batch: large enough to amortize a hand-over, small enough to stream. */
    static final int BATCH = 2048;
    /** Below this many texts per batch, handing work to other threads costs more than it saves. */
    private static final int PARALLEL_MIN = 256;
    /** {@code -Dclip4j.cli.threads=N} (benchmarks): tokenizer threads; default the available cores. */
    static final String THREADS_PROPERTY = "clip4j.cli.threads";

    private final Supplier<? extends TextTokenizer> tokenizer;
    /** The row length asked for; null for the tokenizer's own (77 for CLIP, 52 for Chinese-CLIP). */
    private final Integer contextLength;
    private final boolean truncate;
    private final int threads;

    BatchTokenizer(Supplier<? extends TextTokenizer> tokenizer, Integer contextLength, boolean truncate) {
        this.tokenizer = tokenizer;
        this.contextLength = contextLength;
        this.truncate = truncate;
        this.threads = Math.max(1, Integer.getInteger(THREADS_PROPERTY, Runtime.getRuntime().availableProcessors()));
    }

    /** Tokenizes every text of {@code source} and writes one row per text to {@code out}, flushed per batch. */
    void run(TextSource source, JsonOutput out) throws IOException {
        List<String> batch = source.next(BATCH);
        if (batch.isEmpty()) {
            return;
        }
        TextTokenizer loaded = tokenizer.get(); // after the first batch is read: bad input is reported first
        int length = contextLength != null ? contextLength : loaded.contextLength();
        if (threads == 1 || batch.size() < PARALLEL_MIN) {
            long offset = 0;
            for (; !batch.isEmpty(); batch = source.next(BATCH)) {
                write(tokenize(loaded, length, batch, offset), out);
                out.flush();
                offset += batch.size();
            }
            return;
        }
        ExecutorService workers = Executors.newFixedThreadPool(threads, runnable -> {
            Thread thread = new Thread(runnable, "clip-tokenize");
            thread.setDaemon(true);
            return thread;
        });
        try {
            long offset = 0;
            List<Future<int[][]>> pending = submit(workers, loaded, length, batch, offset);
            while (pending != null) {
                offset += batch.size();
                batch = source.next(BATCH);
                List<Future<int[][]>> next = batch.isEmpty() ? null : submit(workers, loaded, length, batch, offset);
                for (Future<int[][]> chunk : pending) {
                    write(await(chunk), out);
                }
                out.flush();
                pending = next;
            }
        } finally {
            workers.shutdownNow();
        }
    }

    private List<Future<int[][]>> submit(ExecutorService workers, TextTokenizer loaded, int length,
            List<String> batch, long offset) {
        int chunks = Math.min(threads, Math.max(1, batch.size() / (PARALLEL_MIN / 2)));
        List<Future<int[][]>> futures = new ArrayList<>(chunks);
        for (int c = 0; c < chunks; c++) {
            int from = (int) ((long) batch.size() * c / chunks);
            int to = (int) ((long) batch.size() * (c + 1) / chunks);
            List<String> chunk = batch.subList(from, to);
            long chunkOffset = offset + from;
            futures.add(workers.submit(() -> tokenize(loaded, length, chunk, chunkOffset)));
        }
        return futures;
    }

    private int[][] tokenize(TextTokenizer loaded, int length, List<String> texts, long offset) {
        try {
            return loaded.tokenize(texts, length, truncate);
        } catch (TextTooLongException e) {
            if (offset == 0) {
                throw e;
            }
            throw new TextTooLongException(Math.toIntExact(offset + e.index()), e.tokenCount(), e.contextLength());
        }
    }

    private static int[][] await(Future<int[][]> chunk) {
        try {
            return chunk.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while tokenizing", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw new IllegalStateException(e.getCause());
        }
    }

    private static void write(int[][] rows, JsonOutput out) throws IOException {
        for (int[] row : rows) {
            out.intRow(row);
        }
    }
}
