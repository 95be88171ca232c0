package io.github.clip4j.zeroshot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class PromptTemplatesTest {

    @Test
    void seedIsTheFourGenericCaptions() {
        assertThat(PromptTemplates.SEED.templates())
                .containsExactly("a photo of a {}", "a picture of a {}", "an image of a {}", "a photo of the {}");
    }

    @Test
    void openAiImageNetHasTheNotebooksEightyTemplatesInOrder() {
        List<String> t = PromptTemplates.OPENAI_IMAGENET.templates();
        assertThat(t).hasSize(80).doesNotHaveDuplicates().allMatch(s -> s.contains("{}"));
        assertThat(t.get(0)).isEqualTo("a bad photo of a {}.");
        assertThat(t.get(1)).isEqualTo("a photo of many {}.");
        assertThat(t.get(39)).isEqualTo("a photo of a {}.");
        assertThat(t.get(79)).isEqualTo("a tattoo of the {}.");
        // The seven templates the notebook's forward selection picked are all among them.
        assertThat(t).contains("itap of a {}.", "a bad photo of the {}.", "a origami {}.", "a photo of the large {}.",
                "a {} in a video game.", "art of the {}.", "a photo of the small {}.");
    }

    @Test
    void theNamedSetsAreFoundByTheirNamesCaseInsensitively() {
        assertThat(PromptTemplates.names()).containsExactly("seed", "openai-imagenet", "chinese-imagenet", "chinese", "none");
        assertThat(PromptTemplates.named("seed")).isSameAs(PromptTemplates.SEED);
        assertThat(PromptTemplates.named("OpenAI-ImageNet")).isSameAs(PromptTemplates.OPENAI_IMAGENET);
        assertThat(PromptTemplates.named("none")).isSameAs(PromptTemplates.NONE);
        assertThat(PromptTemplates.named("chinese-imagenet")).isSameAs(PromptTemplates.CHINESE_IMAGENET);
        assertThat(PromptTemplates.CHINESE_IMAGENET.size()).isEqualTo(80);
        assertThat(PromptTemplates.CHINESE_IMAGENET.templates().get(0)).isEqualTo("{}的照片。");
        assertThatThrownBy(() -> PromptTemplates.named("fancy")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'fancy'").hasMessageContaining("seed, openai-imagenet, chinese-imagenet, chinese, none");
    }

    @Test
    void noneIsTheLabelItself() {
        assertThat(PromptTemplates.NONE.apply("猫")).containsExactly("猫");
    }

    @Test
    void applyReplacesTheSlotInEveryTemplate() {
        assertThat(PromptTemplates.SEED.apply("dog")).containsExactly("a photo of a dog", "a picture of a dog",
                "an image of a dog", "a photo of the dog");
        assertThat(PromptTemplates.of("{} and {}").apply("x")).containsExactly("x and x");
    }

    @Test
    void aTemplateWithoutSlotIsRefusedByName() {
        assertThatThrownBy(() -> PromptTemplates.of("a photo of a {}", "a photo of a cat"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("\"a photo of a cat\"")
                .hasMessageContaining("{}");
    }

    @Test
    void noTemplatesOrRepeatedTemplatesAreRefused() {
        assertThatThrownBy(() -> PromptTemplates.of()).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> PromptTemplates.of("a {}", "a {}"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("repeated");
    }

    @Test
    void isImmutable() {
        List<String> source = new ArrayList<>(List.of("a {}"));
        PromptTemplates templates = PromptTemplates.of(source);
        source.add("b {}");
        assertThat(templates.templates()).containsExactly("a {}");
        assertThatThrownBy(() -> templates.templates().add("c {}")).isInstanceOf(UnsupportedOperationException.class);
        assertThat(templates).isEqualTo(PromptTemplates.of("a {}")).hasSameHashCodeAs(PromptTemplates.of("a {}"));
    }
}
