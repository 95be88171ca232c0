package io.github.clip4j.internal.retrieval;

import io.github.clip4j.retrieval.IndexException;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IndexFileTest {
    @TempDir
    Path tmp;

    private static IndexFile.Content content(int entries) {
        int dim = 4;
        float[] embeddings = new float[entries * dim];
        List<IndexEntry> list = new java.util.ArrayList<>();
        for (int i = 0; i < entries; i++) {
            embeddings[i * dim + i % dim] = 1;
            list.add(new IndexEntry(i % 2, "sub/图片 " + i + ".png", 1000 + i, 1_700_000_000_000_000_000L + i));
        }
        return new IndexFile.Content("model ✓", dim, List.of("photos", "/abs/other"), list, embeddings);
    }

    @Test
    void roundTripsEveryField() throws Exception {
        Path file = tmp.resolve("i.clipindex");
        IndexFile.Content written = content(5);
        IndexFile.write(file, written);
        IndexFile.Content read = IndexFile.read(file);
        assertThat(read.modelId()).isEqualTo("model ✓");
        assertThat(read.dimension()).isEqualTo(4);
        assertThat(read.roots()).isEqualTo(written.roots());
        assertThat(read.entries()).isEqualTo(written.entries());
        assertThat(read.embeddings()).containsExactly(written.embeddings());
        assertThat(Files.readAllBytes(file)).startsWith("CLIP4JIX".getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    @Test
    void aFailureWhileWritingLeavesThePreviousFileIntactAndNoTemporaryFile() throws Exception {
        Path file = tmp.resolve("i.clipindex");
        IndexFile.write(file, content(3));
        byte[] before = Files.readAllBytes(file);

        assertThatThrownBy(() -> IndexFile.write(file, content(50), out -> new FailAfter(out, 300)))
                .isInstanceOf(IOException.class).hasMessageContaining("injected");

        assertThat(Files.readAllBytes(file)).isEqualTo(before);
        assertThat(IndexFile.read(file).entries()).hasSize(3);
        try (Stream<Path> files = Files.list(tmp)) {
            assertThat(files).containsExactly(file);
        }
    }

    @Test
    void aTemporaryFileLeftByACrashDoesNotDisturbTheIndex() throws Exception {
        Path file = tmp.resolve("i.clipindex");
        IndexFile.write(file, content(3));
        // What a process killed mid-write leaves behind: a partial temporary file beside the index.
        byte[] partial = java.util.Arrays.copyOf(Files.readAllBytes(file), 40);
        Files.write(tmp.resolve(".i.clipindex.123.tmp"), partial);
        assertThat(IndexFile.read(file).entries()).hasSize(3);
        IndexFile.write(file, content(4));
        assertThat(IndexFile.read(file).entries()).hasSize(4);
    }

    @Test
    void anUnknownVersionIsRefused() throws Exception {
        Path file = tmp.resolve("i.clipindex");
        IndexFile.write(file, content(1));
        byte[] bytes = Files.readAllBytes(file);
        bytes[11] = 9; // the low byte of the version
        Files.write(file, bytes);
        assertThatThrownBy(() -> IndexFile.read(file)).isInstanceOf(IndexException.class)
                .hasMessageContaining("version 9").hasMessageContaining(file.toString());
    }

    @Test
    void anImplausibleCountIsReportedAsCorruptionNotAsOutOfMemory() throws Exception {
        Path file = tmp.resolve("i.clipindex");
        IndexFile.write(file, content(1));
        byte[] bytes = Files.readAllBytes(file);
        // The entry count follows magic, version, model id, dimension and the two roots.
        int countOffset = 8 + 4 + (4 + "model ✓".getBytes(java.nio.charset.StandardCharsets.UTF_8).length) + 4
                + 4 + (4 + 6) + (4 + 10);
        assertThat(java.nio.ByteBuffer.wrap(bytes, countOffset, 4).getInt()).isEqualTo(1);
        bytes[countOffset] = 0x7f;
        Files.write(file, bytes);
        assertThatThrownBy(() -> IndexFile.read(file)).isInstanceOf(IndexException.class)
                .hasMessageContaining("corrupt").hasMessageContaining("entry count");
    }

    /** Passes {@code limit} bytes through, then fails like a full disk. */
    private static final class FailAfter extends FilterOutputStream {
        private int left;

        FailAfter(OutputStream out, int limit) {
            super(out);
            this.left = limit;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            int n = Math.min(len, left);
            out.write(b, off, n);
            left -= n;
            if (n < len) {
                out.flush();
                throw new IOException("injected failure after the limit");
            }
        }
    }
}
