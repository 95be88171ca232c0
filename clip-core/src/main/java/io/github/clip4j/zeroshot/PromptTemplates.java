package io.github.clip4j.zeroshot;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The sentences a label is put into before it is embedded: each template holds one {@code {}} that the label
 * replaces ({@code "a photo of a {}"} and {@code "cat"} give {@code "a photo of a cat"}).
 *
 * <p>Embedding a label in several templates and ensembling the results (see {@link Ensemble}) is how CLIP reaches
 * its published zero-shot accuracy: a bare word is an unusual caption, a sentence is not.
 *
 * <pre>{@code
 * PromptTemplates mine = PromptTemplates.of("a photo of a {}", "a close-up photo of a {}");
 * List<String> prompts = mine.apply("cat");   // ["a photo of a cat", "a close-up photo of a cat"]
 * }</pre>
 *
 * <p>Immutable.
 */
public final class PromptTemplates {

    /** The label itself, in no sentence: {@code "{}"}. */
    public static final PromptTemplates NONE = of("{}");

    /**
     * Four generic photo captions: {@code a photo of a {}}, {@code a picture of a {}}, {@code an image of a {}},
     * {@code a photo of the {}}. The default of {@link ZeroShotClassifier}.
     */
    public static final PromptTemplates SEED =
            of("a photo of a {}", "a picture of a {}", "an image of a {}", "a photo of the {}");

    /**
     * The 80 templates of CLIP's ImageNet prompt-engineering notebook
     * ({@code notebooks/Prompt_Engineering_for_ImageNet.ipynb}), in the notebook's order and with its full stops.
     */
    public static final PromptTemplates OPENAI_IMAGENET = of(
            "a bad photo of a {}.", "a photo of many {}.", "a sculpture of a {}.",
            "a photo of the hard to see {}.", "a low resolution photo of the {}.", "a rendering of a {}.",
            "graffiti of a {}.", "a bad photo of the {}.", "a cropped photo of the {}.",
            "a tattoo of a {}.", "the embroidered {}.", "a photo of a hard to see {}.",
            "a bright photo of a {}.", "a photo of a clean {}.", "a photo of a dirty {}.",
            "a dark photo of the {}.", "a drawing of a {}.", "a photo of my {}.",
            "the plastic {}.", "a photo of the cool {}.", "a close-up photo of a {}.",
            "a black and white photo of the {}.", "a painting of the {}.", "a painting of a {}.",
            "a pixelated photo of the {}.", "a sculpture of the {}.", "a bright photo of the {}.",
            "a cropped photo of a {}.", "a plastic {}.", "a photo of the dirty {}.",
            "a jpeg corrupted photo of a {}.", "a blurry photo of the {}.", "a photo of the {}.",
            "a good photo of the {}.", "a rendering of the {}.", "a {} in a video game.",
            "a photo of one {}.", "a doodle of a {}.", "a close-up photo of the {}.",
            "a photo of a {}.", "the origami {}.", "the {} in a video game.",
            "a sketch of a {}.", "a doodle of the {}.", "a origami {}.",
            "a low resolution photo of a {}.", "the toy {}.", "a rendition of the {}.",
            "a photo of the clean {}.", "a photo of a large {}.", "a rendition of a {}.",
            "a photo of a nice {}.", "a photo of a weird {}.", "a blurry photo of a {}.",
            "a cartoon {}.", "art of a {}.", "a sketch of the {}.",
            "a embroidered {}.", "a pixelated photo of a {}.", "itap of the {}.",
            "a jpeg corrupted photo of the {}.", "a good photo of a {}.", "a plushie {}.",
            "a photo of the nice {}.", "a photo of the small {}.", "a photo of the weird {}.",
            "the cartoon {}.", "art of the {}.", "a drawing of the {}.",
            "a photo of the large {}.", "a black and white photo of a {}.", "the plushie {}.",
            "a dark photo of a {}.", "itap of a {}.", "graffiti of the {}.",
            "a toy {}.", "itap of my {}.", "a photo of a cool {}.",
            "a photo of a small {}.", "a tattoo of the {}.");

