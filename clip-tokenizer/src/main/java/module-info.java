/**
 * CLIP's text side without native code: the exact tokenizer ({@code io.github.clip4j.tokenizer}), the root of
 * clip4j's exceptions ({@code io.github.clip4j.common}) and download progress ({@code io.github.clip4j.download}).
 * {@code io.github.clip4j.internal.*} is clip4j's own plumbing, exported only to its sibling modules.
 */
module io.github.clip4j.tokenizer {
    requires java.net.http;

    exports io.github.clip4j.common;
    exports io.github.clip4j.download;
    exports io.github.clip4j.tokenizer;

    exports io.github.clip4j.internal.download to io.github.clip4j.core, io.github.clip4j.examples;
    exports io.github.clip4j.internal.io to io.github.clip4j.core, io.github.clip4j.examples;
    exports io.github.clip4j.internal.text to io.github.clip4j.core, io.github.clip4j.examples;
}
