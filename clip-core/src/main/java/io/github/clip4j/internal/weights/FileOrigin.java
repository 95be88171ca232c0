package io.github.clip4j.internal.weights;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.Objects;

/**
 * The checkpoint file a reader mapped, as it was when it was opened (its file key, size and modification time), so
 * tensors can later be read from it with plain positional reads. Reading through the mapping instead would leave
 * every touched page resident in the process (counted in its RSS) until the mapping is garbage-collected, which
 * for a model load means the whole file on top of the converted weights.
 *
 * <p>A file replaced, changed or removed since is not read again: {@link #open()} returns {@code null} and callers
 * use the mapping, which still shows the bytes that were read.
 */
final class FileOrigin {
    private final Path file;
    private final Object key;
    private final long size;
    private final FileTime modified;

    private FileOrigin(Path file, BasicFileAttributes attributes) {
        this.file = file;
        this.key = attributes.fileKey();
        this.size = attributes.size();
        this.modified = attributes.lastModifiedTime();
    }

    /** The identity of {@code file} now, or {@code null} if it cannot be read (then no tensor has an origin). */
    static FileOrigin of(Path file) {
        try {
            return new FileOrigin(file, Files.readAttributes(file, BasicFileAttributes.class));
        } catch (IOException | UnsupportedOperationException e) {
            return null;
        }
    }

    /** A channel on the file if it is still the one that was opened, else {@code null}. */
    FileChannel open() {
        try {
            FileChannel channel = FileChannel.open(file, StandardOpenOption.READ);
            BasicFileAttributes now = Files.readAttributes(file, BasicFileAttributes.class);
            if (now.size() == size && now.lastModifiedTime().equals(modified) && Objects.equals(now.fileKey(), key)
                    && channel.size() == size) {
                return channel;
            }
            channel.close();
            return null;
        } catch (IOException | UnsupportedOperationException e) {
            return null;
        }
    }

    @Override
    public String toString() {
        return file.toString();
    }
}
