package io.github.clip4j.internal.io;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Set;

/**
 * The one way clip4j replaces a file: index files, checkpoints, resume files and downloads all go through
 * {@link #write}. The guarantee: the content goes to a new, uniquely named temporary file in the target's folder,
 * which is forced to disk, renamed over the target in one atomic step, and the folder is forced too. A crash or an
 * exception at any point leaves the previous target byte-identical (or absent, if there was none) and no temporary
 * file behind.
 *
 * <p>The new file keeps the permissions of the file it replaces; a new file gets the process's default (the umask),
 * not the owner-only mode of {@code Files.createTempFile}. Missing parent folders are not created: writing into a
 * folder that does not exist is an error that names it.
 *
 * <pre>{@code
 * AtomicFiles.write(Path.of("photos.clipindex"), channel -> channel.write(ByteBuffer.wrap(bytes)));
 * }</pre>
 */
public final class AtomicFiles {
    /** Temporary files are named {@code .TARGET.RANDOM.tmp}, so a later run can recognise and remove leftovers. */
    public static final String TEMP_SUFFIX = ".tmp";

    private static final SecureRandom RANDOM = new SecureRandom();

    private AtomicFiles() {}

    /** Writes the content of the new file. */
    @FunctionalInterface
    public interface Body {
        /**
         * Writes everything into {@code channel}; throwing aborts the write and keeps the old file.
         *
         * @param channel the temporary file, open for writing; do not close it
         * @throws IOException to abort
         */
        void write(FileChannel channel) throws IOException;
    }

    /**
     * Replaces {@code target} with what {@code body} writes, atomically (see the class comment).
     *
     * @param target the file to create or replace; its folder must exist
     * @param body writes the content
     * @throws NoSuchFileException if {@code target}'s folder does not exist (the message names the folder)
     * @throws IOException if writing, forcing or renaming fails, or {@code body} throws; the old file is intact
     */
    public static void write(Path target, Body body) throws IOException {
        Path absolute = target.toAbsolutePath();
        Path folder = absolute.getParent();
        if (folder == null || !Files.isDirectory(folder)) {
            throw new NoSuchFileException(String.valueOf(folder), null,
                    "the folder does not exist; create it first (clip4j does not create missing folders)");
        }
        Path temp = newTempFile(folder, absolute.getFileName().toString());
        boolean moved = false;
        try {
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
                body.write(channel);
                channel.force(true);
            }
            copyPermissions(absolute, temp);
            try {
                Files.move(temp, absolute, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                // Same folder, so only exotic file systems get here; replacing is the best they offer.
                Files.move(temp, absolute, StandardCopyOption.REPLACE_EXISTING);
            }
            moved = true;
            forceFolder(folder);
        } finally {
            if (!moved) {
                Files.deleteIfExists(temp);
            }
        }
    }

    /**
     * Like {@link #write}, for callers that cannot throw checked exceptions.
     *
     * @param target the file to create or replace
     * @param body writes the content
     * @throws UncheckedIOException wrapping what {@link #write} throws
     */
    public static void writeUnchecked(Path target, Body body) {
        try {
            write(target, body);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Writes all of {@code buffer}: a channel may write only part of it per call.
     *
     * @param channel the channel to write to
     * @param buffer the bytes from its position to its limit
     * @throws IOException if the channel fails
     */
    public static void writeFully(FileChannel channel, ByteBuffer buffer) throws IOException {
        while (buffer.hasRemaining()) {
            channel.write(buffer);
        }
    }

    /**
     * Deletes temporary files that an earlier process, killed while writing {@code target}, left beside it.
     *
     * @param target the file whose leftovers to remove
     * @return how many were removed
     */
    public static int deleteLeftovers(Path target) {
        Path absolute = target.toAbsolutePath();
        Path folder = absolute.getParent();
        String prefix = "." + absolute.getFileName() + ".";
        int removed = 0;
        if (folder == null || !Files.isDirectory(folder)) {
            return 0;
        }
        try (var files = Files.newDirectoryStream(folder, f -> {
            String name = f.getFileName().toString();
            return name.startsWith(prefix) && name.endsWith(TEMP_SUFFIX)
                    && name.length() == prefix.length() + 16 + TEMP_SUFFIX.length();
        })) {
            for (Path leftover : files) {
                if (Files.deleteIfExists(leftover)) {
                    removed++;
                }
            }
        } catch (IOException e) {
            // Leftovers cost disk space only; failing the caller's real work over them would be worse.
        }
        return removed;
    }

    private static Path newTempFile(Path folder, String name) throws IOException {
        for (int attempt = 0; ; attempt++) {
            byte[] random = new byte[8];
            RANDOM.nextBytes(random);
            Path temp = folder.resolve("." + name + "." + HexFormat.of().formatHex(random) + TEMP_SUFFIX);
            try {
                // CREATE_NEW with default attributes: the umask decides the mode, as for any new file.
                Files.newByteChannel(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE).close();
                return temp;
            } catch (FileAlreadyExistsException e) {
                if (attempt >= 8) {
                    throw e;
                }
            }
        }
    }

    private static void copyPermissions(Path from, Path to) throws IOException {
        PosixFileAttributeView source = Files.getFileAttributeView(from, PosixFileAttributeView.class);
        if (source == null || !Files.exists(from)) {
            return;
        }
        Set<PosixFilePermission> permissions = source.readAttributes().permissions();
        Files.getFileAttributeView(to, PosixFileAttributeView.class).setPermissions(permissions);
    }

    private static void forceFolder(Path folder) {
        // Makes the rename itself durable. Not every platform can open a folder (Windows cannot): then the
        // rename is as durable as the file system makes it anyway.
        try (FileChannel channel = FileChannel.open(folder, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException | UnsupportedOperationException e) {
            // see above
        }
    }
}
