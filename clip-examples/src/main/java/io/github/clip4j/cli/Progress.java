package io.github.clip4j.cli;

import java.io.PrintStream;
import java.util.Objects;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarConsumer;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * A progress bar on stderr for long work (indexing, embedding many images, downloading a model), or nothing when the
 * tool runs without one ({@link #NONE}). Never writes to stdout, which carries only JSON.
 */
final class Progress implements AutoCloseable {
    /** Reports nothing. */
    static final Progress NONE = new Progress(null, null);

    /** Wide enough for the task name, the bar, counts and the ETA; narrow enough for an 80-column terminal. */
    private static final int WIDTH = 79;

    private final ProgressBar bar;
    private final LineEndingConsumer consumer;

    private Progress(ProgressBar bar, LineEndingConsumer consumer) {
        this.bar = bar;
        this.consumer = consumer;
    }

    /**
     * A bar named {@code task} for {@code total} units of work, drawn on {@code stream}.
     *
     * @param unit the unit shown after the counts ("" for plain counts)
     * @param unitSize how many counted steps make one {@code unit} (e.g. 1 MiB of bytes)
     */
    static Progress start(PrintStream stream, String task, long total, String unit, long unitSize) {
        Objects.requireNonNull(stream, "stream");
        Objects.requireNonNull(task, "task");
        LineEndingConsumer consumer = new LineEndingConsumer(new ConsoleProgressBarConsumer(stream, WIDTH));
        ProgressBar bar = new ProgressBarBuilder()
                .setTaskName(task)
                .setInitialMax(total)
                .setUnit(unit, unitSize)
                .setStyle(ProgressBarStyle.ASCII) // no colour codes or block glyphs in log files
                .setConsumer(consumer)
                .setUpdateIntervalMillis(200)
                .build();
        return new Progress(bar, consumer);
    }

    /** Sets the amount of work done so far. */
    void stepTo(long done) {
        if (bar != null) {
            bar.stepTo(done);
        }
    }

    /** Updates the total (e.g. when a download's size becomes known). */
    void maxHint(long total) {
        if (bar != null) {
            bar.maxHint(total);
        }
    }

    /** Draws the final state and ends the bar's line. */
    @Override
    public void close() {
        if (bar != null) {
            bar.close();
            consumer.close(); // the bar skips it when closed before its first refresh
        }
    }

    /** Ends the bar's line exactly once, whoever closes first. */
    private static final class LineEndingConsumer implements ProgressBarConsumer {
        private final ProgressBarConsumer delegate;
        private boolean closed;

        LineEndingConsumer(ProgressBarConsumer delegate) {
            this.delegate = delegate;
        }

        @Override
        public int getMaxRenderedLength() {
            return delegate.getMaxRenderedLength();
        }

        @Override
        public synchronized void accept(String rendered) {
            if (!closed) {
                delegate.accept(rendered);
            }
        }

        @Override
        public synchronized void close() {
            if (!closed) {
                closed = true;
                delegate.close();
            }
        }
    }
}
