package io.github.clip4j.serve;

import io.github.clip4j.Embedding;
import io.github.clip4j.EmbeddingModel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one thread that runs the model for the server's queries: texts waiting together are embedded in one batch
 * (up to {@code maxBatch}), images one at a time. The queue is bounded: when it is full a query is refused (503)
 * instead of piling up. A {@code Clip} is thread-safe, but one encoder call at a time uses the cores best, and the
 * batch amortizes the call.
 */
final class ModelQueue implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ModelQueue.class);

    private sealed interface Job permits TextJob, ImageJob {
        CompletableFuture<Embedding> result();
    }

    private record TextJob(String text, CompletableFuture<Embedding> result) implements Job {}

    private record ImageJob(Path image, CompletableFuture<Embedding> result) implements Job {}

    private final EmbeddingModel model;
    private final int maxBatch;
    private final BlockingQueue<Job> queue;
    private final Thread thread;
    private volatile boolean stopping;

    ModelQueue(EmbeddingModel model, int capacity, int maxBatch) {
        this.model = model;
        this.maxBatch = maxBatch;
        this.queue = new ArrayBlockingQueue<>(capacity);
        this.thread = new Thread(this::run, "clip-serve-model");
        thread.setDaemon(true);
        thread.start();
    }

    /** Queues a text; the future completes with its embedding. */
    CompletableFuture<Embedding> embedText(String text) {
        return submit(new TextJob(text, new CompletableFuture<>()));
    }

    /** Queues an image file; the future completes with its embedding or the model's refusal. */
    CompletableFuture<Embedding> embedImage(Path image) {
        return submit(new ImageJob(image, new CompletableFuture<>()));
    }

    private CompletableFuture<Embedding> submit(Job job) {
        if (stopping) {
            throw new HttpError(503, "the server is stopping");
        }
        if (!queue.offer(job)) {
            throw new HttpError(503, "busy: " + queue.size() + " queries are waiting for the model; try again");
        }
        return job.result();
    }

    private void run() {
        List<Job> jobs = new ArrayList<>();
        while (!stopping || !queue.isEmpty()) {
            Job first;
            try {
                first = queue.poll(100, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                break;
            }
            if (first == null) {
                continue;
            }
            jobs.clear();
            jobs.add(first);
            queue.drainTo(jobs, maxBatch - 1);
            List<TextJob> texts = new ArrayList<>();
            for (Job job : jobs) {
                if (job instanceof TextJob t) {
                    texts.add(t);
                }
            }
            if (!texts.isEmpty()) {
                embedTexts(texts);
            }
            for (Job job : jobs) {
                if (job instanceof ImageJob i) {
                    embedImage(i);
                }
            }
        }
        Job left;
        while ((left = queue.poll()) != null) {
            left.result().completeExceptionally(new HttpError(503, "the server is stopping"));
        }
    }

    private void embedTexts(List<TextJob> texts) {
        try {
            List<String> strings = new ArrayList<>(texts.size());
            texts.forEach(t -> strings.add(t.text()));
            List<Embedding> embeddings = model.embedTexts(strings);
            for (int i = 0; i < texts.size(); i++) {
                texts.get(i).result().complete(embeddings.get(i));
            }
            log.debug("embedded {} texts in one batch", texts.size());
        } catch (RuntimeException | Error e) {
            texts.forEach(t -> t.result().completeExceptionally(e));
        }
    }

    private void embedImage(ImageJob job) {
        try {
            job.result().complete(model.embedImage(job.image()));
        } catch (RuntimeException | Error e) {
            job.result().completeExceptionally(e);
        }
    }

    /** Finishes the queued queries (up to {@code timeoutMillis}), refuses new ones, and ends the thread. */
    void stop(long timeoutMillis) {
        stopping = true;
        try {
            thread.join(Math.max(1, timeoutMillis));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (thread.isAlive()) {
            thread.interrupt();
        }
    }

    @Override
    public void close() {
        stop(5_000);
    }
}
