package io.github.clip4j.internal.training;

import static org.assertj.core.api.Assertions.assertThat;

import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Test;

@SuppressWarnings("try") // guards and scopes are used for their effect, not referenced
class CpuAutocastTest {

    @Test
    void matmulRunsInBfloat16InsideTheScopeOnly() {
        try (PointerScope scope = new PointerScope()) {
            Tensor a = torch.randn(4, 8);
            Tensor b = torch.randn(8, 3);
            try (CpuAutocast autocast = new CpuAutocast(true)) {
                assertThat(a.matmul(b).scalar_type().intern()).isEqualTo(torch.ScalarType.BFloat16);
            }
            assertThat(a.matmul(b).scalar_type().intern()).isEqualTo(torch.ScalarType.Float);
            try (CpuAutocast disabled = new CpuAutocast(false)) {
                assertThat(a.matmul(b).scalar_type().intern()).isEqualTo(torch.ScalarType.Float);
            }
        }
    }
}
