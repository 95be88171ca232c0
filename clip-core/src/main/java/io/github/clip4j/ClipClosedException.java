package io.github.clip4j;

import io.github.clip4j.common.ClipException;

/**
 * Thrown when a {@link Clip} is used after {@link Clip#close()}: its native weights are gone. Calls already in
 * progress when {@code close()} starts finish first; only later calls (or the next batch of a long call) fail.
 *
 * <pre>{@code
 * Clip clip = Clip.load();
 * clip.close();
 * clip.embedText("a cat");   // ClipClosedException: this Clip (ViT-B/32) is closed; ...
 * }</pre>
 */
public class ClipClosedException extends ClipException {
    private static final long serialVersionUID = 1L;

    /**
     * An exception for a call made after {@link Clip#close()}.
     *
     * @param message names the closed model and says to keep it open until its last use
     */
    public ClipClosedException(String message) {
        super(message);
    }
}
