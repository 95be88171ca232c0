package io.github.clip4j.spark.internal;

import io.github.clip4j.retrieval.ImageIndex;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileSystems;
import java.nio.file.FileVisitOption;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;

/**
 * The image files of the embed job's {@code --input}: a folder (walked recursively, like {@code clip index --dir})
 * or a glob ({@code /data/photos/**}{@code /*.jpg}: walked from its longest folder without wildcards). Symbolic
 * links are not followed, only regular files with an image extension ({@link ImageIndex#IMAGE_EXTENSIONS}) count,
 * the walk is bounded in depth and in files, and each file's path is recorded relative to the folder walked
 * ({@code /}-separated), as {@code clip index} records it.
 */
public final class ImageListing {
    /** Deepest folder walked below the input. */
    public static final int MAX_DEPTH = 64;

    /** One image file: its absolute path, its path relative to the input, its size and modification time (ms). */
    public record Image(String file, String path, long size, long mtime) implements java.io.Serializable {}

    /** What the walk found: the images, sorted by relative path, and the folders or files it could not read. */
    public record Listing(Path root, List<Image> images, List<String> unreadable) {}

    private ImageListing() {}

    /**
     * Lists the images of {@code input}.
     *
     * @param input a folder or a glob
     * @param maxImages the most images listed; more is an error naming the limit
     * @throws IllegalArgumentException if the input is neither an existing folder nor a glob over one, or has more
     *     than {@code maxImages} images
     */
    public static Listing list(String input, int maxImages) {
        Path root;
        PathMatcher matcher = null;
        try {
            int wildcard = firstWildcard(input);
            if (wildcard < 0) {
                root = Path.of(input).toAbsolutePath().normalize();
                if (!Files.isDirectory(root)) {
                    throw new IllegalArgumentException("--input " + input + " is not a folder (nor a glob such as"
                            + " 'photos/**/*.jpg')");
                }
            } else {
                int slash = input.lastIndexOf('/', wildcard);
                String base = slash < 0 ? "." : slash == 0 ? "/" : input.substring(0, slash);
                root = Path.of(base).toAbsolutePath().normalize();
                if (!Files.isDirectory(root)) {
                    throw new IllegalArgumentException("--input " + input + ": the folder " + base + " does not exist");
                }
                String pattern = input.substring(slash + 1);
                matcher = FileSystems.getDefault().getPathMatcher("glob:" + pattern);
            }
        } catch (InvalidPathException e) {
            throw new IllegalArgumentException("--input " + input + " is not a path: " + e.getMessage(), e);
        }
        List<Image> images = new ArrayList<>();
        List<String> unreadable = new ArrayList<>();
        PathMatcher glob = matcher;
        Path top = root;
        try {
            Files.walkFileTree(root, EnumSet.noneOf(FileVisitOption.class), MAX_DEPTH, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                    Path relative = top.relativize(file);
                    if (attrs.isRegularFile() && isImage(file) && (glob == null || glob.matches(relative))) {
                        if (images.size() >= maxImages) {
                            throw new IllegalArgumentException("--input " + input + " has more than " + maxImages
                                    + " images; split it or raise --max-images");
                        }
                        String path = relative.toString().replace(file.getFileSystem().getSeparator(), "/");
                        images.add(new Image(file.toString(), path, attrs.size(), attrs.lastModifiedTime()
                                .toMillis()));
                    }
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path file, IOException e) {
                    unreadable.add(file + ": " + e);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + root, e);
        }
        images.sort(Comparator.comparing(Image::path));
        return new Listing(root, images, unreadable);
    }

    private static int firstWildcard(String input) {
        for (int i = 0; i < input.length(); i++) {
            if ("*?[{".indexOf(input.charAt(i)) >= 0) {
                return i;
            }
        }
        return -1;
    }

    private static boolean isImage(Path path) {
        String name = path.getFileName().toString();
        int dot = name.lastIndexOf('.');
        return dot >= 0 && ImageIndex.IMAGE_EXTENSIONS.contains(name.substring(dot + 1).toLowerCase(Locale.ROOT));
    }
}
