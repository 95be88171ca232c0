package io.github.clip4j.internal.weights;

import io.github.clip4j.CheckpointException;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.clip4j.testsupport.Fixtures;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The other weight layouts of a transformers folder read to the same tensors as {@code model.safetensors}. */
class HuggingFaceLayoutsTest {
    @TempDir
    Path dir;
    private Path fixture;
    private StateDict raw;

    @BeforeEach
    void setUp() {
        fixture = Fixtures.file("models/vit-tiny.hf");
        raw = SafetensorsReader.read(fixture.resolve("model.safetensors"));
    }

    private Path folderWithConfig(String name) throws IOException {
        Path folder = Files.createDirectory(dir.resolve(name));
        Files.copy(fixture.resolve("config.json"), folder.resolve("config.json"));
        return folder;
    }

    @Test
    void shardedSafetensorsWithIndex() throws IOException {
        Path folder = folderWithConfig("sharded");
        Map<String, HostTensor> first = new LinkedHashMap<>();
        Map<String, HostTensor> second = new LinkedHashMap<>();
        StringBuilder weightMap = new StringBuilder();
        raw.tensors().forEach((name, tensor) -> {
            boolean vision = name.startsWith("vision_model");
            (vision ? first : second).put(name, tensor);
            String shard = vision ? "model-00001-of-00002.safetensors" : "model-00002-of-00002.safetensors";
            weightMap.append(weightMap.length() == 0 ? "" : ",").append('"').append(name).append("\":\"")
                    .append(shard).append('"');
        });
        SafetensorsWriter.write(new StateDict(first, Map.of(), "a"), folder.resolve("model-00001-of-00002.safetensors"),
                Map.of());
        SafetensorsWriter.write(new StateDict(second, Map.of(), "b"), folder.resolve("model-00002-of-00002.safetensors"),
                Map.of());
        Files.writeString(folder.resolve("model.safetensors.index.json"), "{\"weight_map\":{" + weightMap + "}}");

        WritersRoundTripTest.assertSameTensors(sorted(HuggingFaceReader.read(folder)),
                sorted(HuggingFaceReader.read(fixture)));
    }

    @Test
    void shardOutsideTheFolderIsRefused() throws IOException {
        Path folder = folderWithConfig("escape");
        Files.writeString(folder.resolve("model.safetensors.index.json"),
                "{\"weight_map\":{\"logit_scale\":\"../elsewhere.safetensors\"}}");
        assertThatThrownBy(() -> HuggingFaceReader.read(folder)).isInstanceOf(CheckpointException.class)
                .hasMessageContaining("outside the model folder");
    }

    @Test
    void pytorchModelBin() throws IOException {
        Path folder = folderWithConfig("bin");
        TorchCheckpointWriter.write(raw, folder.resolve("pytorch_model.bin"));
        WritersRoundTripTest.assertSameTensors(sorted(CheckpointReader.read(folder)),
                sorted(HuggingFaceReader.read(fixture)));
    }

    @Test
    void unknownWeightIsAnErrorNotSilentlyDropped() throws IOException {
        Path folder = folderWithConfig("extra");
        Map<String, HostTensor> tensors = new LinkedHashMap<>(raw.tensors());
        tensors.put("vision_model.extra_head.weight", HostTensor.ofFloats(new long[] {1}, new float[] {1}));
        SafetensorsWriter.write(new StateDict(tensors, Map.of(), "x"), folder.resolve("model.safetensors"), Map.of());
        assertThatThrownBy(() -> HuggingFaceReader.read(folder)).isInstanceOf(CheckpointException.class)
                .hasMessageContaining("vision_model.extra_head.weight");
    }

    @Test
    void missingValueProjectionIsReported() throws IOException {
        Path folder = folderWithConfig("no-v");
        Map<String, HostTensor> tensors = new LinkedHashMap<>(raw.tensors());
        tensors.remove("text_model.encoder.layers.1.self_attn.v_proj.bias");
        SafetensorsWriter.write(new StateDict(tensors, Map.of(), "x"), folder.resolve("model.safetensors"), Map.of());
        assertThatThrownBy(() -> HuggingFaceReader.read(folder)).isInstanceOf(CheckpointException.class)
                .hasMessageContaining("v_proj.bias").hasMessageContaining("transformer.resblocks.1.attn.in_proj_bias");
    }

    @Test
    void folderWithoutPreprocessorHasNoPreprocessor() throws IOException {
        assertThat(HuggingFaceReader.preprocessor(folderWithConfig("bare"))).isEmpty();
    }

    private static StateDict sorted(StateDict weights) {
        return new StateDict(new java.util.TreeMap<>(weights.tensors()), Map.of(), weights.source());
    }
}
