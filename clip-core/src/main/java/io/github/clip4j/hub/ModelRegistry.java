package io.github.clip4j.hub;

import io.github.clip4j.internal.hub.ModelLocator;
import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The models that can be named instead of given as a file, in a fixed order.
 *
 * <p>{@link #openai()} holds the nine checkpoints OpenAI released (the table of the reference's
 * {@code clip/clip.py}): RN50, RN101, RN50x4, RN50x16, RN50x64, ViT-B/32, ViT-B/16, ViT-L/14 and ViT-L/14@336px.
 *
 * <p>Lookup: {@link #find} is exact, like the reference's {@code clip.load}; {@link #findIgnoringCase} also
 * accepts {@code "vit-b/32"} for {@code "ViT-B/32"} (a registry never holds two names that differ only in case,
 * so the match is unambiguous). {@link ModelLocator} tries the exact name first, then a file or folder of that
 * name, and only then the case-insensitive match.
 *
 * <pre>{@code
 * ModelRegistry registry = ModelRegistry.openai();
 * registry.names();                            // [RN50, RN101, ..., ViT-L/14@336px]
 * registry.find("ViT-B/32").orElseThrow().url();
 * ModelRegistry mirror = registry.withBaseUrl(URI.create("https://mirror.example.org/clip/models/"));
 * }</pre>
 *
 * <p>Instances are immutable and thread-safe.
 */
public final class ModelRegistry {
    /** Where OpenAI publishes the released checkpoints, as {@code <base><sha256>/<file>}. */
    public static final URI OPENAI_BASE_URL = URI.create("https://openaipublic.azureedge.net/clip/models/");

    private static final ModelRegistry OPENAI = of(List.of(
            released("RN50", "afeb0e10f9e5a86da6080e35cf09123aca3b358a0c3e3b6c78a7b63bc04b6762", "RN50.pt"),
            released("RN101", "8fa8567bab74a42d41c5915025a8e4538c3bdbe8804a470a72f30b0d94fab599", "RN101.pt"),
            released("RN50x4", "7e526bd135e493cef0776de27d5f42653e6b4c8bf9e0f653bb11773263205fdd", "RN50x4.pt"),
            released("RN50x16", "52378b407f34354e150460fe41077663dd5b39c54cd0bfd2b27167a4a06ec9aa", "RN50x16.pt"),
            released("RN50x64", "be1cfb55d75a9666199fb2206c106743da0f6468c9d327f3e0d0a543a9919d9c", "RN50x64.pt"),
            released("ViT-B/32", "40d365715913c9da98579312b702a82c18be219cc2a73407c4526f58eba950af", "ViT-B-32.pt"),
            released("ViT-B/16", "5806e77cd80f8b59890b7e101eabd078d9fb84e6937f9e85e4ecb61988df416f", "ViT-B-16.pt"),
            released("ViT-L/14", "b8cca3fd41ae0c99ba7e8951adf17d267cdb84cd88be6f7c2e0eca1737a03836", "ViT-L-14.pt"),
            released("ViT-L/14@336px", "3035c92b350959924f9f00213499208652fc7ea050643e8b385c2dac08641f02",
                    "ViT-L-14-336px.pt")));

    /** Where OFA-Sys publishes Chinese-CLIP's checkpoints: {@code <base><repository>/resolve/main/<file>}. */
    public static final URI HUGGING_FACE_OFA_SYS = URI.create("https://huggingface.co/OFA-Sys/");

    private static final ModelRegistry CHINESE_CLIP = of(List.of(
            chinese("ViT-B-16", "chinese-clip-vit-base-patch16", "clip_cn_vit-b-16.pt"),
            chinese("ViT-L-14", "chinese-clip-vit-large-patch14", "clip_cn_vit-l-14.pt"),
            chinese("ViT-L-14-336", "chinese-clip-vit-large-patch14-336px", "clip_cn_vit-l-14-336.pt"),
            chinese("ViT-H-14", "chinese-clip-vit-huge-patch14", "clip_cn_vit-h-14.pt"),
            chinese("RN50", "chinese-clip-rn50", "clip_cn_rn50.pt")));

    private static final ModelRegistry RELEASED = of(concat(OPENAI.models(), CHINESE_CLIP.models()));

    private final Map<String, RegisteredModel> byName;
    private final Map<String, RegisteredModel> byLowerCaseName;

    private ModelRegistry(Map<String, RegisteredModel> byName, Map<String, RegisteredModel> byLowerCaseName) {
        this.byName = byName;
        this.byLowerCaseName = byLowerCaseName;
    }

    /**
     * The nine models OpenAI released, at their original addresses.
     *
     * @return the shared registry of the released models, in the reference's order
     */
    public static ModelRegistry openai() {
        return OPENAI;
    }

    /**
     * The five Chinese-CLIP models OFA-Sys released (the table of the reference's {@code cn_clip/clip/utils.py}),
     * named {@code cn-clip/ViT-B-16}, {@code cn-clip/ViT-L-14}, {@code cn-clip/ViT-L-14-336},
     * {@code cn-clip/ViT-H-14} and {@code cn-clip/RN50}, downloaded from Hugging Face
     * ({@code https://huggingface.co/OFA-Sys/chinese-clip-vit-base-patch16/resolve/main/clip_cn_vit-b-16.pt}, ...).
     *
     * <p><b>Unverified.</b> OFA-Sys publishes no checksums and clip4j could not compute them when this registry
     * was written (no network), so these entries carry none: a download is checked only against its announced
     * length, and a warning is logged each time such a file is fetched. Register a {@link RegisteredModel} with the
     * SHA-256 you trust to have it verified.
     *
     * @return the shared registry of Chinese-CLIP's released models
     */
    public static ModelRegistry chineseClip() {
        return CHINESE_CLIP;
    }

    /**
     * Every released model clip4j knows: {@link #openai()}'s, then {@link #chineseClip()}'s. The names the
     * {@code Clip} builder and the command line accept.
     *
     * @return the shared registry of all released models
     */
    public static ModelRegistry released() {
        return RELEASED;
    }

    /**
     * A registry of {@code models}, in this order, e.g. a private model next to the released ones:
     * {@code ModelRegistry.of(concat(ModelRegistry.openai().models(), List.of(mine)))}.
     *
     * @param models the models, not null and without null elements; copied
     * @return a registry that keeps the given order
     * @throws IllegalArgumentException if two models' names are equal ignoring case
     */
    public static ModelRegistry of(Collection<RegisteredModel> models) {
        requireNonNull(models, "models");
        Map<String, RegisteredModel> byName = new LinkedHashMap<>();
        Map<String, RegisteredModel> byLowerCaseName = new HashMap<>();
        for (RegisteredModel model : models) {
            requireNonNull(model, "a model in models");
            RegisteredModel clash = byLowerCaseName.putIfAbsent(lowerCase(model.name()), model);
            if (clash != null) {
                throw new IllegalArgumentException("two models are named alike: " + clash.name() + " and "
                        + model.name() + " (names must differ ignoring case)");
            }
            byName.put(model.name(), model);
        }
        return new ModelRegistry(Collections.unmodifiableMap(byName), Map.copyOf(byLowerCaseName));
    }

    /**
     * A registry of {@code models}, in this order; the varargs form of {@link #of(Collection)}.
     *
     * @param models the models, without nulls
     * @return a registry that keeps the given order
     * @throws IllegalArgumentException if two models' names are equal ignoring case
     */
    public static ModelRegistry of(RegisteredModel... models) {
        return of(List.of(models));
    }

    /**
     * The names that {@link #find} accepts, e.g. for a command line's help.
     *
     * @return the names, unmodifiable, in registry order (for the released models: the reference's order)
     */
    public List<String> names() {
        return List.copyOf(byName.keySet());
    }

    /**
     * Every model, e.g. to build a larger registry from this one.
     *
     * @return the models, unmodifiable, in registry order
     */
    public List<RegisteredModel> models() {
        return List.copyOf(byName.values());
    }

    /**
     * The model named exactly {@code name}, as the reference's {@code clip.load} matches names.
     *
     * @param name the name, not null; case matters
     * @return the model, or empty if no name is equal
     */
    public Optional<RegisteredModel> find(String name) {
        return Optional.ofNullable(byName.get(requireNonNull(name, "name")));
    }

    /**
     * The model whose name equals {@code name} ignoring case, e.g. {@code "rn50"} for RN50. Unambiguous, since no
     * two names in a registry differ only in case.
     *
     * @param name the name, not null
     * @return the model, or empty if no name is equal ignoring case
     */
    public Optional<RegisteredModel> findIgnoringCase(String name) {
        return Optional.ofNullable(byLowerCaseName.get(lowerCase(requireNonNull(name, "name"))));
    }

    /**
     * The model named exactly {@code name}, for callers that treat an unknown name as an error.
     *
     * @param name the name, not null; case matters
     * @return the model
     * @throws UnknownModelException if there is none; the message lists the known names
     */
    public RegisteredModel get(String name) {
        return find(name).orElseThrow(() -> UnknownModelException.notRegistered(name, this));
    }

    /**
     * The same models downloaded from {@code base} instead, which must keep OpenAI's layout
     * ({@code base/<sha256>/<file name>}): a mirror, or a local server in tests.
     *
     * @param base the mirror's address, with or without a trailing slash
     * @return a registry of the same names, order and checksums, with addresses under {@code base}
     * @see RegisteredModel#withBaseUrl(URI)
     */
    public ModelRegistry withBaseUrl(URI base) {
        requireNonNull(base, "base");
        List<RegisteredModel> moved = new ArrayList<>();
        for (RegisteredModel model : byName.values()) {
            moved.add(model.withBaseUrl(base));
        }
        return of(moved);
    }

    /**
     * A registry name that {@code name} probably meant: equal after ignoring case and every character that is not
     * a letter or digit ({@code "ViT-B-32"} and {@code "vitb32"} suggest {@code "ViT-B/32"}).
     */
    Optional<String> suggest(String name) {
        String key = looseKey(name);
        return byName.keySet().stream().filter(known -> looseKey(known).equals(key)).findFirst();
    }

    @Override
    public String toString() {
        return "ModelRegistry" + names();
    }

    private static RegisteredModel released(String name, String sha256, String fileName) {
        return new RegisteredModel(name, OPENAI_BASE_URL.resolve(sha256 + "/" + fileName), sha256);
    }

    private static RegisteredModel chinese(String name, String repository, String fileName) {
        return new RegisteredModel("cn-clip/" + name,
                HUGGING_FACE_OFA_SYS.resolve(repository + "/resolve/main/" + fileName), null);
    }

    private static List<RegisteredModel> concat(List<RegisteredModel> a, List<RegisteredModel> b) {
        List<RegisteredModel> out = new ArrayList<>(a);
        out.addAll(b);
        return out;
    }

    private static String lowerCase(String name) {
        return name.toLowerCase(Locale.ROOT);
    }

    private static String looseKey(String name) {
        return lowerCase(name).replaceAll("[^\\p{L}\\p{N}]", "");
    }
}
