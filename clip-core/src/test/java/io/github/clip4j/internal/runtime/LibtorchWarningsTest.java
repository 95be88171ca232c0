package io.github.clip4j.internal.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/**
 * The level {@link LibtorchWarnings} puts back is the one libtorch took from {@code TORCH_CPP_LOG_LEVEL}; that the
 * warnings really are held back and come back afterwards is checked in a fresh JVM by
 * {@code internal.model.QuietLibtorchTest}.
 */
class LibtorchWarningsTest {
    @Test
    void configuredLevelFollowsLibtorchsNames() {
        assertThat(LibtorchWarnings.configuredLevel(null)).as("unset: WARNING").isEqualTo(1);
        assertThat(LibtorchWarnings.configuredLevel("info")).isZero();
        assertThat(LibtorchWarnings.configuredLevel("0")).isZero();
        assertThat(LibtorchWarnings.configuredLevel("WARNING")).isEqualTo(1);
        assertThat(LibtorchWarnings.configuredLevel(" Error ")).isEqualTo(2);
        assertThat(LibtorchWarnings.configuredLevel("3")).isEqualTo(3);
        assertThat(LibtorchWarnings.configuredLevel("verbose")).as("not a level: libtorch keeps WARNING").isEqualTo(1);
    }

    @Test
    void aFailingCallStillRestoresTheLevelAndPropagates() {
        assertThatThrownBy(() -> LibtorchWarnings.suppressed(() -> {
            throw new IllegalStateException("boom");
        })).isInstanceOf(IllegalStateException.class).hasMessage("boom");
        int[] ran = {0};
        LibtorchWarnings.suppressed(() -> ran[0]++);
        assertThat(ran[0]).isEqualTo(1);
    }
}
