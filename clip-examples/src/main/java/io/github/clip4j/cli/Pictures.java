package io.github.clip4j.cli;

import io.github.clip4j.common.ClipException;
import io.github.clip4j.examples.chart.ChartFonts;
import java.awt.Font;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
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

    /**
     * The font of {@code --font FILE}, or null when the option is not given.
     *
     * @throws FontException naming the file if it is missing or not a font
     */
    static Font font(Path file) {
        if (file == null) {
            return null;
        }
        System.setProperty("java.awt.headless", "true");
        try {
            return ChartFonts.load(file);
        } catch (NoSuchFileException e) {
            // ChartFonts reads regular files only: say which rule the file broke
            String why = !java.nio.file.Files.exists(file) ? "no such file"
                    : java.nio.file.Files.isDirectory(file) ? "it is a folder, not a font file"
                    : "not a regular file (a device, FIFO or socket), which clip4j does not read as input";
            throw new FontException("cannot read --font " + file + ": " + why);
        } catch (IOException e) {
            throw new FontException("cannot use --font " + file + ": not a TrueType (.ttf), OpenType (.otf) or"
                    + " TrueType collection (.ttc) font that Java can read");
        }
    }

    /** A {@code --font} file that cannot be used. Exit status 1. */
    static final class FontException extends ClipException {
        private static final long serialVersionUID = 1L;

        FontException(String message) {
            super(message);
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