    /**
     * Chinese-CLIP's 80 ImageNet templates ({@code cn_clip/eval/imagenet_zeroshot_templates.py}, translated from
     * open_clip's by the wukong authors), in the reference's order, beginning with {@code {}的照片。}. For
     * Chinese-CLIP models; named {@code chinese-imagenet}. The reference lists {@code {}的裁剪照片。} and
     * {@code {}的涂鸦照。} twice each; both copies are kept, so they weigh twice in the ensemble, as they do there
     * (the only built-in set with repeats; {@link #of(String...)} refuses them).
     */
    public static final PromptTemplates CHINESE_IMAGENET = reference(
            "{}的照片。", "质量差的{}的照片。", "许多{}的照片。", "{}的雕塑。", "难以看到{}的照片。", "{}的低分辨率照片。", "{}的渲染。", "涂鸦{}。",
            "{}的糟糕照片。", "{}的裁剪照片。", "{}的纹身。", "{}的刺绣照片。", "很难看到{}的照片。", "{}的明亮照片。", "一张干净的{}的照片。", "一张包含{}的照片。",
            "{}的深色照片。", "{}的手绘画。", "我的{}的照片。", "不自然的{}的照片。", "一张酷的{}的照片。", "{}的特写照片。", "{}的黑白照片。", "一幅{}的画。",
            "一幅{}的绘画。", "一张{}的像素照片。", "{}的雕像。", "一张{}的明亮照片。", "{}的裁剪照片。", "人造的{}的照片。", "一张关于{}的照片。",
            "损坏的{}的jpeg照片。", "{}的模糊照片。", "{}的相片。", "一张{}的好照片。", "{}的渲染照。", "视频游戏中的{}。", "一张{}的照片。", "{}的涂鸦。",
            "{}的近距离照片。", "{}的折纸。", "{}在视频游戏中。", "{}的草图。", "{}的涂鸦照。", "{}的折纸形状。", "低分辨率的{}的照片。", "玩具{}。", "{}的副本。",
            "{}的干净的照片。", "一张大{}的照片。", "{}的重现。", "一张漂亮的{}的照片。", "一张奇怪的{}的照片。", "模糊的{}的照片。", "卡通{}。", "{}的艺术作品。",
            "{}的素描。", "刺绣{}。", "{}的像素照。", "{}的拍照。", "{}的损坏的照片。", "高质量的{}的照片。", "毛绒玩具{}。", "漂亮的{}的照片。", "小{}的照片。",
            "照片是奇怪的{}。", "漫画{}。", "{}的艺术照。", "{}的图形。", "大{}的照片。", "黑白的{}的照片。", "{}毛绒玩具。", "一张{}的深色照片。", "{}的摄影图。",
            "{}的涂鸦照。", "玩具形状的{}。", "拍了{}的照片。", "酷酷的{}的照片。", "照片里的小{}。", "{}的刺青。");

    /**
     * The one-template default for Chinese-CLIP models: {@code {}的照片。} ("a photo of {}"), the first of
     * {@link #CHINESE_IMAGENET}.
     */
    public static final PromptTemplates CHINESE_DEFAULT = of("{}的照片。");

    private static final String SLOT = "{}";

    /** The named sets, in the order {@link #names()} lists them; the names are what tools accept. */
    private static final Map<String, PromptTemplates> NAMED = named();

    private static Map<String, PromptTemplates> named() {
        Map<String, PromptTemplates> named = new LinkedHashMap<>();
        named.put("seed", SEED);
        named.put("openai-imagenet", OPENAI_IMAGENET);
        named.put("chinese-imagenet", CHINESE_IMAGENET);
        named.put("chinese", CHINESE_DEFAULT);
        named.put("none", NONE);
        return Collections.unmodifiableMap(named);
    }

    private final List<String> templates;

    private PromptTemplates(List<String> templates) {
        this.templates = templates;
    }

