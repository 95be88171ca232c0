package io.github.clip4j.tokenizer;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * The build step that turns the bundled {@code bpe_simple_vocab_16e6.txt.gz} into
 * {@value #RESOURCE_NAME}, the same tables in binary form, so that {@link ClipTokenizer#load()} reads them
 * instead of inflating and parsing 48,894 merge lines at every start. The file is generated into
 * {@code target/classes} by clip-tokenizer's build (never committed) and is only used in place of the bundled
 * vocabulary it was generated from (its SHA-256 is checked); a damaged or stale one is ignored.
 *
 * <pre>java -cp target/classes io.github.clip4j.tokenizer.CompactVocabulary VOCAB.txt.gz OUT.bin</pre>
 */
final class CompactVocabulary {
    /** The class-path name of the compact tables, relative to this package. */
    static final String RESOURCE_NAME = "bpe_simple_vocab_16e6.bin";

    private CompactVocabulary() {}

    public static void main(String[] args) throws IOException {
        Path gz = Path.of(args[0]);
        Path out = Path.of(args[1]);
        BpeVocabulary vocabulary = BpeVocabulary.read(gz);
        Path temp = Files.createTempFile(out.toAbsolutePath().getParent(), RESOURCE_NAME, ".tmp");
        try (OutputStream stream = Files.newOutputStream(temp)) {
            vocabulary.writeCompact(stream, BpeVocabulary.SHA256);
        }
        try (InputStream check = Files.newInputStream(temp)) {
            BpeVocabulary read = BpeVocabulary.readCompact(check, gz.toString(), BpeVocabulary.SHA256);
            if (read == null || !read.sameTables(vocabulary)) {
                throw new IllegalStateException("the compact vocabulary does not read back as " + gz);
            }
        }
        Files.move(temp, out, StandardCopyOption.REPLACE_EXISTING);
        System.out.println("wrote " + out + " (" + Files.size(out) + " bytes) from " + gz);
    }

    /** The compact tables bundled next to this class, or null if absent, stale or damaged. */
    static BpeVocabulary readBundled(java.util.function.Function<String, InputStream> resources, String source) {
        try (InputStream in = resources.apply(RESOURCE_NAME)) {
            return in == null ? null : BpeVocabulary.readCompact(in, source, BpeVocabulary.SHA256);
        } catch (IOException | RuntimeException e) {
            return null; // the gzip text is the authority: fall back to it
        }
    }
}
