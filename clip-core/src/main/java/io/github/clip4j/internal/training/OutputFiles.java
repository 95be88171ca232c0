package io.github.clip4j.internal.training;

import io.github.clip4j.training.TrainingException;
import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Checks that a file can be written before hours of training depend on it (the fine-tuned weights, a resume
 * file), so a typo in a path fails at once instead of at the end of a run.
 */
public final class OutputFiles {
    private OutputFiles() {}

    /**
     * Proves that {@code file} can be created or replaced: its folder exists, is writable (checked by creating
     * and deleting a probe file beside it), and the path is not a folder.
     *
     * <pre>{@code
     * OutputFiles.requireWritable(Path.of("out/finetuned.safetensors"), "output weights");
     * }</pre>
     *
     * @param file the file to be written later, not null; an existing file is left in place
     * @param role what the file is for, used in the message, e.g. {@code "checkpoint"}
     * @throws TrainingException naming the file and the problem
     */
    public static void requireWritable(Path file, String role) {
        requireNonNull(file, "file");
        requireNonNull(role, "role");
        Path absolute = file.toAbsolutePath();
        Path folder = absolute.getParent();
        if (Files.isDirectory(absolute)) {
            throw new TrainingException(role + " path " + file + " is a directory; give a file name");
        }
        if (folder == null || !Files.isDirectory(folder)) {
            throw new TrainingException("cannot write " + role + " " + file + ": folder " + folder
                    + " does not exist; create it first");
        }
        if (!Files.isWritable(folder) || (Files.exists(absolute) && !Files.isWritable(absolute))) {
            throw new TrainingException("cannot write " + role + " " + file + ": permission denied");
        }
        // isWritable can be optimistic (read-only mounts, ACLs): prove it with a probe file
        Path probe = folder.resolve("." + absolute.getFileName() + ".probe");
        try {
            Files.deleteIfExists(probe);
            Files.createFile(probe);
            Files.delete(probe);
        } catch (IOException e) {
            throw new TrainingException("cannot write " + role + " " + file + ": " + e, e);
        }
    }
}
