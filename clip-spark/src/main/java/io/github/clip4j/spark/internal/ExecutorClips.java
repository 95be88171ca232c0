package io.github.clip4j.spark.internal;

import io.github.clip4j.Clip;
import io.github.clip4j.Precision;
import io.github.clip4j.zeroshot.PromptTemplates;
import io.github.clip4j.zeroshot.ZeroShotClassifier;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The models of this JVM (a Spark executor, or the driver in local mode): one {@link Clip} per model and precision,
 * loaded by the first task that needs it, shared by every later task (a {@code Clip} is thread-safe), closed when
 * the JVM exits. Loading per task would read the weights again for every partition; a static map is how a Spark
 * executor keeps per-JVM state, since tasks get fresh deserialized copies of the stage.
 */
public final class ExecutorClips {
    /** What identifies a loaded model: the name or path as given, the precision and the thread setting. */
    public record Key(String model, Precision precision, int threads) implements java.io.Serializable {}

    private static final Map<Key, Clip> CLIPS = new ConcurrentHashMap<>();
    private static final Map<List<Object>, ZeroShotClassifier> CLASSIFIERS = new ConcurrentHashMap<>();
    /** Distinct label sets kept at once; a job uses one or two, the bound only stops unbounded growth. */
    private static final int MAX_CLASSIFIERS = 16;

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(ExecutorClips::closeAll, "clip4j-spark-close"));
    }

    private ExecutorClips() {}

    /**
     * {@return the model for {@code key}, loading it on first use} Concurrent first calls load it once
     * ({@code computeIfAbsent} blocks the others for that key).
     */
    public static Clip get(Key key) {
        return CLIPS.computeIfAbsent(key, k -> {
            Clip.Builder builder = Clip.builder().model(k.model()).precision(k.precision());
            if (k.threads() > 0) {
                builder.threads(k.threads());
            }
            return builder.build();
        });
    }

    /** {@return the zero-shot classifier for these labels and templates on {@code key}'s model, built once} */
    public static ZeroShotClassifier classifier(Key key, List<String> labels, List<String> templates) {
        List<Object> id = List.of(key, List.copyOf(labels), List.copyOf(templates));
        ZeroShotClassifier cached = CLASSIFIERS.get(id);
        if (cached != null) {
            return cached;
        }
        if (CLASSIFIERS.size() >= MAX_CLASSIFIERS) {
            CLASSIFIERS.clear();
        }
        Clip clip = get(key);
        ZeroShotClassifier.Builder builder = clip.classifier().labels(labels);
        if (!templates.isEmpty()) {
            builder.templates(PromptTemplates.of(templates));
        }
        return CLASSIFIERS.computeIfAbsent(id, i -> builder.build());
    }

    /** {@return {@code fp32}, {@code bf16} or {@code fp16} (any case) as a precision} */
    public static Precision precision(String name) {
        try {
            return Precision.valueOf(name.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("precision " + name + ": use fp32, bf16 or fp16", e);
        }
    }

    /** Closes every model (at JVM exit; tests call it to free native memory). */
    public static void closeAll() {
        CLASSIFIERS.clear();
        List<Clip> open = new ArrayList<>(CLIPS.values());
        CLIPS.clear();
        for (Clip clip : open) {
            clip.close();
        }
    }
}
