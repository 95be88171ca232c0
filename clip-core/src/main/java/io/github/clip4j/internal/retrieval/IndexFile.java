package io.github.clip4j.internal.retrieval;

import io.github.clip4j.internal.FileKinds;
import io.github.clip4j.internal.io.AtomicFiles;
import io.github.clip4j.retrieval.ImageIndex;
import io.github.clip4j.retrieval.IndexException;
import static java.nio.charset.StandardCharsets.UTF_8;
import static java.util.Objects.requireNonNull;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.zip.CRC32;
import java.util.zip.CheckedInputStream;
import java.util.zip.CheckedOutputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The on-disk form of an {@link ImageIndex}, version 1. All numbers are big-endian; strings are a 32-bit byte length
 * followed by UTF-8.
 *
 * <pre>
 * magic       8 bytes   "CLIP4JIX"
 * version     int32     1
 * model id    string    EmbeddingModel.modelId() of the model that embedded the images
 * dimension   int32     embedding length D
 * roots       int32 n,  then n strings: indexed folders, relative to the index file's folder when inside it
 * entries     int32 m,  then m times: int32 root, string path (relative to its root, '/' separators),
 *                       int64 size in bytes, int64 last-modified time in ns since the epoch, D float32 (unit vector)
 * checksum    int32     CRC-32 of every byte before it
 * </pre>
 *
 * <p>Files are written through {@link AtomicFiles} (a temporary file in the same folder, forced to disk, renamed over
 * the old file in one atomic step), so a crash while saving leaves the previous index intact.
 */
public final class IndexFile {
    private static final Logger log = LoggerFactory.getLogger(IndexFile.class);

    static final byte[] MAGIC = "CLIP4JIX".getBytes(UTF_8);
    static final int VERSION = 1;
    private static final int MAX_DIMENSION = 1 << 16;

    /** The whole content of an index file. {@code embeddings} holds {@code entries.size()} rows of {@code dimension}. */
    public record Content(String modelId, int dimension, List<String> roots, List<IndexEntry> entries, float[] embeddings) {
        public Content {
            requireNonNull(modelId, "modelId");
            roots = List.copyOf(roots);
            entries = List.copyOf(entries);
            if ((long) entries.size() * dimension > embeddings.length) {
                throw new IllegalArgumentException("fewer embeddings than entries");
            }
        }
    }

    private IndexFile() {}

    /**
     * Reads {@code file}.
     *
     * @throws IndexException if it is not a clip4j index, is of another version, truncated or corrupt
     * @throws NoSuchFileException if it does not exist
     */
    public static Content read(Path file) throws IOException {
        long length = regularFileSize(file);
        CRC32 crc = new CRC32();
        try (InputStream raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
                CheckedInputStream checked = new CheckedInputStream(raw, crc);
                DataInputStream in = new DataInputStream(checked)) {
            readHeader(in, file);
            String modelId = readString(in, length, file);
            int dimension = in.readInt();
            if (dimension < 1 || dimension > MAX_DIMENSION) {
                throw corrupt(file, "embedding dimension " + dimension);
            }
            int rootCount = in.readInt();
            if (rootCount < 0 || rootCount > length) {
                throw corrupt(file, "folder count " + rootCount);
            }
            List<String> roots = new ArrayList<>(rootCount);
            for (int i = 0; i < rootCount; i++) {
                String root = readString(in, length, file);
                String problem = rootProblem(root);
                if (problem != null) {
                    throw corrupt(file, "folder " + i + " " + problem);
                }
                roots.add(root);
            }
            int count = in.readInt();
            long entryBytes = 4 + 4 + 8 + 8 + 4L * dimension;
            if (count < 0 || count * entryBytes > length) {
                throw corrupt(file, "entry count " + count);
            }
            List<IndexEntry> entries = new ArrayList<>(count);
            float[] embeddings = new float[Math.toIntExact((long) count * dimension)];
            byte[] row = new byte[4 * dimension];
            for (int i = 0; i < count; i++) {
                int root = in.readInt();
                if (root < 0 || root >= rootCount) {
                    throw corrupt(file, "entry " + i + " refers to folder " + root);
                }
                String path = readString(in, length, file);
                String problem = entryProblem(path);
                if (problem != null) {
                    throw corrupt(file, "entry " + i + " " + problem);
                }
                long size = in.readLong();
                long modified = in.readLong();
                in.readFully(row);
                ByteBuffer.wrap(row).asFloatBuffer().get(embeddings, i * dimension, dimension);
                for (int d = i * dimension; d < (i + 1) * dimension; d++) {
                    if (!Float.isFinite(embeddings[d])) {
                        throw corrupt(file, "entry " + i + " has a non-finite embedding");
                    }
                }
                entries.add(new IndexEntry(root, path, size, modified));
            }
            int expected = (int) crc.getValue();
            int stored = in.readInt();
            if (stored != expected || in.read() != -1) {
                throw corrupt(file, stored != expected ? "checksum mismatch" : "unexpected bytes after the end");
            }
            return new Content(modelId, dimension, roots, entries, embeddings);
        } catch (EOFException e) {
            throw truncated(file, length, e);
        }
    }

