package io.github.clip4j.internal.text;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class Utf8DecoderTest {

    private static byte[] bytes(int... values) {
        byte[] out = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = (byte) values[i];
        }
        return out;
    }

    @Test
    void strictDecodingRejectsWhatPythonRejects() {
        assertThat(Utf8Decoder.decodeStrict(bytes(0xE2, 0x82, 0xAC, 0x41))).isEqualTo("€A");
        assertThat(Utf8Decoder.decodeStrict(bytes(0xF0, 0x9F, 0x98, 0x8D))).isEqualTo("\uD83D\uDE0D");
        assertThat(Utf8Decoder.decodeStrict(bytes(0xED, 0xA0, 0x80))).as("encoded surrogate").isNull();
        assertThat(Utf8Decoder.decodeStrict(bytes(0xC0, 0x80))).as("overlong NUL").isNull();
        assertThat(Utf8Decoder.decodeStrict(bytes(0xE0, 0x80, 0x80))).as("overlong").isNull();
        assertThat(Utf8Decoder.decodeStrict(bytes(0xF4, 0x90, 0x80, 0x80))).as("above U+10FFFF").isNull();
        assertThat(Utf8Decoder.decodeStrict(bytes(0xE2, 0x82))).as("truncated").isNull();
        assertThat(Utf8Decoder.decodeStrict(bytes(0x80))).as("lone continuation").isNull();
    }

    @Test
    void variantsAcceptCesu8AndJavaNul() {
        assertThat(Utf8Decoder.decodeVariants(bytes(0xED, 0xA0, 0xBD, 0xED, 0xB8, 0x8D))).isEqualTo("\uD83D\uDE0D");
        assertThat(Utf8Decoder.decodeVariants(bytes(0x61, 0xC0, 0x80, 0x62))).isEqualTo("a\0b");
        assertThat(Utf8Decoder.decodeVariants(bytes(0xED, 0xA0, 0xBD))).as("half a pair").isNull();
        assertThat(Utf8Decoder.decodeVariants(bytes(0xC0))).isNull();
        assertThat(Utf8Decoder.decodeVariants(bytes(0xC0, 0x61))).isNull();
    }

    @Test
    void variantsKeepFtfysEndOfInputQuirk() {
        // ftfy's expressions use '$', which also matches before a final newline: the newline is swallowed.
        assertThat(Utf8Decoder.decodeVariants(bytes(0x61, 0xC0, 0x0A))).isEqualTo("a\0");
        assertThat(Utf8Decoder.decodeVariants(bytes(0x78, 0xED, 0xA0, 0xBD, 0xED, 0xB8, 0x0A))).isEqualTo("x\uD83D\uDE0A");
    }
}
