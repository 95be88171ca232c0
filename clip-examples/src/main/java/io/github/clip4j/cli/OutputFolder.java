package io.github.clip4j.cli;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The one check of every output path the commands take ({@code --out}, {@code --chart}, {@code --grid},
 * {@code --index}): its folder must exist. The tool never creates folders: a typo in a path is an error, not a new
 * tree of folders.
 */
final class OutputFolder {
    private OutputFolder() {}

    /**
     * Checks, before any work, that {@code file} can be created: its folder exists and it is not itself a folder.
     *
     * @param file the output path as given
     * @param option the option that gave it, e.g. {@code --out}, for the message
     * @throws Pictures.OutputException (exit 1) naming the option, the file and the missing folder
     */
    static void require(Path file, String option) {
        Path absolute = file.toAbsolutePath();
        Path folder = absolute.getParent();
        if (Files.isDirectory(absolute)) {
            throw new Pictures.OutputException("cannot write " + option + " " + file + ": it is a folder; give a"
                    + " file name");
        }
        if (folder == null || !Files.isDirectory(folder)) {
            throw new Pictures.OutputException("cannot write " + option + " " + file + ": folder " + folder
                    + " does not exist; create it first (clip does not create folders)");
        }
    }
}
