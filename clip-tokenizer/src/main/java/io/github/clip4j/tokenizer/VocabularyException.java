package io.github.clip4j.tokenizer;

import io.github.clip4j.common.ClipException;

/**
 * The BPE vocabulary cannot be used: it is missing and cannot be downloaded, or the file is not CLIP's
 * {@code bpe_simple_vocab_16e6.txt.gz} (not gzip, truncated, too few lines, a malformed merge). The message names
 * the file, the problem and where to put a good copy.
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
     * @param cause the underlying I/O or download error
     */
    public VocabularyException(String message, Throwable cause) {
        super(message, cause);
    }
}
