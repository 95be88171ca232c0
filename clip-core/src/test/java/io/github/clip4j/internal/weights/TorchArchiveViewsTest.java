package io.github.clip4j.internal.weights;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Storage offsets, strides and shared storages in {@code torch.save} archives. */
class TorchArchiveViewsTest {
    @TempDir
    Path dir;

    @Test
    void viewsHonourOffsetAndStrideAndSharedStorages() throws IOException {
        // One storage [0..5] seen three ways: a transposed 2x2 view at offset 1, a contiguous tail, the whole.
        PickleWriter p = new PickleWriter().proto(2).emptyDict().mark();
        p.string("transposed");
        TestArchives.rebuildTensor(p, "FloatStorage", "0", 6, 1, new long[] {2, 2}, new long[] {1, 2});
        p.string("tail");
        TestArchives.rebuildTensor(p, "FloatStorage", "0", 6, 3, new long[] {3}, new long[] {1});
        p.string("whole");
        TestArchives.rebuildTensor(p, "FloatStorage", "0", 6, 0, new long[] {2, 1, 3}, new long[] {3, 99, 1});
        byte[] pickle = p.setItems().stop().toByteArray();
        Path file = TestArchives.torchZip(dir.resolve("views.pt"), pickle,
                Map.of("0", TestArchives.floats(0, 1, 2, 3, 4, 5)));

        StateDict weights = CheckpointReader.read(file);

        assertThat(weights.get("transposed").shape()).containsExactly(2, 2);
        assertThat(weights.get("transposed").toFloatArray()).containsExactly(1, 3, 2, 4);
        assertThat(weights.get("tail").toFloatArray()).containsExactly(3, 4, 5);
        assertThat(weights.get("whole").toFloatArray()).containsExactly(0, 1, 2, 3, 4, 5);
    }

    @Test
    void nestedUnderStateDictWithModulePrefixIsUnwrapped() throws IOException {
        // {"epoch": 3, "state_dict": {"module.w": tensor}} as training scripts save it
        PickleWriter p = new PickleWriter().proto(2).emptyDict().mark().string("epoch").integer(3)
                .string("state_dict").emptyDict().mark().string("module.w");
        TestArchives.rebuildTensor(p, "HalfStorage", "0", 2, 0, new long[] {2}, new long[] {1});
        byte[] pickle = p.setItems().setItems().stop().toByteArray();
        Path file = TestArchives.torchZip(dir.resolve("train.pt"), pickle,
                Map.of("0", new byte[] {0, 0x3c, 0, (byte) 0xc0})); // 1.0, -2.0 in fp16

        StateDict weights = CheckpointReader.read(file);

        assertThat(weights.names()).containsExactly("w");
        assertThat(weights.get("w").dtype()).isEqualTo(DType.F16);
        assertThat(weights.get("w").toFloatArray()).containsExactly(1f, -2f);
    }

    @Test
    void parametersWrappedByRebuildParameterAreTensors() throws IOException {
        PickleWriter p = new PickleWriter().proto(2).global("collections", "OrderedDict").emptyTuple().reduce()
                .mark().string("w").global("torch._utils", "_rebuild_parameter").mark();
        TestArchives.rebuildTensor(p, "FloatStorage", "0", 1, 0, new long[0], new long[0]);
        p.bool(true).global("collections", "OrderedDict").emptyTuple().reduce().tuple().reduce();
        byte[] pickle = p.setItems().stop().toByteArray();
        Path file = TestArchives.torchZip(dir.resolve("param.pt"), pickle, Map.of("0", TestArchives.floats(7)));

        assertThat(CheckpointReader.read(file).get("w").toFloatArray()).containsExactly(7f);
    }
}
