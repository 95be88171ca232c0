package io.github.clip4j.internal.image;

import io.github.clip4j.InvalidImageException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one ImageIO reader over in-memory bytes: picks the reader, collects its warnings, turns the warnings that
 * mean "truncated" into an {@link InvalidImageException} (Pillow refuses truncated files, Java's decoders only warn
 * and fill the rest with gray), and always disposes of the reader.
 */
final class ImageIoReading {
    /** Package prefix of the TwelveMonkeys plugins. */
    static final String TWELVEMONKEYS = "com.twelvemonkeys.";
    /** Package prefix of the JDK's own plugins. */
    static final String JDK = "com.sun.imageio.";

    private static final Logger LOG = LoggerFactory.getLogger(ImageIoReading.class);

    private ImageIoReading() {}

    /** What to do with the reader once its input is set. */
    @FunctionalInterface
    interface Action<T> {
        T apply(ImageReader reader) throws IOException;
    }

    /**
     * Applies {@code action} to a reader for {@code formatName} (preferring one from {@code preferredPackage}) over
     * {@code bytes}; {@code name} is used in error messages.
     */
    static <T> T read(byte[] bytes, String name, String formatName, String preferredPackage, boolean needMetadata,
            Action<T> action) throws IOException {
        ImageReader reader = reader(formatName, preferredPackage, name);
        List<String> warnings = new ArrayList<>();
        try (ImageInputStream input = new MemoryCacheImageInputStream(new ByteArrayInputStream(bytes))) {
            reader.setInput(input, true, !needMetadata);
            reader.addIIOReadWarningListener((source, warning) -> warnings.add(warning));
            T result = action.apply(reader);
            checkWarnings(name, warnings, formatName.toUpperCase(Locale.ROOT));
            return result;
        } finally {
            reader.dispose();
        }
    }

    private static ImageReader reader(String formatName, String preferredPackage, String name) {
        Iterator<ImageReader> readers = ImageIO.getImageReadersByFormatName(formatName);
        ImageReader chosen = null;
        while (readers.hasNext()) {
            ImageReader candidate = readers.next();
            boolean preferred = candidate.getClass().getName().startsWith(preferredPackage);
            if (chosen == null || preferred && !chosen.getClass().getName().startsWith(preferredPackage)) {
                chosen = candidate;
            }
        }
        if (chosen == null) {
            throw new InvalidImageException("No ImageIO reader for " + formatName + " is available to decode " + name
                    + "; add com.twelvemonkeys.imageio:imageio-" + formatName + " to the class path");
        }
        return chosen;
    }

    private static void checkWarnings(String name, List<String> warnings, String format) {
        for (String warning : warnings) {
            String lower = warning.toLowerCase(Locale.ROOT);
            if (lower.contains("truncated") || lower.contains("premature end") || lower.contains("missing eoi")) {
                throw new InvalidImageException("Image " + name + " is a truncated " + format + " file (" + warning
                        + "); the reference refuses it too: re-download or re-export the image");
            }
            LOG.debug("{}: decoder warning: {}", name, warning);
        }
    }
}
