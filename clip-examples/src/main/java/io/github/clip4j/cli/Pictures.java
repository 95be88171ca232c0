package io.github.clip4j.cli;

import io.github.clip4j.common.ClipException;
import java.io.IOException;
import java.nio.file.Path;

/** Writes the PNGs of {@code --chart} and {@code --grid}: headless, with failures that name the file. */
final class Pictures {
    private Pictures() {}

    /** Something that draws a picture into a file. */
    @FunctionalInterface
    interface Drawing {
        void writeTo(Path png) throws IOException;
    }

    /**
     * Draws into {@code png} without a display (even when run in-process under a desktop).
     *
     * @throws OutputException naming the file if it cannot be written
     */
    static void write(Path png, Drawing drawing) {
        System.setProperty("java.awt.headless", "true");
        try {
            drawing.writeTo(png);
        } catch (IOException e) {
            throw new OutputException("cannot write " + png + ": " + e.getMessage()
                    + "; check that its folder is writable");
        }
    }

    /** An output file that cannot be written. Exit status 1. */
    static final class OutputException extends ClipException {
        private static final long serialVersionUID = 1L;

        OutputException(String message) {
            super(message);
        }
    }
}
