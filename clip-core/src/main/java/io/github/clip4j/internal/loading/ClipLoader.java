package io.github.clip4j.internal.loading;

import static java.util.Objects.requireNonNull;

import io.github.clip4j.Device;
import io.github.clip4j.Precision;
import io.github.clip4j.download.DownloadListener;
import io.github.clip4j.hub.ModelCache;
import io.github.clip4j.internal.hub.ModelLocator;
import io.github.clip4j.internal.hub.ModelSource;
import io.github.clip4j.internal.image.ClipPreprocessor;
import io.github.clip4j.internal.model.ClipModel;
import io.github.clip4j.internal.model.ModelConfig;
import io.github.clip4j.internal.runtime.NativeRuntime;
import io.github.clip4j.internal.weights.CheckpointReader;
import io.github.clip4j.internal.weights.HuggingFaceReader;
import io.github.clip4j.internal.weights.PreprocessorConfig;
import io.github.clip4j.internal.weights.StateDict;
import io.github.clip4j.tokenizer.BertWordPieceTokenizer;
import io.github.clip4j.tokenizer.ClipTokenizer;
import io.github.clip4j.tokenizer.TextTokenizer;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Turns what a user named into a running model: resolve the name, file or folder (downloading a released model
 * into the cache if needed), read the weights, pick the tokenizer and the image transform, build the model on
 * libtorch, and give it an identity. {@code Clip.Builder} describes the request; this class does the work, so the
 * facade stays an API.
 *
 * <p>Two families: OpenAI's CLIP and OFA-Sys's Chinese-CLIP, told apart by the checkpoint's names (a {@code bert.}
 * text tower). Chinese-CLIP gets its WordPiece tokenizer (52 tokens), the squash-to-square image transform and the
 * head counts of its config ({@link ChineseClipConfigs}).
 *
 * <p>Bad names, files and vocabularies fail first, before libtorch (seconds) is loaded.
 */
public final class ClipLoader {
    /** How many values of each fingerprinted tensor are hashed: enough to tell models apart, cheap to read. */
    private static final int FINGERPRINT_VALUES = 4096;

    /** What {@link #forImages} asked for on this thread, else null: the models it builds load for images only. */
    private static final ThreadLocal<ClipModel.Loading> LOADING = new ThreadLocal<>();

    /**
     * Inside {@link #forImages}: the checkpoint {@link #isChineseClip} read (the CLI asks it just before loading),
     * reused by {@link #load} when the file is unchanged, so the archive is parsed once, not twice.
     */
    private static final ThreadLocal<ReadCheckpoint> LAST_READ = new ThreadLocal<>();

    private record ReadCheckpoint(Path path, List<Object> stamp, StateDict weights) {}

    private ClipLoader() {}

    /**
     * Runs {@code build} (typically {@code Clip.builder()...build()}) so that the models it loads on this thread
     * are for images only: the image tower alone is copied in, on a thread of its own while the caller starts
     * decoding its first images ({@link ClipModel.Loading}: the checkpoint is still checked whole, the model's id
     * is the same, and any text or training use fails with a clear error). For clip4j's own commands that only
     * embed images ({@code clip index}); {@code Clip}'s API stays as it is.
     *
     * @param build builds the model
     * @param <T> what it returns
     * @return what {@code build} returned
     */
    public static <T> T forImages(Supplier<T> build) {
        // libtorch's libraries (~1.5 s of one core) load on another thread while this one finds the model, reads
        // the tokenizer and loads OpenCV; load() then waits for them. A failure is remembered by NativeRuntime
        // and reported by load() on this thread.
        Thread natives = new Thread(() -> {
            try {
                NativeRuntime.ensureLoaded();
            } catch (RuntimeException | Error reportedByLoad) {
                // load() reports it
            }
        }, "clip4j-native-load");
        natives.setDaemon(true);
        natives.start();
        ClipModel.Loading outer = LOADING.get();
        LOADING.set(new ClipModel.Loading(true, true));
        try {
            return build.get();
        } finally {
            LAST_READ.remove();
            if (outer == null) {
                LOADING.remove();
            } else {
                LOADING.set(outer);
            }
        }
    }

