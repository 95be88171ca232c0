package io.github.clip4j.internal.weights;

import io.github.clip4j.CheckpointException;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.clip4j.internal.weights.PickleMachine.Tuple;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The restricted pickle interpreter on hand-assembled pickles. */
class PickleMachineTest {
    private static Object load(byte[] pickle) {
        return PickleMachine.load(pickle, "test.pkl", (m, n) -> null, pid -> {
            throw new CheckpointException("no persistent ids here");
        });
    }

    private static byte[] bytes(int... values) {
        byte[] out = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = (byte) values[i];
        }
        return out;
    }

    private static byte[] concat(byte[]... parts) {
        int n = Arrays.stream(parts).mapToInt(p -> p.length).sum();
        byte[] out = new byte[n];
        int at = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }

    @Test
    void protocolFourFramesMemoizeAndScalars() {
        byte[] body = concat(
                bytes(0x7d, 0x94), // EMPTY_DICT, MEMOIZE
                bytes('('),
                bytes(0x8c, 1), "a".getBytes(StandardCharsets.US_ASCII), bytes(0x94), // 'a'
                bytes(0x8a, 2, 0x00, 0x80), // LONG1 -32768
                bytes(0x8c, 1), "b".getBytes(StandardCharsets.US_ASCII),
                bytes('G', 0x3f, 0xf8, 0, 0, 0, 0, 0, 0), // BINFLOAT 1.5
                bytes(0x8c, 1), "c".getBytes(StandardCharsets.US_ASCII),
                bytes(']', '(', 'N', 0x88, 'K', 7, 'e'), // [None, True, 7]
                bytes('h', 1), // the memoized 'a' as a key
                bytes('h', 1, 'h', 1, 0x86), // ('a', 'a')
                bytes('u', '.'));
        byte[] pickle = concat(bytes(0x80, 4, 0x95), longLE(body.length), body);

        Object result = load(pickle);

        assertThat(result).isInstanceOf(Map.class);
        Map<?, ?> map = (Map<?, ?>) result;
        assertThat(map.get("b")).isEqualTo(1.5);
        assertThat(map.get("c")).isEqualTo(Arrays.asList(null, true, 7L));
        assertThat(map.get("a")).isEqualTo(new Tuple(List.of("a", "a")));
        assertThat(List.copyOf(map.keySet())).isEqualTo(List.of("a", "b", "c"));
    }

    @Test
    void negativeLongOverwrittenKeyKeepsLastValue() {
        byte[] pickle = concat(bytes(0x80, 2, '}', '(', 'K', 1, 0x8a, 2, 0x00, 0x80, 'K', 1, 'K', 5, 'u', '.'));
        assertThat(load(pickle)).isEqualTo(Map.of(1L, 5L));
        byte[] negative = concat(bytes(0x80, 2, 0x8a, 2, 0x00, 0x80, '.'));
        assertThat(load(negative)).isEqualTo(-32768L);
    }

    @Test
    void refusesEveryGlobalThePolicyDoesNotKnow() {
        byte[] pickle = concat(bytes(0x80, 2, 'c'), "builtins\neval\n".getBytes(StandardCharsets.US_ASCII),
                bytes('.'));
        assertThatThrownBy(() -> load(pickle)).isInstanceOf(CheckpointException.class)
                .hasMessageContaining("test.pkl").hasMessageContaining("builtins.eval");
    }

    @Test
    void malformedPicklesAreCheckpointExceptions() {
        List<byte[]> bad = List.of(bytes(), bytes(0x80, 2), bytes(0x80, 2, 't', '.'), bytes(0x80, 2, '0', '.'),
                bytes(0x80, 2, 'h', 3, '.'), bytes(0x80, 2, 'K', 1, 'K', 2, '.'), bytes(0x80, 9, 'N', '.'),
                bytes(0x80, 2, 'N', 'a', '.'), bytes(0x80, 2, '}', ']', 'K', 1, 's', '.'),
                bytes(0x80, 2, 0x8b, 0xff, 0xff, 0xff, 0xff, '.'), bytes(0x80, 2, 0xff, '.'));
        for (byte[] pickle : bad) {
            assertThatThrownBy(() -> load(pickle)).as(Arrays.toString(pickle))
                    .isInstanceOf(CheckpointException.class).hasMessageStartingWith("test.pkl: ");
        }
    }

    private static byte[] longLE(long v) {
        byte[] out = new byte[8];
        for (int i = 0; i < 8; i++) {
            out[i] = (byte) (v >>> (8 * i));
        }
        return out;
    }
}
