package io.github.clip4j.internal.model;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.clip4j.Device;
import io.github.clip4j.Precision;
import io.github.clip4j.internal.weights.StateDict;
import org.bytedeco.javacpp.Pointer;
import org.junit.jupiter.api.Test;

/**
 * Nothing native outlives its owner: inference calls free every tensor they create, and closing a model frees
 * everything it allocated. Counted with JavaCPP's registry of live native objects, which the garbage collector
 * is not needed to empty.
 */
class NativeMemoryTest {

    @Test
    void callsLeaveNoNativeObjectsBehindAndCloseFreesTheModel() {
        StateDict expected = ModelFixtures.expected("rn-tiny");
        float[] pixels = expected.get("pixels").toFloatArray();
        int[][] tokens = ModelFixtures.intRows(expected.get("tokens"));
        int n = (int) expected.get("pixels").dim(0);

        long beforeLoad = Pointer.totalCount();
        ClipModel model = ClipModel.load(ModelFixtures.weights("rn-tiny.safetensors"), Device.CPU, Precision.FP32);
        model.encodeImages(pixels, n);
        model.encodeTexts(tokens);
        long loaded = Pointer.totalCount();
        assertThat(loaded).as("the model holds native objects").isGreaterThan(beforeLoad);
        for (int i = 0; i < 5; i++) {
            model.encodeImages(pixels, n);
            model.encodeTexts(tokens);
            model.logits(pixels, n, tokens);
            model.logitScale();
        }
        assertThat(Pointer.totalCount()).as("live native objects after 20 calls").isEqualTo(loaded);
        model.close();
        assertThat(Pointer.totalCount()).as("live native objects after close").isEqualTo(beforeLoad);
    }
}
