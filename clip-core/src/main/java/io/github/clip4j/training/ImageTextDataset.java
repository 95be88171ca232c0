package io.github.clip4j.training;

import io.github.clip4j.internal.FileKinds;
import io.github.clip4j.internal.training.CsvRow;
import io.github.clip4j.internal.training.DatasetText;
import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.stream.Collectors;

/**
 * Image/caption pairs for fine-tuning, read from a CSV or JSON Lines file.
 *
 * <p>CSV: a header naming an {@code image} and a {@code caption} column (other columns are ignored), RFC 4180
 * quoting (fields in double quotes may hold commas, line breaks and doubled quotes). JSON Lines: one object per
 * line, {@code {"image": "photos/cat.jpg", "caption": "a cat on a sofa"}}.
 *
 * <p>Image paths are relative to the folder of the dataset file and must stay inside it: an absolute path, one whose
 * {@code ..} segments leave the folder, or a symbolic link to a file outside it is refused like a missing image (a
 * dataset file is untrusted input: it must not make training read {@code /etc/shadow} or a device). Put the dataset
 * file in a folder that holds the images, at any depth; pairs built in code with {@link #of(List)} may name any file.
 *
 * <p>Rows whose image does not exist, is not a regular file or leaves the folder, and rows whose caption is empty,
 * are skipped and listed in {@link #report()}; a file without any usable row is an error. The file is read as
 * untrusted input too: only a regular file (not a FIFO or a device), UTF-8 without NUL characters, at most 256 MB,
 * lines (and CSV records) of at most 1 Mi characters, at most a million rows, JSON nested at most 64 deep; a file
 * beyond these is refused with an error naming the file and the line. Images are decoded only during training (on
 * background threads); one that exists but cannot be decoded is skipped then and listed in
 * {@link TrainingResult#skipped()}.
 *
 * <pre>{@code
 * ImageTextDataset data = ImageTextDataset.read(Path.of("captions.csv"));
 * data.report().skipped().forEach(row -> log.warn("skipped {}", row));
 * ImageTextDataset.Split split = data.split(0.1, 42);   // 10 % held out for evaluation
 * }</pre>
 *
 * <p>Immutable.
 */
