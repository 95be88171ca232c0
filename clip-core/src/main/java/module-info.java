/**
 * CLIP on libtorch: the {@link io.github.clip4j.Clip} facade and the tasks built on it (zero-shot
 * classification, image search, fine-tuning), model names and the download cache, and a tiny model for tests.
 * Everything under {@code io.github.clip4j.internal} (native runtime, checkpoint readers, the encoders, image
 * decoding, the loading and decoding machinery) is exported only to clip4j's own modules: its types may change in
 * any release.
 */
module io.github.clip4j.core {
    requires transitive io.github.clip4j.tokenizer;
    requires transitive java.desktop;
    requires java.xml;
    requires com.fasterxml.jackson.databind;
    requires org.bytedeco.javacpp;
    requires org.bytedeco.openblas;
    requires org.bytedeco.pytorch;
    requires org.apache.lucene.core;
    requires static org.bytedeco.opencv; // optional: ImageDecoding.FAST
    requires org.slf4j;

    exports io.github.clip4j;
    exports io.github.clip4j.hub;
    exports io.github.clip4j.retrieval;
    exports io.github.clip4j.testing;
    exports io.github.clip4j.training;
    exports io.github.clip4j.zeroshot;

    exports io.github.clip4j.internal to io.github.clip4j.examples;
    exports io.github.clip4j.internal.hub to io.github.clip4j.examples;
    exports io.github.clip4j.internal.image to io.github.clip4j.examples;
    exports io.github.clip4j.internal.loading to io.github.clip4j.examples;
    exports io.github.clip4j.internal.model to io.github.clip4j.examples;
    exports io.github.clip4j.internal.retrieval to io.github.clip4j.examples;
    exports io.github.clip4j.internal.runtime to io.github.clip4j.examples;
    exports io.github.clip4j.internal.training to io.github.clip4j.examples;
    exports io.github.clip4j.internal.weights to io.github.clip4j.examples;
}
