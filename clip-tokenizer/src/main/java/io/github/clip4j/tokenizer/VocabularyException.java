package io.github.clip4j.tokenizer;

import io.github.clip4j.common.ClipException;

/**
 * A tokenizer vocabulary cannot be used: a configured file is missing, the jar was built without the bundled copy,
 * or the file is not the expected vocabulary (for CLIP's {@code bpe_simple_vocab_16e6.txt.gz}: not gzip,
 * truncated, too few lines, a malformed merge; for a WordPiece {@code vocab.txt}: not UTF-8, no {@code [UNK]}).
 * The message names the file, the problem and where to put a good copy.
 */
public class VocabularyException extends ClipException {
    private static final long serialVersionUID = 1L;

    /**
     * An exception for a problem found in the vocabulary itself.
     *
     * @param message names the file, the problem and the fix, e.g. where to put a good copy
     */
    public VocabularyException(String message) {
        super(message);
    }

    /**
     * An exception caused by another failure, e.g. the file cannot be read or the download failed.
     *
     * @param message names the file, the problem and the fix
     * @param cause the underlying I/O error
     */
    public VocabularyException(String message, Throwable cause) {
        super(message, cause);
    }
}
