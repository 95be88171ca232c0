package io.github.clip4j.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class LearningRateScheduleTest {

    @Test
    void warmsUpLinearlyThenFollowsAHalfCosineToZero() {
        LearningRateSchedule s = LearningRateSchedule.warmupCosine(1e-3, 4, 14);
        assertThat(s.rate(0)).isCloseTo(0.25e-3, within(1e-12));
        assertThat(s.rate(1)).isCloseTo(0.50e-3, within(1e-12));
        assertThat(s.rate(3)).isCloseTo(1e-3, within(1e-12));
        assertThat(s.rate(4)).isCloseTo(1e-3, within(1e-12)); // cosine starts at its peak
        assertThat(s.rate(9)).isCloseTo(0.5e-3, within(1e-12)); // halfway through the 10 decay steps
        assertThat(s.rate(6)).isCloseTo(0.5 * (1 + Math.cos(Math.PI * 0.2)) * 1e-3, within(1e-12));
        assertThat(s.rate(14)).isCloseTo(0, within(1e-15));
        assertThat(s.rate(100)).isCloseTo(0, within(1e-15));
    }

    @Test
    void decreasesMonotonicallyAfterWarmUp() {
        LearningRateSchedule s = LearningRateSchedule.warmupCosine(5e-5, 10, 200);
        for (long step = 10; step < 200; step++) {
            assertThat(s.rate(step + 1)).isLessThanOrEqualTo(s.rate(step));
        }
    }

    @Test
    void withoutWarmUpStartsAtTheBaseRate() {
        assertThat(LearningRateSchedule.warmupCosine(2e-4, 0, 10).rate(0)).isEqualTo(2e-4);
        assertThat(LearningRateSchedule.warmupCosine(2e-4, 3, 3).rate(2)).isEqualTo(2e-4);
        assertThat(LearningRateSchedule.constant(3e-4).rate(1234)).isEqualTo(3e-4);
    }

    @Test
    void refusesNonPositiveRatesAndBadStepCounts() {
        assertThatThrownBy(() -> LearningRateSchedule.warmupCosine(0, 0, 10))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("positive");
        assertThatThrownBy(() -> LearningRateSchedule.constant(-1e-3))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("-0.001");
        assertThatThrownBy(() -> LearningRateSchedule.warmupCosine(1e-3, 11, 10))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("warmup 11 of 10");
    }
}