public final class ImageTextDataset {
    /** A row is a flat object: deeper JSON is refused before it costs anything. */
    private static final ObjectMapper JSON = new ObjectMapper(JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(64).build()).build());
    /** The most characters of a row's image path an error message quotes. */
    private static final int QUOTED_PATH_CHARS = 200;

    private final List<ImageTextPair> pairs;
    private final DatasetReport report;

    private ImageTextDataset(List<ImageTextPair> pairs, DatasetReport report) {
        this.pairs = List.copyOf(pairs);
        this.report = report;
    }

    /**
     * A dataset of the given pairs (may be empty; the trainer refuses an empty one). Image paths are used as given
     * and not checked here.
     *
     * @param pairs the pairs, copied; not null and without null elements
     * @return a dataset whose report names {@code "in-memory pairs"} and lists no skipped row
     */
    public static ImageTextDataset of(List<ImageTextPair> pairs) {
        return new ImageTextDataset(pairs, new DatasetReport("in-memory pairs", pairs.size(), List.of()));
    }

    /**
     * Reads a {@code .csv} file, or a {@code .jsonl} / {@code .ndjson} / {@code .json} JSON Lines file.
     *
     * @param file the dataset file (UTF-8), not null; the extension, in any case, chooses the format
     * @return the usable pairs in file order, with the skipped rows in {@link #report()}
     * @throws TrainingException if the file cannot be read, is not a regular file, is malformed or beyond the limits
     *     of the class comment (the message names the line), or has no usable row
     */
    public static ImageTextDataset read(Path file) {
        requireNonNull(file, "file");
        String name = file.getFileName() == null ? "" : file.getFileName().toString().toLowerCase(Locale.ROOT);
        if (name.endsWith(".csv")) {
            return readCsv(file);
        }
        if (name.endsWith(".jsonl") || name.endsWith(".ndjson") || name.endsWith(".json")) {
            return readJsonLines(file);
        }
        throw new TrainingException("dataset " + file + ": unknown format; use a .csv file with an image,caption header"
                + " or a .jsonl file with {\"image\": ..., \"caption\": ...} per line");
    }

    /**
     * Reads a CSV file with an {@code image,caption} header (see the class comment), whatever its extension.
     *
     * @param file the UTF-8 CSV file
     * @return the usable pairs in file order, with the skipped rows in {@link #report()}
     * @throws TrainingException if the file cannot be read, is malformed, lacks the header, or has no usable row
     */
    public static ImageTextDataset readCsv(Path file) {
        return readCsv(file, DatasetText.Limits.DEFAULT);
    }

    static ImageTextDataset readCsv(Path file, DatasetText.Limits limits) {
        requireNonNull(file, "file");
        try (DatasetText text = DatasetText.open(file, limits)) {
            CsvRow.Reader rows = new CsvRow.Reader(text);
            CsvRow first = rows.next();
            if (first == null) {
                throw new TrainingException("dataset " + file + " is empty; it needs an image,caption header and rows");
            }
            List<String> header = first.fields().stream().map(h -> h.strip().toLowerCase(Locale.ROOT))
                    .collect(Collectors.toList());
            int imageColumn = header.indexOf("image");
            int captionColumn = header.indexOf("caption");
            if (imageColumn < 0 || captionColumn < 0) {
                throw new TrainingException("dataset " + file + ": the first line must be a header with 'image' and"
                        + " 'caption' columns, got " + quoted(String.join(",", first.fields())));
            }
            Builder builder = new Builder(file);
            long count = 0;
            for (CsvRow row; (row = rows.next()) != null; ) {
                text.checkRows(++count);
                if (row.fields().size() == 1 && row.fields().get(0).isEmpty()) {
                    continue; // blank line
                }
                if (row.fields().size() <= Math.max(imageColumn, captionColumn)) {
                    builder.skip(row.line(), "expected " + header.size() + " columns, got " + row.fields().size());
                    continue;
                }
                builder.add(row.line(), row.fields().get(imageColumn), row.fields().get(captionColumn));
            }
            return builder.build();
        }
    }

    /**
     * Reads a JSON Lines file of {@code {"image": ..., "caption": ...}} objects (see the class comment), whatever
     * its extension. A line that is not such an object is skipped and reported, not fatal.
     *
     * @param file the UTF-8 JSON Lines file
     * @return the usable pairs in file order, with the skipped rows in {@link #report()}
     * @throws TrainingException if the file cannot be read, is not a regular file or is beyond the limits of the
     *     class comment (the message names the line), or has no usable row
     */
    public static ImageTextDataset readJsonLines(Path file) {
        return readJsonLines(file, DatasetText.Limits.DEFAULT);
    }

    static ImageTextDataset readJsonLines(Path file, DatasetText.Limits limits) {
        requireNonNull(file, "file");
        Builder builder = new Builder(file);
        try (DatasetText text = DatasetText.open(file, limits)) {
            long count = 0;
            while (true) {
                long number = text.line();
                String line = text.readLine();
                if (line == null) {
                    break;
                }
                if (line.isBlank()) {
                    continue;
                }
                text.checkRows(++count);
                JsonNode node;
                try {
                    node = JSON.readTree(line);
                } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                    builder.skip(number, "not valid JSON: " + quoted(e.getOriginalMessage()));
                    continue;
                }
                if (node == null || !node.isObject()) {
                    builder.skip(number, "expected a JSON object with \"image\" and \"caption\"");
                    continue;
                }
                JsonNode image = node.get("image");
                JsonNode caption = node.get("caption");
                builder.add(number, image == null || !image.isTextual() ? null : image.asText(),
                        caption == null || !caption.isTextual() ? null : caption.asText());
            }
        }
        return builder.build();
    }

    /** {@return the pairs, in file order (unmodifiable)} */
    public List<ImageTextPair> pairs() {
        return pairs;
    }

    /** {@return the number of pairs} */
    public int size() {
        return pairs.size();
    }

    /** {@return whether there is no pair} */
    public boolean isEmpty() {
        return pairs.isEmpty();
    }

    /** {@return which rows were kept and which skipped, and why} */
    public DatasetReport report() {
        return report;
    }

    /**
     * A seeded random split into training and held-out pairs; the same seed gives the same split.
     *
     * @param heldOutFraction in (0, 1): the share of pairs held out (at least one pair on each side)
     * @param seed the shuffle's seed
     * @return the two parts, each an in-memory dataset; together they hold every pair once
     * @throws IllegalArgumentException if the fraction is out of range or the dataset has fewer than 2 pairs
     */
    public Split split(double heldOutFraction, long seed) {
        if (!(heldOutFraction > 0 && heldOutFraction < 1)) {
            throw new IllegalArgumentException("heldOutFraction must be in (0, 1), got " + heldOutFraction);
        }
        if (pairs.size() < 2) {
            throw new IllegalArgumentException("cannot split " + pairs.size() + " pair(s) from " + report.source());
        }
        List<ImageTextPair> shuffled = new ArrayList<>(pairs);
        Collections.shuffle(shuffled, new Random(seed));
        int heldOut = (int) Math.round(pairs.size() * heldOutFraction);
        heldOut = Math.max(1, Math.min(pairs.size() - 1, heldOut));
        return new Split(of(shuffled.subList(heldOut, shuffled.size())), of(shuffled.subList(0, heldOut)));
    }

    @Override
    public String toString() {
        return "ImageTextDataset[" + report.source() + ", " + pairs.size() + " pairs, " + report.skipped().size()
                + " skipped]";
    }

    /**
     * A training part and a held-out part.
     *
     * @param train pairs to train on
     * @param heldOut pairs to evaluate on
     */
    public record Split(ImageTextDataset train, ImageTextDataset heldOut) {}

    /** {@code text} for a message: at most {@value #QUOTED_PATH_CHARS} characters of it. */
    private static String quoted(String text) {
        if (text == null) {
            return "";
        }
        return text.length() <= QUOTED_PATH_CHARS ? text
                : text.substring(0, QUOTED_PATH_CHARS) + "... (" + text.length() + " characters)";
    }

    /** Collects rows, resolving paths against the dataset's folder and checking that they stay inside it. */
    private static final class Builder {
        private final Path file;
        private final Path folder;
        private Path realFolder;
        private final List<ImageTextPair> pairs = new ArrayList<>();
        private final List<DatasetReport.SkippedRow> skipped = new ArrayList<>();

        Builder(Path file) {
            this.file = file;
            Path parent = file.toAbsolutePath().normalize().getParent();
            this.folder = parent == null ? Path.of("").toAbsolutePath() : parent;
        }

        void add(long line, String image, String caption) {
            if (image == null || image.isBlank()) {
                skip(line, "no image path");
                return;
            }
            if (caption == null || caption.isBlank()) {
                skip(line, "empty caption for image " + quoted(image));
                return;
            }
            String shown = quoted(image);
            Path relative;
            try {
                relative = Path.of(image.strip());
            } catch (InvalidPathException e) {
                skip(line, "invalid image path: " + shown);
                return;
            }
            if (relative.isAbsolute()) {
                skip(line, "image path " + shown + " is absolute; image paths are relative to the dataset's folder "
                        + folder);
                return;
            }
            Path path = folder.resolve(relative).normalize();
            if (!path.startsWith(folder)) {
                skip(line, "image path " + shown + " leads outside the dataset's folder " + folder);
                return;
            }
            if (!Files.exists(path)) {
                skip(line, "image not found: " + shown + " (looked at " + quoted(path.toString()) + ")");
                return;
            }
            String notRegular = FileKinds.notRegular(path);
            if (notRegular != null) {
                skip(line, "image " + shown + " " + notRegular);
                return;
            }
            try {
                if (!path.toRealPath().startsWith(realFolder())) {
                    skip(line, "image " + shown + " is a symbolic link to a file outside the dataset's folder "
                            + folder);
                    return;
                }
            } catch (IOException e) {
                skip(line, "image " + shown + " cannot be read: " + e.getMessage());
                return;
            }
            pairs.add(new ImageTextPair(path, caption));
        }

        private Path realFolder() throws IOException {
            if (realFolder == null) {
                realFolder = folder.toRealPath();
            }
            return realFolder;
        }

        void skip(long line, String reason) {
            skipped.add(new DatasetReport.SkippedRow(line, reason));
        }

        ImageTextDataset build() {
            if (pairs.isEmpty()) {
                String why = skipped.isEmpty() ? "it has no rows"
                        : "all " + skipped.size() + " rows were skipped, first: " + skipped.get(0);
                throw new TrainingException("dataset " + file + " has no usable image/caption pair: " + why);
            }
            return new ImageTextDataset(pairs, new DatasetReport(file.toString(), pairs.size(), skipped));
        }
    }
}
