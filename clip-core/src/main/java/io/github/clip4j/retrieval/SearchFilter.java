package io.github.clip4j.retrieval;

import static java.util.Objects.requireNonNull;

import io.github.clip4j.internal.retrieval.EntryFilter;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * Which images a search may return, by their metadata: a folder, a modification time, file types. Immutable; each
 * method returns a new filter with that criterion set (replacing an earlier value of the same criterion), and the
 * criteria combine with AND:
 *
 * <pre>{@code
 * SearchFilter filter = SearchFilter.ANY.folder("holidays/2024").modifiedAfter(Instant.parse("2024-06-01T00:00:00Z"))
 *         .types("jpg", "png");
 * index.search("a dog on a beach", 10, filter);
 * }</pre>
 *
 * <p>An hnsw index applies the filter inside the graph search (a Lucene pre-filter: the k hits are the k best
 * matching images, not the matching part of the k best); an exact index tests every row.
 */
public final class SearchFilter {
    /** The filter that lets every image through. */
    public static final SearchFilter ANY = new SearchFilter(null, null, null);

    private final String folder;
    private final Instant modifiedFrom;
    private final Set<String> types;

    private SearchFilter(String folder, Instant modifiedFrom, Set<String> types) {
        this.folder = folder;
        this.modifiedFrom = modifiedFrom;
        this.types = types;
    }

    /**
     * Only images under {@code folder} (at any depth). The folder is compared with the image's path relative to the
     * folder that was indexed ({@code "holidays/2024"} after indexing {@code photos}), and with its path as stored
     * (relative to the index's own folder when the images are inside it, e.g. {@code "photos/holidays/2024"};
     * absolute otherwise). {@code /} or {@code \} separate folders.
     *
     * @param folder the folder, not null or blank
     * @return a new filter
     * @throws IllegalArgumentException if {@code folder} is blank
     */
    public SearchFilter folder(String folder) {
        requireNonNull(folder, "folder");
        String normalized = EntryFilter.normalizeFolder(folder);
        if (normalized.isEmpty()) {
            throw new IllegalArgumentException("folder filter \"" + folder + "\" names no folder; give e.g."
                    + " \"holidays/2024\"");
        }
        return new SearchFilter(normalized, modifiedFrom, types);
    }

    /**
     * Only images last modified at or after {@code time} (as recorded when they were indexed).
     *
     * @param time the earliest modification time, not null
     * @return a new filter
     */
    public SearchFilter modifiedAfter(Instant time) {
        return new SearchFilter(folder, requireNonNull(time, "time"), types);
    }

    /**
     * Only images of these file types, by extension, case-insensitively; {@code jpg} and {@code jpeg} are one type.
     *
     * @param types extensions such as {@code "jpg"} or {@code ".png"}, at least one
     * @return a new filter
     * @throws IllegalArgumentException if none is given or one is blank
     */
    public SearchFilter types(String... types) {
        requireNonNull(types, "types");
        if (types.length == 0) {
            throw new IllegalArgumentException("give at least one file type, e.g. \"jpg\"");
        }
        Set<String> set = new LinkedHashSet<>();
        for (String t : types) {
            String n = EntryFilter.normalizeType(requireNonNull(t, "type"));
            if (n.isEmpty()) {
                throw new IllegalArgumentException("blank file type in " + Arrays.toString(types));
            }
            set.add(n);
        }
        return new SearchFilter(folder, modifiedFrom, Set.copyOf(set));
    }

    /**
     * This filter with one criterion written as text, as the command line takes it: {@code dir=FOLDER},
     * {@code after=DATE} ({@code 2024-01-01}, midnight UTC, or an instant such as {@code 2024-01-01T12:00:00Z}), or
     * {@code type=EXT[,EXT...]}.
     *
     * @param criterion the criterion, not null
     * @return a new filter
     * @throws IllegalArgumentException if the criterion is not of those forms, naming it and the forms
     */
    public SearchFilter with(String criterion) {
        requireNonNull(criterion, "criterion");
        int eq = criterion.indexOf('=');
        String key = eq < 0 ? "" : criterion.substring(0, eq).trim().toLowerCase(Locale.ROOT);
        String value = eq < 0 ? "" : criterion.substring(eq + 1).trim();
        if (value.isEmpty() && !key.isEmpty()) {
            throw new IllegalArgumentException("filter \"" + criterion + "\" has no value after '='");
        }
        switch (key) {
            case "dir", "folder" -> {
                return folder(value);
            }
            case "after", "modified-after" -> {
                return modifiedAfter(parseTime(criterion, value));
            }
            case "type", "types" -> {
                return types(value.split(","));
            }
            default -> throw new IllegalArgumentException("unknown filter \"" + criterion + "\": use dir=FOLDER,"
                    + " after=YYYY-MM-DD (or an ISO instant) or type=EXT[,EXT...]");
        }
    }

    private static Instant parseTime(String criterion, String value) {
        try {
            return value.length() <= 10 ? LocalDate.parse(value).atStartOfDay(ZoneOffset.UTC).toInstant()
                    : Instant.parse(value);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("filter \"" + criterion + "\": \"" + value + "\" is not a date: use"
                    + " YYYY-MM-DD (midnight UTC) or an instant such as 2024-01-01T12:00:00Z");
        }
    }

    /** {@return true if this filter lets every image through} */
    public boolean isAny() {
        return folder == null && modifiedFrom == null && types == null;
    }

    /** The stores' form of this filter. */
    EntryFilter toEntryFilter() {
        return isAny() ? EntryFilter.ALL
                : new EntryFilter(folder, modifiedFrom == null ? null : modifiedFrom.toEpochMilli(), types);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SearchFilter f && Objects.equals(folder, f.folder)
                && Objects.equals(modifiedFrom, f.modifiedFrom) && Objects.equals(types, f.types);
    }

    @Override
    public int hashCode() {
        return Objects.hash(folder, modifiedFrom, types);
    }

    @Override
    public String toString() {
        if (isAny()) {
            return "SearchFilter[any]";
        }
        StringBuilder sb = new StringBuilder("SearchFilter[");
        if (folder != null) {
            sb.append("dir=").append(folder).append(' ');
        }
        if (modifiedFrom != null) {
            sb.append("after=").append(modifiedFrom).append(' ');
        }
        if (types != null) {
            sb.append("type=").append(String.join(",", new java.util.TreeSet<>(types))).append(' ');
        }
        sb.setLength(sb.length() - 1);
        return sb.append(']').toString();
    }
}
