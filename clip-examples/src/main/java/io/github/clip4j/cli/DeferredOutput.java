package io.github.clip4j.cli;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Output held back until the command has succeeded, so that a failure leaves stdout empty (the contract), in
 * constant memory: the first {@value #MEMORY_CHARS} characters stay in memory, anything beyond goes to a temporary
 * file, which {@link #close()} deletes. {@link #commitTo} copies everything to the real output.
 */
final class DeferredOutput extends Writer {
    /** Small outputs (every single-text run) never touch the disk. */
    static final int MEMORY_CHARS = 1 << 20;

    private final StringBuilder memory = new StringBuilder();
    private Path file;
    private Writer spill;

    @Override
    public void write(char[] chars, int offset, int length) throws IOException {
        if (spill == null && memory.length() + length <= MEMORY_CHARS) {
            memory.append(chars, offset, length);
            return;
        }
        spillIfNeeded();
        spill.write(chars, offset, length);
    }

    @Override
    public void write(String text, int offset, int length) throws IOException {
        if (spill == null && memory.length() + length <= MEMORY_CHARS) {
            memory.append(text, offset, offset + length);
            return;
        }
        spillIfNeeded();
        spill.write(text, offset, length);
    }

    private void spillIfNeeded() throws IOException {
        if (spill == null) {
            file = Files.createTempFile("clip-output-", ".json");
            file.toFile().deleteOnExit();
            spill = new BufferedWriter(Files.newBufferedWriter(file, StandardCharsets.UTF_8), 1 << 16);
            spill.append(memory);
            memory.setLength(0);
            memory.trimToSize();
        }
    }

    /** {@return whether the output went beyond memory into a temporary file} (tests) */
    boolean spilled() {
        return spill != null;
    }

    /** Writes everything held to {@code out} and flushes it. */
    void commitTo(Writer out) {
        try {
            if (spill == null) {
                out.append(memory);
            } else {
                spill.flush();
                char[] buffer = new char[1 << 16];
                try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                    for (int n; (n = in.read(buffer)) > 0; ) {
                        out.write(buffer, 0, n);
                    }
                }
            }
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void flush() throws IOException {
        // held back on purpose; the temporary file is flushed by commitTo
    }

    /** Drops what is held (after {@link #commitTo}, or on failure) and deletes the temporary file. */
    @Override
    public void close() {
        memory.setLength(0);
        if (spill != null) {
            try {
                spill.close();
                Files.deleteIfExists(file);
            } catch (IOException e) {
                // a temporary file left behind is deleted at exit
            }
        }
    }
}
