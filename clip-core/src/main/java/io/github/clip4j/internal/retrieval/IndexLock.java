package io.github.clip4j.internal.retrieval;

import static java.nio.charset.StandardCharsets.UTF_8;

import io.github.clip4j.retrieval.IndexException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;

/**
 * The exclusive right to write an index file, across processes: an OS lock ({@link FileChannel#tryLock()}) on the
 * file {@code INDEX.lock} beside the index. The writer that holds it records its process id and start time in it,
 * so the one refused can say who holds it. The lock file stays in place after {@link #close()} (deleting it would
 * race with a writer that just opened it); the OS releases the lock when its process dies, even under
 * {@code kill -9}.
 *
 * <p>A second writer does not wait: it fails at once with an {@link IndexException} naming the index, the lock file
 * and the holder (waiting behind an indexing run of hours helps nobody).
 */
public final class IndexLock implements AutoCloseable {
    /** The lock file's name is the index's with this appended. */
    public static final String SUFFIX = ".lock";

    private final FileChannel channel;
    private final FileLock lock;

    private IndexLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    /** {@return the lock file of {@code indexFile}} */
    public static Path lockFileOf(Path indexFile) {
        return indexFile.resolveSibling(indexFile.getFileName() + SUFFIX);
    }

    /**
     * Takes the write lock of {@code indexFile}.
     *
     * @throws IndexException if another process (or another open index in this one) holds it, or the lock file
     *     cannot be created (e.g. the index's folder does not exist)
     */
    public static IndexLock acquire(Path indexFile) {
        Path lockFile = lockFileOf(indexFile);
        FileChannel channel;
        try {
            channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.READ,
                    StandardOpenOption.WRITE);
        } catch (NoSuchFileException e) {
            Path folder = indexFile.toAbsolutePath().getParent();
            throw new IndexException("cannot write image index " + indexFile + ": folder " + folder
                    + " does not exist; create it first", e);
        } catch (IOException e) {
            throw new IndexException("cannot write image index " + indexFile + ": cannot create its lock file "
                    + lockFile + ": " + e, e);
        }
        FileLock lock;
        try {
            lock = channel.tryLock();
        } catch (OverlappingFileLockException e) {
            lock = null;
        } catch (IOException e) {
            closeQuietly(channel);
            throw new IndexException("cannot lock image index " + indexFile + " (lock file " + lockFile + "): " + e,
                    e);
        }
        if (lock == null) {
            String holder = holder(channel);
            closeQuietly(channel);
            throw new IndexException("image index " + indexFile + " is being written by another "
                    + (holder.isEmpty() ? "process" : holder) + " (lock file " + lockFile
                    + "); wait until it finishes, or write to another index file");
        }
        try {
            byte[] me = ("process " + ProcessHandle.current().pid() + " since " + Instant.now()).getBytes(UTF_8);
            channel.truncate(0);
            channel.write(ByteBuffer.wrap(me), 0);
        } catch (IOException e) {
            // The lock is what counts; the note only improves another writer's message.
        }
        return new IndexLock(channel, lock);
    }

    /** What the holder wrote into the lock file, at most one short line; empty if unreadable. */
    private static String holder(FileChannel channel) {
        try {
            ByteBuffer buffer = ByteBuffer.allocate(128);
            channel.read(buffer, 0);
            String text = new String(buffer.array(), 0, buffer.position(), UTF_8);
            return text.matches("process \\d+ since [0-9T:.Z-]+") ? text : "";
        } catch (IOException e) {
            return "";
        }
    }

    private static void closeQuietly(FileChannel channel) {
        try {
            channel.close();
        } catch (IOException ignored) {
            // nothing to do
        }
    }

    /** Releases the lock; the lock file stays. */
    @Override
    public void close() {
        try {
            lock.release();
        } catch (IOException ignored) {
            // closing the channel releases it too
        }
        closeQuietly(channel);
    }
}
