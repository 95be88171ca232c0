package io.github.clip4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The model id clip-spark's job leaves in Spark's row schema, as the importer reads it. */
class SparkModelIdTest {
    @Test
    void readsTheEmbeddingFieldsMetadata() {
        String schema = "{\"type\":\"struct\",\"fields\":["
                + "{\"name\":\"path\",\"type\":\"string\",\"nullable\":false,\"metadata\":{}},"
                + "{\"name\":\"embedding\",\"type\":{\"type\":\"array\",\"elementType\":\"float\",\"containsNull\":true},"
                + "\"nullable\":false,\"metadata\":{\"clip4j.model_id\":\"vit-tiny.jit.pt#ca63badb5c2e31fd\"}}]}";
        assertThat(EmbeddingsParquet.sparkFieldModelId(schema)).isEqualTo("vit-tiny.jit.pt#ca63badb5c2e31fd");
    }

    @Test
    void saysNothingWithoutIt() {
        assertThat(EmbeddingsParquet.sparkFieldModelId(null)).isNull();
        assertThat(EmbeddingsParquet.sparkFieldModelId("not json {")).isNull();
        assertThat(EmbeddingsParquet.sparkFieldModelId("{\"fields\":[{\"name\":\"embedding\",\"metadata\":{}}]}"))
                .isNull();
        assertThat(EmbeddingsParquet.sparkFieldModelId(
                "{\"fields\":[{\"name\":\"embedding\",\"metadata\":{\"clip4j.model_id\":7}}]}")).isNull();
        assertThat(EmbeddingsParquet.sparkFieldModelId("[1, 2]")).isNull();
    }
}
