package io.github.clip4j.tokenizer;

import io.github.clip4j.common.ClipException;

/**
 * The BPE vocabulary cannot be used: it is missing and cannot be downloaded, or the file is not CLIP's
 * {@code bpe_simple_vocab_16e6.txt.gz} (not gzip, truncated, too few lines, a malformed merge). The message names
 * the file, the problem and where to put a good copy.
 */
public class VocabularyException extends ClipException {
    private static final long serialVersionUID = 1L;

    /** An exception whose message names the file, the problem and the fix. */
    public VocabularyException(String message) {
        super(message);
    }

    /** The same, with the underlying failure (an I/O or download error). */
    public VocabularyException(String message, Throwable cause) {
        super(message, cause);
    }
}