    /**
     * The model id in {@code file}'s header, without reading (or checking) the rest.
     *
     * @throws IndexException if it is not a clip4j index or is of another version
     * @throws NoSuchFileException if it does not exist
     */
    public static String readModelId(Path file) throws IOException {
        long length = regularFileSize(file);
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file)))) {
            readHeader(in, file);
            return readString(in, length, file);
        } catch (EOFException e) {
            throw truncated(file, length, e);
        }
    }

    /**
     * The size of {@code file}, refusing what is not a regular file: opening a FIFO blocks until a writer comes,
     * and a device never ends.
     */
    private static long regularFileSize(Path file) throws IOException {
        String notRegular = FileKinds.notRegular(file);
        if (notRegular != null) {
            throw new IndexException("image index " + file + " " + notRegular);
        }
        return Files.size(file);
    }

    private static void readHeader(DataInputStream in, Path file) throws IOException {
        byte[] magic = new byte[MAGIC.length];
        in.readFully(magic);
        if (!Arrays.equals(magic, MAGIC)) {
            throw new IndexException(file + " is not a clip4j image index (it does not start with "
                    + new String(MAGIC, UTF_8) + "); pass an index file, or a new path to create one");
        }
        int version = in.readInt();
        if (version != VERSION) {
            throw new IndexException(file + " is an image index of format version " + version
                    + ", this clip4j reads version " + VERSION + "; delete it and index the folder again");
        }
    }

    private static IndexException truncated(Path file, long length, EOFException e) {
        return new IndexException("image index " + file + " is truncated (" + length
                + " bytes); delete it and index the folder again", e);
    }

    /** Writes {@code content} to {@code file} atomically. */
    public static void write(Path file, Content content) throws IOException {
        write(file, content, UnaryOperator.identity());
    }

    /**
     * Writes {@code content} to {@code file} atomically, the bytes going through {@code decorate}'s stream (tests
     * inject failures there). A successful write also removes temporary files that killed earlier writes left.
     *
     * @throws java.nio.file.NoSuchFileException if {@code file}'s folder does not exist
     */
    public static void write(Path file, Content content, UnaryOperator<OutputStream> decorate) throws IOException {
        AtomicFiles.write(file, channel -> {
            CRC32 crc = new CRC32();
            // Flushed, not closed: the channel belongs to AtomicFiles, which forces it to disk before closing it.
            DataOutputStream out = new DataOutputStream(new CheckedOutputStream(
                    new BufferedOutputStream(decorate.apply(Channels.newOutputStream(channel)), 1 << 16), crc));
            writeContent(out, content);
            out.writeInt((int) crc.getValue());
            out.flush();
        });
        int leftovers = AtomicFiles.deleteLeftovers(file);
        if (leftovers > 0) {
            log.info("removed {} temporary file(s) that an interrupted save of {} left", leftovers, file);
        }
    }

    private static void writeContent(DataOutputStream out, Content c) throws IOException {
        out.write(MAGIC);
        out.writeInt(VERSION);
        writeString(out, c.modelId());
        out.writeInt(c.dimension());
        out.writeInt(c.roots().size());
        for (String root : c.roots()) {
            writeString(out, root);
        }
        out.writeInt(c.entries().size());
        int dim = c.dimension();
        ByteBuffer row = ByteBuffer.allocate(4 * dim);
        for (int i = 0; i < c.entries().size(); i++) {
            IndexEntry e = c.entries().get(i);
            out.writeInt(e.root());
            writeString(out, e.path());
            out.writeLong(e.size());
            out.writeLong(e.modifiedNanos());
            row.clear();
            row.asFloatBuffer().put(c.embeddings(), i * dim, dim);
            out.write(row.array());
        }
    }

    private static void writeString(DataOutputStream out, String s) throws IOException {
        byte[] bytes = s.getBytes(UTF_8);
        out.writeInt(bytes.length);
        out.write(bytes);
    }

    private static String readString(DataInputStream in, long fileLength, Path file) throws IOException {
        int n = in.readInt();
        if (n < 0 || n > fileLength) {
            throw corrupt(file, "string length " + n);
        }
        byte[] bytes = new byte[n];
        in.readFully(bytes);
        return new String(bytes, UTF_8);
    }

    /**
     * Why {@code path} cannot be an entry's path, or null if it can: it must be relative to its folder and stay
     * inside it, written as the writer writes it ({@code /}-separated, normalized: no empty, {@code .} or
     * {@code ..} segment), without backslashes or NUL characters.
     *
     * @param path an entry's stored path
     * @return the problem, for an error message, or null
     */
    public static String entryProblem(String path) {
        if (path.isEmpty()) {
            return "has an empty path";
        }
        if (path.indexOf('\0') >= 0 || path.indexOf('\\') >= 0) {
            return "has a path with a NUL or backslash character";
        }
        if (path.startsWith("/")) {
            return "has an absolute path (entries are relative to their folder)";
        }
        for (String segment : path.split("/", -1)) {
            if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
                return "has a path that is not normalized or leaves its folder";
            }
        }
        return null;
    }

    /**
     * Why {@code root} cannot be an indexed folder, or null if it can: an absolute path, or one relative to the index
     * file's folder that stays inside it (empty for that folder itself), normalized, without NUL characters.
     */
    static String rootProblem(String root) {
        if (root.indexOf('\0') >= 0) {
            return "has a NUL character";
        }
        if (root.isEmpty()) {
            return null;
        }
        Path path;
        try {
            path = Path.of(root);
        } catch (java.nio.file.InvalidPathException e) {
            return "is not a valid path";
        }
        if (!path.normalize().equals(path) || (!path.isAbsolute() && path.startsWith(".."))) {
            return "is not normalized or leaves the index's folder";
        }
        for (Path part : path) {
            if (part.toString().equals("..") || part.toString().equals(".")) {
                return "is not normalized or leaves the index's folder";
            }
        }
        return null;
    }

    private static IndexException corrupt(Path file, String what) {
        return new IndexException("image index " + file + " is corrupt (" + what
                + "); delete it and index the folder again");
    }
}