    /**
     * What to load. Exactly one of {@code name}, {@code path} and {@code weights} is set.
     *
     * @param name a released name or a path as text, or null
     * @param path a checkpoint file or Hugging Face folder, or null
     * @param weights weights already in memory, or null
     * @param device where the model runs
     * @param precision the compute precision
     * @param threads the threads one encoder call may use, or 0 for libtorch's default
     * @param cache the download cache, or null for the default one
     * @param listener download progress
     * @param tokenizer the tokenizer, or null for the model family's bundled one
     */
    public record Request(String name, Path path, StateDict weights, Device device, Precision precision, int threads,
                          ModelCache cache, DownloadListener listener, TextTokenizer tokenizer) {
        /** Checks that exactly one source is given. */
        public Request {
            int sources = (name != null ? 1 : 0) + (path != null ? 1 : 0) + (weights != null ? 1 : 0);
            if (sources != 1) {
                throw new IllegalArgumentException("exactly one of a model name, path or weights is needed");
            }
            requireNonNull(device, "device");
            requireNonNull(precision, "precision");
            requireNonNull(listener, "listener");
        }
    }

    /**
     * A loaded model and what goes with it.
     *
     * @param model the encoders on libtorch, owned by the caller
     * @param tokenizer the tokenizer texts go through
     * @param preprocessor the image transform
     * @param name the model's name as the user gave it (a released name, or a file or folder name)
     * @param id the name and a fingerprint of the weights
     */
    public record Loaded(ClipModel model, TextTokenizer tokenizer, ClipPreprocessor preprocessor, String name,
                         String id) {}

    /**
     * Loads the model {@code request} names.
     *
     * @param request what to load
     * @return the loaded model; the caller owns (and closes) its {@code model}
     * @throws io.github.clip4j.hub.UnknownModelException if the name is neither released nor an existing path
     * @throws io.github.clip4j.CheckpointException if the checkpoint cannot be read
     * @throws IllegalArgumentException if the tokenizer's ids do not fit the model's vocabulary
     */
    public static Loaded load(Request request) {
        ModelSource source = request.weights() == null ? locate(request) : null;
        // libtorch (and its malloc settings, MallocTuning) before the checkpoint's buffers: measured, bf16 batches
        // kept re-faulting their temporaries when the weights had been read first (issue 17)
        NativeRuntime.ensureLoaded();
        StateDict stateDict = request.weights() != null ? request.weights() : read(source.path());
        String name = source != null ? source.name() : stateDict.source();
        boolean chinese = ModelConfig.isChineseClip(stateDict);
        ModelConfig config = chinese
                ? ModelConfig.fromStateDict(stateDict, ChineseClipConfigs.hints(stateDict,
                        source != null && !source.isFolder() ? source.path() : null, name))
                : ModelConfig.fromStateDict(stateDict);
        TextTokenizer tokenizer = request.tokenizer() != null ? request.tokenizer() : defaultTokenizer(chinese);
        if (request.threads() > 0) {
            // fp32 matrix products run on OpenBLAS's pool, half precision on libtorch's: giving libtorch one
            // thread in fp32 keeps the two pools from fighting over the cores (measured: 1.8x faster on 2 cores).
            NativeRuntime.setThreads(request.precision() == Precision.FP32 ? 1 : request.threads(), request.threads());
        }
        ClipModel.Loading loading = LOADING.get();
        ClipModel model = ClipModel.load(stateDict, config, request.device(), request.precision(),
                loading != null ? loading : ClipModel.Loading.FULL);
        try {
            int vocabulary = model.config().vocabSize();
            if (tokenizer.vocabularySize() > vocabulary) {
                throw new IllegalArgumentException("the tokenizer (" + tokenizer + ") has "
                        + tokenizer.vocabularySize() + " ids but model " + name + " knows only " + vocabulary
                        + "; use the tokenizer the model was trained with");
            }
            ClipPreprocessor preprocessor = chinese ? ClipPreprocessor.squash(model.imageResolution())
                    : preprocessorFor(source, model.imageResolution());
            String id = name + "#" + fingerprint(model.config().toString(), stateDict);
            return new Loaded(model, tokenizer, preprocessor, name, id);
        } catch (RuntimeException | Error e) {
            model.close();
            throw e;
        }
    }

    /**
     * A format-independent fingerprint of the weights: the same model read from a TorchScript archive, a state
     * dict or safetensors gets the same value. It hashes the architecture and a prefix of a few tensors.
     *
     * @param architecture the model's configuration as text
     * @param weights the weights
     * @return 16 hex digits
     */
    public static String fingerprint(String architecture, StateDict weights) {
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
        digest.update(architecture.getBytes(StandardCharsets.UTF_8));
        for (String name : List.of("logit_scale", "text_projection", "token_embedding.weight",
                "positional_embedding", "visual.proj", "visual.attnpool.c_proj.weight",
                "bert.embeddings.word_embeddings.weight")) {
            if (!weights.contains(name)) {
                continue;
            }
            // A prefix of each tensor is enough to tell models apart; converting all of token_embedding would
            // cost 100 MB of heap during every load.
            float[] values = weights.get(name).toFloatArray(FINGERPRINT_VALUES);
            ByteBuffer bytes = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
            bytes.asFloatBuffer().put(values);
            digest.update(name.getBytes(StandardCharsets.UTF_8));
            digest.update(bytes.array());
        }
        return HexFormat.of().formatHex(digest.digest(), 0, 8);
    }

