package io.github.clip4j.internal.text;

import io.github.clip4j.common.ClipException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Reads the generated tab-separated tables shipped next to this package's classes. */
final class TableResource {
    private TableResource() {}

    /** The rows of resource {@code name}, split on tabs, without comment lines (starting with '#'). */
    static List<String[]> rows(String name) {
        List<String[]> rows = new ArrayList<>();
        try (InputStream in = TableResource.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new ClipException("Missing resource " + name + " next to " + TableResource.class.getName()
                        + "; the clip-tokenizer jar is incomplete: rebuild it");
            }
            BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                if (!line.isEmpty() && line.charAt(0) != '#') {
                    rows.add(line.split("\t", -1));
                }
            }
        } catch (IOException e) {
            throw new ClipException("Cannot read resource " + name + ": " + e.getMessage(), e);
        }
        return rows;
    }

    /** Decodes space-separated hexadecimal code points, e.g. {@code "69 307"}, into a string. */
    static String codePoints(String hex) {
        StringBuilder out = new StringBuilder(4);
        for (String cp : hex.split(" ")) {
            out.appendCodePoint(Integer.parseInt(cp, 16));
        }
        return out.toString();
    }
}
