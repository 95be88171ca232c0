package io.github.clip4j.internal.text;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class BadnessTest {

    @Test
    void flagsTypicalMojibake() {
        assertThat(Badness.isBad("cafÃ©")).isTrue();
        assertThat(Badness.isBad("Ã¨")).isTrue();
        assertThat(Badness.isBad("â€œ")).isTrue();
        assertThat(Badness.isBad("Ã ")).as("anchored at the start").isTrue();
        assertThat(Badness.isBad("\u0085")).as("a C1 control").isTrue();
    }

    @Test
    void acceptsOrdinaryText() {
        assertThat(Badness.isBad("plain ascii")).isFalse();
        assertThat(Badness.isBad("café")).isFalse();
        assertThat(Badness.isBad("ΟΔΟΣ")).isFalse();
        assertThat(Badness.isBad("")).isFalse();
        assertThat(Badness.isBad("\uD83D\uDE00 \uD800")).isFalse();
    }
}
