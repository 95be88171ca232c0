package io.github.clip4j.hub;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ModelRegistryTest {
    /** The table of the reference's clip/clip.py (_MODELS), in its order. */
    private static final Map<String, String> REFERENCE = new LinkedHashMap<>();

    static {
        String base = "https://openaipublic.azureedge.net/clip/models/";
        REFERENCE.put("RN50", base + "afeb0e10f9e5a86da6080e35cf09123aca3b358a0c3e3b6c78a7b63bc04b6762/RN50.pt");
        REFERENCE.put("RN101", base + "8fa8567bab74a42d41c5915025a8e4538c3bdbe8804a470a72f30b0d94fab599/RN101.pt");
        REFERENCE.put("RN50x4", base + "7e526bd135e493cef0776de27d5f42653e6b4c8bf9e0f653bb11773263205fdd/RN50x4.pt");
        REFERENCE.put("RN50x16",
                base + "52378b407f34354e150460fe41077663dd5b39c54cd0bfd2b27167a4a06ec9aa/RN50x16.pt");
        REFERENCE.put("RN50x64",
                base + "be1cfb55d75a9666199fb2206c106743da0f6468c9d327f3e0d0a543a9919d9c/RN50x64.pt");
        REFERENCE.put("ViT-B/32",
                base + "40d365715913c9da98579312b702a82c18be219cc2a73407c4526f58eba950af/ViT-B-32.pt");
        REFERENCE.put("ViT-B/16",
                base + "5806e77cd80f8b59890b7e101eabd078d9fb84e6937f9e85e4ecb61988df416f/ViT-B-16.pt");
        REFERENCE.put("ViT-L/14",
                base + "b8cca3fd41ae0c99ba7e8951adf17d267cdb84cd88be6f7c2e0eca1737a03836/ViT-L-14.pt");
        REFERENCE.put("ViT-L/14@336px",
                base + "3035c92b350959924f9f00213499208652fc7ea050643e8b385c2dac08641f02/ViT-L-14-336px.pt");
    }

    private final ModelRegistry registry = ModelRegistry.openai();

    @Test
    void holdsTheNineReleasedModelsInTheReferenceOrder() {
        assertThat(registry.names()).containsExactlyElementsOf(REFERENCE.keySet());
        assertThat(registry.models()).extracting(RegisteredModel::name)
                .containsExactlyElementsOf(REFERENCE.keySet());
    }

    @Test
    void addressesAreTheReferenceOnes() {
        REFERENCE.forEach((name, url) -> assertThat(registry.get(name).url()).hasToString(url));
    }

    @Test
    void eachChecksumIsTheFolderNameAndEachFileNameTheLastSegment() {
        for (RegisteredModel model : registry.models()) {
            String[] segments = model.url().getPath().split("/");
            assertThat(model.url().getScheme()).isEqualTo("https");
            assertThat(model.url().getHost()).isEqualTo("openaipublic.azureedge.net");
            assertThat(model.sha256()).as(model.name())
                    .isEqualTo(segments[segments.length - 2])
                    .matches("[0-9a-f]{64}");
            assertThat(model.fileName()).as(model.name()).isEqualTo(segments[segments.length - 1]).endsWith(".pt");
        }
        assertThat(registry.models()).extracting(RegisteredModel::sha256).doesNotHaveDuplicates();
        assertThat(registry.models()).extracting(RegisteredModel::fileName).doesNotHaveDuplicates();
    }

    @Test
    void exactLookupIsCaseSensitiveLikeTheReference() {
        assertThat(registry.find("ViT-B/32")).map(RegisteredModel::fileName).contains("ViT-B-32.pt");
        assertThat(registry.find("vit-b/32")).isEmpty();
        assertThat(registry.find("ViT-B-32")).isEmpty();
        assertThat(registry.find(" RN50")).isEmpty();
    }

    @Test
    void caseInsensitiveLookupFindsTheCanonicalName() {
        assertThat(registry.findIgnoringCase("vit-l/14@336PX")).map(RegisteredModel::name).contains("ViT-L/14@336px");
        assertThat(registry.findIgnoringCase("rn50x4")).map(RegisteredModel::name).contains("RN50x4");
        assertThat(registry.findIgnoringCase("rn50x")).isEmpty();
    }

    @Test
    void getOfAnUnknownNameListsTheKnownNames() {
        assertThatThrownBy(() -> registry.get("ViT-H/14"))
                .isInstanceOfSatisfying(UnknownModelException.class, e -> {
                    assertThat(e.model()).isEqualTo("ViT-H/14");
                    assertThat(e.knownNames()).containsExactlyElementsOf(REFERENCE.keySet());
                })
                .hasMessageContaining("ViT-H/14")
                .hasMessageContaining(String.join(", ", REFERENCE.keySet()))
                .hasMessageContaining("Hugging Face");
    }

    @Test
    void suggestsANameForNearMisses() {
        assertThat(registry.suggest("ViT-B-32")).contains("ViT-B/32");
        assertThat(registry.suggest("vitl14336px")).contains("ViT-L/14@336px");
        assertThat(registry.suggest("ViT-B-33")).isEmpty();
    }

    @Test
    void aBaseUrlMovesEveryModelKeepingTheLayout() {
        ModelRegistry mirror = registry.withBaseUrl(URI.create("http://127.0.0.1:8080/mirror"));

        assertThat(mirror.names()).isEqualTo(registry.names());
        for (RegisteredModel model : registry.models()) {
            RegisteredModel moved = mirror.get(model.name());
            assertThat(moved.url()).hasToString(
                    "http://127.0.0.1:8080/mirror/" + model.sha256() + "/" + model.fileName());
            assertThat(moved.sha256()).isEqualTo(model.sha256());
            assertThat(moved.fileName()).isEqualTo(model.fileName());
        }
        assertThat(registry.get("RN50").url().getHost()).isEqualTo("openaipublic.azureedge.net");
    }

    @Test
    void aCustomRegistryKeepsItsOrderAndRefusesNamesThatDifferOnlyInCase() {
        String sha = "ab".repeat(32);
        RegisteredModel b = new RegisteredModel("B", URI.create("https://example.org/" + sha + "/b.pt"), sha);
        RegisteredModel a = new RegisteredModel("a", URI.create("https://example.org/" + sha + "/a.pt"), sha);
        RegisteredModel bigA = new RegisteredModel("A", URI.create("https://example.org/" + sha + "/A.pt"), sha);

        assertThat(ModelRegistry.of(b, a).names()).containsExactly("B", "a");
        assertThatThrownBy(() -> ModelRegistry.of(List.of(a, bigA)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("a and A");
    }

    @Test
    void aRegisteredModelValidatesItsFields() {
        String sha = "AB".repeat(32);
        assertThat(new RegisteredModel("m", URI.create("https://example.org/x/m.pt"), sha).sha256())
                .isEqualTo("ab".repeat(32));
        assertThatThrownBy(() -> new RegisteredModel("m", URI.create("ftp://example.org/m.pt"), sha))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("http");
        assertThatThrownBy(() -> new RegisteredModel("m", URI.create("https://example.org/models/"), sha))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("file name");
        assertThatThrownBy(() -> new RegisteredModel("m", URI.create("https://example.org/m.pt"), "abc"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("64 hex");
        assertThatThrownBy(() -> new RegisteredModel(" ", URI.create("https://example.org/m.pt"), sha))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
