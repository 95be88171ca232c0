package io.github.clip4j.cli;

import java.io.PrintStream;
import java.util.Objects;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * A progress bar on stderr for long work (indexing, embedding many images, downloading a model), or nothing when the
 * tool runs without one ({@link #NONE}). Never writes to stdout, which carries only JSON.
 */
final class Progress implements AutoCloseable {
    /** Reports nothing. */
    static final Progress NONE = new Progress(null);

    /** Wide enough for the task name, the bar, counts and the ETA; narrow enough for an 80-column terminal. */
    private static final int WIDTH = 79;

    private final ProgressBar bar;

    private Progress(ProgressBar bar) {
        this.bar = bar;
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
        ProgressBar bar = new ProgressBarBuilder()
                .setTaskName(task)
                .setInitialMax(total)
                .setUnit(unit, unitSize)
                .setStyle(ProgressBarStyle.ASCII) // no colour codes or block glyphs in log files
                .setConsumer(new ConsoleProgressBarConsumer(stream, WIDTH))
                .setUpdateIntervalMillis(200)
                .build();
        return new Progress(bar);
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
        }
    }
}
