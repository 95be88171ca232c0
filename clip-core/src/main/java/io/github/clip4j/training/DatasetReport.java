package io.github.clip4j.training;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * What reading a dataset file kept and what it skipped, and why.
 *
 * @param source the dataset file
 * @param kept rows that became pairs
 * @param skipped rows left out, in file order
 */
public record DatasetReport(String source, int kept, List<SkippedRow> skipped) {
    /**
     * Copies the skipped rows, so a report never changes.
     *
     * @param source the dataset file, not null
     * @param kept rows that became pairs
     * @param skipped rows left out, in file order; copied
     * @throws NullPointerException if {@code source} or {@code skipped} is null, or a skipped row is
     */
    public DatasetReport {
        requireNonNull(source, "source");
        skipped = List.copyOf(skipped);
    }

    /**
     * A row left out of the dataset.
     *
     * @param line the 1-based line of the file where the row starts
     * @param reason what is wrong, e.g. {@code "image not found: photos/cat.jpg"}
     */
    public record SkippedRow(long line, String reason) {
        /**
         * Checks the reason.
         *
         * @param line the 1-based line of the file where the row starts
         * @param reason what is wrong, not null
         * @throws NullPointerException if {@code reason} is null
         */
        public SkippedRow {
            requireNonNull(reason, "reason");
        }

        @Override
        public String toString() {
            return "line " + line + ": " + reason;
        }
    }
}
