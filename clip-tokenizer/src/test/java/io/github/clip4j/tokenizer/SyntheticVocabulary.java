package io.github.clip4j.tokenizer;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.GZIPOutputStream;

/** Small merges files in the format of {@code bpe_simple_vocab_16e6.txt.gz}, for tests without fixtures. */
final class SyntheticVocabulary {
    private SyntheticVocabulary() {}

    /** The gzip bytes of a header line and {@code merges}, one per line. */
    static byte[] gzip(List<String> merges) {
        return gzip(("#version: 0.2\n" + String.join("\n", merges) + "\n").getBytes(StandardCharsets.UTF_8));
    }

    static byte[] gzip(byte[] content) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (GZIPOutputStream out = new GZIPOutputStream(bytes)) {
            out.write(content);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /** Writes {@code merges} as a vocabulary file in {@code dir} and reads it back with all its merges. */
    static BpeVocabulary create(Path dir, List<String> merges) {
        try {
            Path file = Files.write(Files.createTempFile(dir, "vocab", ".txt.gz"), gzip(merges));
            return BpeVocabulary.read(file, merges.size());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The id of a single byte's token, without {@code </w>}. */
    static int byteId(BpeVocabulary vocabulary, char c) {
        return vocabulary.idOfByte(c);
    }

    /** The id of a single byte's token with {@code </w>}. */
    static int endId(BpeVocabulary vocabulary, char c) {
        return vocabulary.endOfWordIdOfByte(c);
    }
}
