package io.github.clip4j.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import org.junit.jupiter.api.Test;

class FileKindsTest {
    /** An endless stream, like {@code /dev/zero}. */
    private static InputStream endless() {
        return new InputStream() {
            @Override
            public int read() {
                return 0;
            }

            @Override
            public int read(byte[] b, int off, int len) {
                return len;
            }
        };
    }

    @Test
    void aBoundedStreamGivesExactlyTheLimitAndFailsOnTheNextByte() throws IOException {
        assertThat(FileKinds.bounded(new ByteArrayInputStream(new byte[100]), 100).readAllBytes()).hasSize(100);
        assertThat(FileKinds.bounded(new ByteArrayInputStream(new byte[0]), 0).read()).isEqualTo(-1);
        assertThatThrownBy(() -> FileKinds.bounded(new ByteArrayInputStream(new byte[101]), 100).readAllBytes())
                .isInstanceOf(FileKinds.TooLargeException.class).hasMessageContaining("100 bytes");
        assertThatThrownBy(() -> FileKinds.bounded(endless(), 1 << 20).readAllBytes())
                .isInstanceOf(FileKinds.TooLargeException.class)
                .satisfies(e -> assertThat(((FileKinds.TooLargeException) e).limit()).isEqualTo(1 << 20));
        InputStream skipping = FileKinds.bounded(endless(), 10);
        assertThat(skipping.skip(10)).isEqualTo(10);
        assertThatThrownBy(() -> skipping.read()).isInstanceOf(FileKinds.TooLargeException.class);
    }
}
