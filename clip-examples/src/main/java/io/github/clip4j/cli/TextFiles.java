package io.github.clip4j.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Reads the texts of {@code --text-file}: plain lines, or JSON Lines for texts that hold line breaks. */
final class TextFiles {
    private TextFiles() {}

    /**
     * The texts in {@code file} (UTF-8): a {@code .jsonl} file holds one JSON string per line (see
     * {@link Json#readStringLines}); any other file holds one text per line, as is. Blank lines and a leading byte
     * order mark are skipped in both.
     *
     * @throws Json.InputException naming the file if it cannot be read
     */
    static List<String> read(Path file) {
        if (file.getFileName() != null
                && file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".jsonl")) {
            return Json.readStringLines(file);
        }
        List<String> texts = new ArrayList<>();
        try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            boolean first = true;
            for (String line; (line = reader.readLine()) != null; first = false) {
                if (first && line.startsWith("\uFEFF")) {
                    line = line.substring(1); // a byte order mark some editors write
                }
                if (!line.isBlank()) {
                    texts.add(line);
                }
            }
        } catch (NoSuchFileException e) {
            throw new Json.InputException("cannot read " + file + ": no such file");
        } catch (CharacterCodingException e) {
            throw new Json.InputException(file + " is not UTF-8 text");
        } catch (IOException e) {
            throw new Json.InputException("cannot read " + file + ": " + e.getMessage());
        }
        return texts;
    }
}
