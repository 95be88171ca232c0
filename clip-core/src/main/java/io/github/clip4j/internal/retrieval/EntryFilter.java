package io.github.clip4j.internal.retrieval;

import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * A search filter on an entry's metadata, as the stores apply it: {@link IndexTable} as a row predicate,
 * {@link LuceneStore} as a Lucene pre-filter over the same fields. Null (or empty) parts match everything.
 *
 * @param folder a folder prefix in portable form ({@code /} separators, no leading {@code ./}, no trailing {@code /}):
 *     matches files under it, where the file's path is taken both relative to its indexed folder and as stored
 *     (its indexed folder as stored, then the relative path)
 * @param modifiedFromMillis matches files last modified at or after this time, in ms since the epoch
 * @param types matches files with one of these {@link #typeOf normalized} extensions
 */
public record EntryFilter(String folder, Long modifiedFromMillis, Set<String> types) {
    /** The filter that matches every entry. */
    public static final EntryFilter ALL = new EntryFilter(null, null, null);

    public EntryFilter {
        types = types == null || types.isEmpty() ? null : Set.copyOf(types);
        folder = folder == null || folder.isEmpty() ? null : folder;
    }

    /** {@return true if this filter matches everything} */
    public boolean isAll() {
        return folder == null && modifiedFromMillis == null && types == null;
    }

    /**
     * Whether {@code entry} passes.
     *
     * @param entry the entry, not null
     * @param roots the index's folders as stored, indexed by {@link IndexEntry#root()}
     * @return true if it matches every part of the filter
     */
    public boolean matches(IndexEntry entry, List<String> roots) {
        if (modifiedFromMillis != null && Math.floorDiv(entry.modifiedNanos(), 1_000_000L) < modifiedFromMillis) {
            return false;
        }
        if (types != null && !types.contains(typeOf(entry.path()))) {
            return false;
        }
        if (folder != null) {
            String prefix = folder + "/";
            return entry.path().startsWith(prefix) || joined(roots.get(entry.root()), entry.path()).startsWith(prefix);
        }
        return true;
    }

    /** {@return a folder written by a user in the form filters compare: {@code /} separators, no {@code ./}, no trailing {@code /}} */
    public static String normalizeFolder(String folder) {
        String f = folder.replace('\\', '/').trim();
        while (f.startsWith("./")) {
            f = f.substring(2);
        }
        while (f.length() > 1 && f.endsWith("/")) {
            f = f.substring(0, f.length() - 1);
        }
        return f.equals(".") ? "" : f;
    }

    /** {@return the file's extension, lower case, with {@code jpeg} as {@code jpg} and {@code tif} as {@code tiff}} */
    public static String typeOf(String path) {
        int slash = path.lastIndexOf('/');
        int dot = path.lastIndexOf('.');
        String ext = dot > slash ? path.substring(dot + 1).toLowerCase(Locale.ROOT) : "";
        return normalizeType(ext);
    }

    /** {@return a user's type (e.g. {@code ".JPEG"}) in the form {@link #typeOf} gives} */
    public static String normalizeType(String type) {
        String t = type.trim().toLowerCase(Locale.ROOT);
        if (t.startsWith(".")) {
            t = t.substring(1);
        }
        return switch (t) {
            case "jpeg" -> "jpg";
            case "tif" -> "tiff";
            default -> t;
        };
    }

    /** {@return the stored folder and the relative path as one portable path} */
    public static String joined(String root, String path) {
        String r = root.replace('\\', '/');
        if (r.isEmpty()) {
            return path;
        }
        return r.endsWith("/") ? r + path : r + "/" + path;
    }

    /**
     * The folders a file is under, as {@link #folder} compares them: every ancestor of its relative path and of its
     * stored path. {@link LuceneStore} indexes these, so a folder filter is one term.
     */
    static Set<String> foldersOf(String root, String path) {
        Set<String> folders = new java.util.HashSet<>();
        addAncestors(folders, path);
        addAncestors(folders, joined(root, path));
        return folders;
    }

    private static void addAncestors(Set<String> into, String path) {
        for (int i = path.indexOf('/', 1); i > 0; i = path.indexOf('/', i + 1)) {
            into.add(path.substring(0, i));
        }
    }
}
