package io.github.clip4j.spark.internal;

import io.github.clip4j.Clip;
import io.github.clip4j.ClipClosedException;
import io.github.clip4j.Embedding;
import io.github.clip4j.InvalidImageException;
import io.github.clip4j.common.ClipException;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Embeds one batch of a partition's rows: image paths in one model call ({@link Clip#embedImages} or
 * {@link Clip#imageFeatures}), encoded bytes one by one ({@link Clip#embedImage(byte[])}: the API has no batch of
 * encoded images). A row whose image cannot be used gets an error message instead of an embedding; the batch goes
 * on. Only a failure that is not the image's fault (a broken model, NaN features) fails the task, as it would fail
 * every further row alike.
 */
public final class ImageBatches {
    private static final Pattern URI_SCHEME = Pattern.compile("^[A-Za-z][A-Za-z0-9+.-]*:/.*");
    /** Longest path accepted; a longer value is refused before any file system call. */
    static final int MAX_PATH_CHARS = 4096;

    private ImageBatches() {}

    /** One row's result: an embedding or an error, never both. */
    public record Result(float[] embedding, String error) {
        static Result ok(float[] embedding) {
            return new Result(embedding, null);
        }

        static Result failed(String error) {
            return new Result(null, error);
        }
    }

    /**
     * The local file a row's path names: a plain path, or a {@code file:} URI (the {@code binaryFile} data source
     * writes those). Anything else is refused with a message, not a file system call.
     *
     * @throws InvalidImageException if the value is not a usable local path
     */
    static Path localPath(String value) {
        if (value == null) {
            throw new InvalidImageException("the path is null");
        }
        if (value.isEmpty() || value.length() > MAX_PATH_CHARS) {
            throw new InvalidImageException("not a file path (" + value.length() + " characters)");
        }
        try {
            if (value.startsWith("file:")) {
                return Path.of(URI.create(value));
            }
            if (URI_SCHEME.matcher(value).matches()) {
                throw new InvalidImageException(value + " is not a local or shared file path; read such storage"
                        + " with spark.read.format(\"binaryFile\") and embed its content column");
            }
            return Path.of(value);
        } catch (IllegalArgumentException e) { // InvalidPathException, a malformed file: URI
            throw new InvalidImageException("not a file path: " + e.getMessage(), e);
        }
    }

    /** Embeds image files given by path strings; {@code normalize} false gives the raw features. */
    public static List<Result> embedPaths(Clip clip, List<String> values, boolean normalize) {
        List<Result> results = new ArrayList<>(values.size());
        List<Path> paths = new ArrayList<>(values.size());
        List<Integer> rows = new ArrayList<>(values.size());
        for (int i = 0; i < values.size(); i++) {
            try {
                paths.add(localPath(values.get(i)));
                rows.add(i);
                results.add(null);
            } catch (InvalidImageException e) {
                results.add(Result.failed(message(e)));
            }
        }
        List<float[]> vectors = null;
        if (!paths.isEmpty()) {
            try {
                vectors = features(clip, paths, normalize);
            } catch (ClipClosedException e) {
                throw e;
            } catch (ClipException | IllegalArgumentException batchRefused) {
                // Some file of the batch is bad: each alone, to find which (like ImageIndex). A failure that is not
                // one image's (a broken model) shows again on the first file alone, and fails the task there.
            }
        }
        for (int j = 0; j < paths.size(); j++) {
            Result r;
            if (vectors != null) {
                r = Result.ok(vectors.get(j));
            } else {
                try {
                    r = Result.ok(features(clip, List.of(paths.get(j)), normalize).get(0));
                } catch (InvalidImageException e) {
                    r = Result.failed(message(e));
                }
            }
            results.set(rows.get(j), r);
        }
        return results;
    }

    /** Embeds encoded images (PNG, JPEG, GIF, BMP, WebP bytes), one model call each, normalized. */
    public static List<Result> embedBytes(Clip clip, List<byte[]> contents) {
        List<Result> results = new ArrayList<>(contents.size());
        for (byte[] content : contents) {
            if (content == null) {
                results.add(Result.failed("the content is null"));
                continue;
            }
            try {
                results.add(Result.ok(clip.embedImage(content).toArray()));
            } catch (InvalidImageException e) {
                results.add(Result.failed(message(e)));
            }
        }
        return results;
    }

    private static List<float[]> features(Clip clip, List<Path> paths, boolean normalize) {
        List<float[]> out = new ArrayList<>(paths.size());
        if (normalize) {
            for (Embedding e : clip.embedImages(paths)) {
                out.add(e.toArray());
            }
        } else {
            for (float[] row : clip.imageFeatures(paths)) {
                out.add(row);
            }
        }
        if (out.size() != paths.size()) {
            throw new IllegalStateException("the model returned " + out.size() + " embeddings for " + paths.size()
                    + " images");
        }
        return out;
    }

    private static String message(Exception e) {
        return e.getMessage() == null ? e.toString() : e.getMessage();
    }
}