    /**
     * The tokenizer a model takes, found without loading the model (nor downloading a released one): what
     * {@code clip tokenize --model M} uses.
     *
     * @param model a registry name, a checkpoint file or a Hugging Face folder
     * @return Chinese-CLIP's WordPiece tokenizer for a Chinese-CLIP model, else CLIP's BPE tokenizer
     * @throws io.github.clip4j.hub.UnknownModelException if the name is neither registered nor an existing path
     * @throws io.github.clip4j.CheckpointException if the file cannot be read
     */
    public static TextTokenizer tokenizerFor(String model) {
        return defaultTokenizer(isChineseClip(model));
    }

    /**
     * Whether {@code model} names a Chinese-CLIP model, found without loading it (nor downloading a released one):
     * a {@code cn-clip/} registry name, or a checkpoint file with a {@code bert.} text tower.
     *
     * @param model a registry name, a checkpoint file or a Hugging Face folder
     * @return {@code true} for a Chinese-CLIP model
     * @throws io.github.clip4j.hub.UnknownModelException if the name is neither registered nor an existing path
     * @throws io.github.clip4j.CheckpointException if the file cannot be read
     */
    public static boolean isChineseClip(String model) {
        requireNonNull(model, "model");
        ModelLocator locator = ModelLocator.create();
        Optional<io.github.clip4j.hub.RegisteredModel> registered = locator.registry().find(model)
                .or(() -> Files.exists(Path.of(model)) ? Optional.empty()
                        : locator.registry().findIgnoringCase(model));
        if (registered.isPresent()) {
            return io.github.clip4j.hub.ModelRegistry.chineseClip().find(registered.get().name()).isPresent();
        }
        ModelSource source = locator.locate(Path.of(model));
        if (source.isFolder()) {
            return false;
        }
        StateDict weights = CheckpointReader.read(source.path());
        if (LOADING.get() != null) {
            List<Object> stamp = stamp(source.path());
            if (stamp != null) {
                LAST_READ.set(new ReadCheckpoint(source.path().toAbsolutePath().normalize(), stamp, weights));
            }
        }
        return ModelConfig.isChineseClip(weights);
    }

    /** The checkpoint at {@code path}: the one {@link #isChineseClip} just read if the file is unchanged. */
    private static StateDict read(Path path) {
        ReadCheckpoint last = LAST_READ.get();
        LAST_READ.remove();
        if (last != null && last.path().equals(path.toAbsolutePath().normalize())
                && last.stamp().equals(stamp(path))) {
            return last.weights();
        }
        return CheckpointReader.read(path);
    }

    /** What tells a file's versions apart: its identity, size and modification time; null if unreadable. */
    private static List<Object> stamp(Path path) {
        try {
            BasicFileAttributes attributes = Files.readAttributes(path, BasicFileAttributes.class);
            return Arrays.asList(attributes.fileKey(), attributes.size(), attributes.lastModifiedTime());
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private static TextTokenizer defaultTokenizer(boolean chinese) {
        return chinese ? BertWordPieceTokenizer.load() : ClipTokenizer.load();
    }

    private static ModelSource locate(Request request) {
        ModelLocator.Builder locator = ModelLocator.builder().listener(request.listener());
        if (request.cache() != null) {
            locator.cache(request.cache());
        }
        ModelLocator built = locator.build();
        return request.path() != null ? built.locate(request.path()) : built.locate(request.name());
    }

    private static ClipPreprocessor preprocessorFor(ModelSource source, int resolution) {
        if (source != null && source.isFolder()) {
            Optional<PreprocessorConfig> config = HuggingFaceReader.preprocessor(source.path());
            if (config.isPresent()) {
                return ClipPreprocessor.of(resolution, toDoubles(config.get().mean()), toDoubles(config.get().std()));
            }
        }
        return ClipPreprocessor.of(resolution);
    }

    private static double[] toDoubles(float[] values) {
        double[] out = new double[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = values[i];
        }
        return out;
    }
}