    /**
     * Templates given one by one.
     *
     * <pre>{@code
     * PromptTemplates.of("a photo of a {}.", "a sketch of a {}.")
     * }</pre>
     *
     * @param templates one or more templates, each with a {@code {}} where the label goes
     * @return the templates, in the given order
     * @throws IllegalArgumentException if there are none, one is blank or lacks the {@code {}} slot, or one is
     *     repeated (it would weigh twice in the ensemble)
     */
    public static PromptTemplates of(String... templates) {
        requireNonNull(templates, "templates");
        return of(List.of(templates));
    }

    /**
     * Templates from a list, in order, e.g. read from a file.
     *
     * @param templates one or more templates, each with a {@code {}} where the label goes, not null; copied
     * @return the templates, in the list's order
     * @throws IllegalArgumentException as {@link #of(String...)}
     */
    public static PromptTemplates of(List<String> templates) {
        requireNonNull(templates, "templates");
        if (templates.isEmpty()) {
            throw new IllegalArgumentException("at least one template is needed, e.g. \"a photo of a {}\"");
        }
        Set<String> seen = new HashSet<>();
        List<String> copy = new ArrayList<>(templates.size());
        for (int i = 0; i < templates.size(); i++) {
            String template = requireNonNull(templates.get(i), "template " + i);
            if (!template.contains(SLOT)) {
                throw new IllegalArgumentException("template " + i + " \"" + template
                        + "\" has no {} where the label goes; write it like \"a photo of a {}\"");
            }
            if (!seen.add(template)) {
                throw new IllegalArgumentException("template " + i + " \"" + template + "\" is repeated");
            }
            copy.add(template);
        }
        return new PromptTemplates(List.copyOf(copy));
    }

    /** A built-in set copied from a reference as it is, repeats included. */
    private static PromptTemplates reference(String... templates) {
        for (String template : templates) {
            if (!template.contains(SLOT)) {
                throw new IllegalStateException("built-in template \"" + template + "\" has no {}");
            }
        }
        return new PromptTemplates(List.of(templates));
    }

    /**
     * A built-in set by its name: {@code seed} ({@link #SEED}), {@code openai-imagenet} ({@link #OPENAI_IMAGENET})
     * or {@code none} ({@link #NONE}), case-insensitively; e.g. for a command-line option.
     *
     * @param name the set's name, not null
     * @return the set
     * @throws IllegalArgumentException if no set has that name (the message lists the names)
     */
    public static PromptTemplates named(String name) {
        requireNonNull(name, "name");
        PromptTemplates templates = NAMED.get(name.strip().toLowerCase(Locale.ROOT));
        if (templates == null) {
            throw new IllegalArgumentException("unknown template set '" + name + "': use one of "
                    + String.join(", ", NAMED.keySet()));
        }
        return templates;
    }

    /**
     * The names {@link #named(String)} accepts.
     *
     * @return {@code seed}, {@code openai-imagenet} and {@code none}, in that order, unmodifiable
     */
    public static Set<String> names() {
        return NAMED.keySet();
    }

    /**
     * The templates as text.
     *
     * @return the templates, in order, unmodifiable
     */
    public List<String> templates() {
        return templates;
    }

    /**
     * The number of templates, i.e. of prompts per label.
     *
     * @return at least 1
     */
    public int size() {
        return templates.size();
    }

    /**
     * The prompts for {@code label}: every template with each {@code {}} replaced by the label, in template order.
     * For {@code "a photo of a {}."} and {@code "cat"}: {@code "a photo of a cat."}.
     *
     * @param label the label, not null; inserted as is
     * @return a new list of {@link #size()} prompts
     */
    public List<String> apply(String label) {
        requireNonNull(label, "label");
        List<String> prompts = new ArrayList<>(templates.size());
        for (String template : templates) {
            prompts.add(template.replace(SLOT, label));
        }
        return prompts;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PromptTemplates other && templates.equals(other.templates);
    }

    @Override
    public int hashCode() {
        return templates.hashCode();
    }

    @Override
    public String toString() {
        return templates.size() == 1 ? "PromptTemplates" + templates
                : "PromptTemplates[" + templates.size() + ": \"" + templates.get(0) + "\", ...]";
    }
}
