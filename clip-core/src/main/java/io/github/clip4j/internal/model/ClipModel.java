package io.github.clip4j.internal.model;

import io.github.clip4j.internal.runtime.BatchWorkers;
import io.github.clip4j.internal.runtime.CpuFeatures;
import io.github.clip4j.Device;
import io.github.clip4j.internal.runtime.InferenceScope;
import io.github.clip4j.internal.runtime.NativeRuntime;
import io.github.clip4j.internal.runtime.NativeTypes;
import io.github.clip4j.internal.runtime.NativeScopes;
import io.github.clip4j.Precision;
import io.github.clip4j.internal.runtime.Tensors;
import io.github.clip4j.internal.weights.StateDict;
import java.lang.ref.Reference;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.InferenceMode;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * OpenAI's CLIP on libtorch: an image encoder (Vision Transformer or ModifiedResNet) and a text encoder whose
 * outputs share one embedding space, built from a checkpoint's tensors exactly as the reference's
 * {@code build_model} does.
 *
 * <pre>{@code
 * try (ClipModel model = ClipModel.load(SafetensorsReader.read(path), Device.CPU, Precision.FP32)) {
 *     float[][] images = model.encodeImages(pixels, 4);       // [4][embed_dim], not normalised
 *     float[][] texts = model.encodeTexts(tokenIds);
 * }
 * }</pre>
 *
 * <p><b>Native memory.</b> The model owns its parameters and frees them in {@link #close()}; it does not depend on
 * any {@link PointerScope} of the thread that loaded it. The array methods ({@link #encodeImages},
 * {@link #encodeTexts}, {@link #logits}) free every tensor they create before returning. The tensor methods
 * ({@link #encodeImage}, {@link #encodeText}, {@link #forward}) return tensors owned by the caller's innermost
 * {@code PointerScope} (or, with none, by the caller, who closes them); their intermediate tensors are freed
 * before they return. They run in the caller's gradient mode, so training code gets a differentiable result
 * and inference code wraps them in an {@link InferenceScope}.
 *
 * <p><b>Threads.</b> On the CPU, {@link #encodeImages} and {@link #encodeTexts(int[][])} cut a batch of several
 * rows into one slice per configured thread ({@link io.github.clip4j.internal.runtime.NativeRuntime#batchThreads()})
 * and encode the slices side by side on {@link BatchWorkers}' threads, each with one libtorch thread: faster than
 * one forward pass on the intra-op threads, and far steadier on a busy machine (issue 17). The tensor methods never
 * split (training needs one autograd graph). Inference methods may be called concurrently from several threads.
 * Switching between {@link #train()} and {@link #eval()}, updating parameters and {@link #close()} must not overlap
 * with them.
 */
public final class ClipModel implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ClipModel.class);
    private static final String LOGIT_SCALE = "logit_scale";

    private final ClipNetwork network;
    private final PointerScope owned;
    private final Device device;
    private final Precision precision;
    private final AtomicBoolean closed = new AtomicBoolean();
    /** Whether the text tower's weights were copied in ({@link Loading#imageTowerOnly()} leaves them out). */
    private final boolean textTower;
    /** Completes when every weight is in: at once, or when a {@link Loading#inBackground()} copy ends. */
    private final CompletableFuture<Void> weights;
    /** Tells a background copy to stop: the model is being closed. */
    private volatile boolean cancelled;

    private ClipModel(ClipNetwork network, PointerScope owned, Device device, Precision precision, boolean textTower,
                      CompletableFuture<Void> weights) {
        this.network = network;
        this.owned = owned;
        this.device = device;
        this.precision = precision;
        this.textTower = textTower;
        this.weights = weights;
    }

    /**
     * How {@link #load(StateDict, ModelConfig, Device, Precision, Loading)} copies the weights in. The checkpoint
     * is checked strictly (every tensor of both towers named and shaped as the architecture wants) whatever is
     * chosen; only the copying differs.
     *
     * @param imageTowerOnly copy only the image tower and {@code logit_scale}: a model that only embeds images
     *     (e.g. {@code clip index}) skips converting the text tower (~40% of ViT-B/32's weights), which then costs
     *     neither time nor resident memory; every text or training use of it fails with an
     *     {@link IllegalStateException}
     * @param inBackground copy the weights on a thread of their own and return once the model is built and
     *     checked: the caller decodes its first images meanwhile, and the first call that needs the weights waits
     *     for them (a failed copy fails that call); ignored for {@link Precision#INT8}, whose weights are quantized
     *     once they are in
     */
    public record Loading(boolean imageTowerOnly, boolean inBackground) {
        /** Both towers, copied before {@code load} returns: what every other {@code load} does. */
        public static final Loading FULL = new Loading(false, false);
    }

    /**
     * Builds the model the tensors describe and copies them in (converted once to {@code precision}, except
     * normalisation weights, which stay fp32). The result is in eval mode. The state dict is only read, and may be
     * dropped (or its file closed) once this returns.
     *
     * @param stateDict the weights with OpenAI's parameter names, e.g. from
     *                  {@link io.github.clip4j.internal.weights.CheckpointReader#read}; not null
     * @param device    where the parameters live and the encoders run; not null
     * @param precision the type the weights are converted to; {@link Precision#FP32} matches the reference most
     *                  closely; not null
     * @return a new model, which the caller closes
     * @throws io.github.clip4j.CheckpointException if the tensors are not a complete CLIP model: every
     *     missing, unexpected and misshapen tensor is named
     * @throws io.github.clip4j.NativeRuntimeException if libtorch cannot be loaded or the device is unavailable
     */
    public static ClipModel load(StateDict stateDict, Device device, Precision precision) {
        return load(stateDict, device, precision, Kernels.FAST);
    }

    /**
     * {@link #load(StateDict, Device, Precision)} with the architecture given rather than inferred with default
     * hints: a Chinese-CLIP model whose head counts or activation come from its JSON config
     * ({@link ModelConfig#fromStateDict(StateDict, ModelConfig.Hints)}).
     *
     * @param stateDict the weights; not null
     * @param config    the architecture they must match exactly; not null
     * @param device    where the model runs; not null
     * @param precision the weights' type; not null
     * @return a new model, which the caller closes
     * @throws io.github.clip4j.CheckpointException if the tensors do not match {@code config}
     */
    public static ClipModel load(StateDict stateDict, ModelConfig config, Device device, Precision precision) {
        return load(stateDict, Objects.requireNonNull(config, "config"), device, precision, Kernels.FAST);
    }

    /** {@link #load(StateDict, Device, Precision)} with a choice of kernels (tests compare them). */
    static ClipModel load(StateDict stateDict, Device device, Precision precision, Kernels kernels) {
        return load(stateDict, null, device, precision, kernels);
    }

    /**
     * {@link #load(StateDict, ModelConfig, Device, Precision)} with a choice of what is copied in and when.
     *
     * @param stateDict the weights; not null; with {@link Loading#inBackground()} read until the copy ends
     * @param config    the architecture they must match exactly; not null
     * @param device    where the model runs; not null
     * @param precision the weights' type; not null
     * @param loading   which towers are copied, and whether on a thread of their own; not null
     * @return a new model, which the caller closes (closing it stops a background copy)
     * @throws io.github.clip4j.CheckpointException if the tensors do not match {@code config}
     */
    public static ClipModel load(StateDict stateDict, ModelConfig config, Device device, Precision precision,
                                 Loading loading) {
        return load(stateDict, Objects.requireNonNull(config, "config"), device, precision, Kernels.FAST,
                Objects.requireNonNull(loading, "loading"));
    }

    static ClipModel load(StateDict stateDict, ModelConfig given, Device device, Precision precision,
                          Kernels kernels) {
        return load(stateDict, given, device, precision, kernels, Loading.FULL);
    }

    private static ClipModel load(StateDict stateDict, ModelConfig given, Device device, Precision precision,
                                  Kernels kernels, Loading loading) {
        Objects.requireNonNull(stateDict, "stateDict");
        Objects.requireNonNull(device, "device");
        Objects.requireNonNull(precision, "precision");
        long start = System.nanoTime();
        NativeRuntime.ensureLoaded();
        NativeTypes.requireAvailable(device);
        ModelConfig config = given != null ? given : ModelConfig.fromStateDict(stateDict);
        if (precision == Precision.INT8 && (device != Device.CPU
                || CpuFeatures.current().isKnown() && !CpuFeatures.current().isFast(precision))) {
            throw new IllegalArgumentException("Precision.INT8 runs on CPUs with AVX2 only (libtorch's fbgemm "
                    + "kernels); this is " + (device != Device.CPU ? device : "a CPU without AVX2")
                    + ": use FP32 or BF16");
        }
        if (device == Device.CPU && CpuFeatures.current().isKnown() && !CpuFeatures.current().isFast(precision)) {
            LOG.warn("{} on this CPU has no native {} arithmetic: it will run slower than FP32 (it still halves "
                    + "the weights' memory)", precision, precision);
        }
        // Parameters made in inference mode (a caller's InferenceScope) could never be trained: build outside it.
        try (InferenceMode normalMode = new InferenceMode(false)) {
            // Everything created while building belongs to this scope, which is taken off the thread's scope stack
            // below and closed by close(): the model's lifetime is its own, not the caller's.
            PointerScope owned = new PointerScope();
            try {
                Layer.Spec spec = new Layer.Spec(NativeTypes.scalarType(precision), NativeTypes.device(device),
                        kernels, precision == Precision.INT8);
                ClipNetwork network = new ClipNetwork(config, spec);
                StateDictLoader.check(network, stateDict);
                // INT8 quantizes every linear layer once its weights are in (spec.weightsLoaded): all of them, now
                boolean imageOnly = loading.imageTowerOnly() && precision != Precision.INT8;
                boolean background = loading.inBackground() && precision != Precision.INT8;
                Predicate<String> wanted = imageOnly ? ClipModel::inImageTower : name -> true;
                CompletableFuture<Void> weights = new CompletableFuture<>();
                if (!background) {
                    StateDictLoader.copy(network, stateDict, wanted, () -> false);
                    spec.weightsLoaded(); // INT8: the linear layers' weights quantized once, from the loaded fp32 ones
                    weights.complete(null);
                } else {
                    // logit_scale now (ClipEngine reads it at once), the rest on the loader thread below
                    StateDictLoader.copy(network, stateDict, LOGIT_SCALE::equals, () -> false);
                }
                network.eval();
                owned.extend();
                owned.close();
                ClipModel model = new ClipModel(network, owned, device, precision, !imageOnly, weights);
                if (background) {
                    Thread loader = new Thread(() -> {
                        try {
                            StateDictLoader.copy(network, stateDict, wanted.and(name -> !LOGIT_SCALE.equals(name)),
                                    () -> model.cancelled);
                            LOG.debug("copied the weights of {} in the background, {} ms after the load began",
                                    stateDict.source(), (System.nanoTime() - start) / 1_000_000);
                            if (!model.cancelled) {
                                network.packImageTower(); // fp32: here rather than inside the first batch
                            }
                            weights.complete(null);
                        } catch (Throwable e) {
                            weights.completeExceptionally(e);
                        }
                    }, "clip4j-load");
                    loader.setDaemon(true);
                    try {
                        loader.start();
                    } catch (OutOfMemoryError noThread) {
                        loader.run(); // no thread to be had: copy here, as a full load does
                    }
                }
                LOG.debug("loaded {} ({}) on {} in {} in {} ms{}", stateDict.source(), config, device, precision,
                        (System.nanoTime() - start) / 1_000_000, background ? ", weights copying" : "");
                return model;
            } catch (RuntimeException | Error e) {
                owned.close();
                throw e;
            }
        }
    }

    /**
     * The architecture, as the reference's {@code CLIP} constructor arguments.
     *
     * @return the configuration inferred from the checkpoint at load
     */
    public ModelConfig config() {
        return network.config();
    }

    /**
     * The side of the square images the image encoder takes.
     *
     * @return the input resolution in pixels, e.g. 224 for ViT-B/32 and 336 for ViT-L/14@336px
     */
    public int imageResolution() {
        return network.config().imageResolution();
    }

    /**
     * The number of tokens per text (77 for OpenAI's models); token rows may be shorter, never longer.
     *
     * @return the text encoder's maximum sequence length
     */
    public int contextLength() {
        return network.config().contextLength();
    }

    /**
     * The size of the image and text embeddings.
     *
     * @return the embedding dimension, e.g. 512 for ViT-B/32
     */
    public int embedDim() {
        return network.config().embedDim();
    }

    /**
     * The device the parameters live on and the encoders run on.
     *
     * @return the device given at {@link #load}
     */
    public Device device() {
        return device;
    }

    /**
     * The type the weights were converted to at load.
     *
     * @return the precision given at {@link #load}
     */
    public Precision precision() {
        return precision;
    }

    /**
     * The libtorch module, with OpenAI's parameter names in {@code named_parameters()} ({@code visual.conv1.weight},
     * ...), for training and saving. It stays owned by this model.
     *
     * @return the live module; do not use it after {@link #close()}
     * @throws IllegalStateException if the model is closed
     */
    public Module module() {
        checkWhole();
        return network;
    }

    /**
     * The model's parameters and buffers by OpenAI's names, in the reference's order. The map's tensors are new
     * handles to the live parameters, owned by the caller's innermost {@code PointerScope}.
     *
     * @return an ordered map from parameter name to a tensor sharing the parameter's storage
     * @throws IllegalStateException if the model is closed
     */
    public Map<String, Tensor> namedTensors() {
        checkWhole();
        return StateDictLoader.namedTensors(network);
    }

    /** Switches to training mode (BatchNorm uses and updates batch statistics). */
    public void train() {
        checkWhole();
        network.train(true);
    }

    /** Switches to inference mode (the state after {@link #load}). */
    public void eval() {
        checkReady();
        network.eval();
    }

    /**
     * Image features before normalisation, as fp32 {@code [N, embed_dim]}.
     *
     * @param pixels {@code [N, 3, R, R]} normalised pixels ({@code R = imageResolution()}), any float type/device
     * @return a new tensor on the model's device, owned as described in the class comment
     * @throws IllegalArgumentException if {@code pixels} has another shape
     * @throws IllegalStateException    if the model is closed
     */
    public Tensor encodeImage(Tensor pixels) {
        checkReady();
        Objects.requireNonNull(pixels, "pixels");
        long[] shape = Tensors.shape(pixels);
        int r = imageResolution();
        if (shape.length != 4 || shape[1] != 3 || shape[2] != r || shape[3] != r) {
            throw new IllegalArgumentException("pixels must be [N, 3, " + r + ", " + r + "], got "
                    + Arrays.toString(shape));
        }
        try (PointerScope scope = new PointerScope()) {
            return NativeScopes.escape(scope, network.encodeImage(pixels).to(torch.ScalarType.Float));
        }
    }

    /**
     * Text features before normalisation, as fp32 {@code [N, embed_dim]}.
     *
     * @param tokens {@code [N, L]} integer token ids ({@code L <= contextLength()}), each row ending with the
     *     end-of-text token (the highest id), padded with zeros
     * @return a new tensor on the model's device, owned as described in the class comment
     * @throws IllegalArgumentException if {@code tokens} is not two-dimensional or its rows are too long
     * @throws IllegalStateException    if the model is closed
     */
    public Tensor encodeText(Tensor tokens) {
        checkWhole();
        Objects.requireNonNull(tokens, "tokens");
        long[] shape = Tensors.shape(tokens);
        if (shape.length != 2 || shape[1] < 1 || shape[1] > contextLength()) {
            throw new IllegalArgumentException("tokens must be [N, L] with 1 <= L <= " + contextLength() + ", got "
                    + Arrays.toString(shape));
        }
        try (PointerScope scope = new PointerScope()) {
            return NativeScopes.escape(scope, network.encodeText(tokens).to(torch.ScalarType.Float));
        }
    }

    /**
     * The reference's {@code forward}: cosine similarities of the normalised features scaled by
     * {@link #logitScale()}.
     *
     * @param pixels as for {@link #encodeImage}: {@code [N, 3, R, R]} normalised pixels
     * @param tokens as for {@link #encodeText}: {@code [M, L]} token ids
     * @return {@code [N, M]} logits per image and their {@code [M, N]} transpose, owned like the result of
     *         {@link #encodeImage}
     * @throws IllegalArgumentException if either input has the wrong shape
     * @throws IllegalStateException    if the model is closed
     */
    public Logits forward(Tensor pixels, Tensor tokens) {
        checkOpen();
        try (PointerScope scope = new PointerScope()) {
            Tensor image = normalize(encodeImage(pixels));
            Tensor text = normalize(encodeText(tokens));
            Tensor perImage = image.matmul(text.t()).mul(network.logitScaleExp());
            Tensor perText = perImage.t();
            return new Logits(NativeScopes.escape(scope, perImage), NativeScopes.escape(scope, perText));
        }
    }

    /** {@code x / ||x||} along rows. */
    static Tensor normalize(Tensor x) {
        return x.div(x.norm(new org.bytedeco.pytorch.ScalarOptional(new Scalar(2.0)), new long[] {1}, true));
    }

    /**
     * Encodes {@code n} images given as one array of normalised pixels in {@code [N, 3, R, R]} order.
     *
     * @param pixels exactly {@code n * 3 * R * R} floats ({@code R = imageResolution()}), image after image, each
     *               channel-major (all R, then all G, then all B), normalised with the model's mean and std
     * @param n      the number of images, at least 1
     * @return {@code [n][embed_dim]} features before normalisation
     * @throws IllegalArgumentException if {@code n} or the array length is wrong
     * @throws IllegalStateException    if the model is closed
     */
    public float[][] encodeImages(float[] pixels, int n) {
        checkOpen();
        Objects.requireNonNull(pixels, "pixels");
        int r = imageResolution();
        if (n < 1 || (long) pixels.length != (long) n * 3 * r * r) {
            throw new IllegalArgumentException("expected " + n + " images of 3 x " + r + " x " + r + " = "
                    + ((long) n * 3 * r * r) + " floats, got " + pixels.length);
        }
        int slices = slices(n);
        if (slices > 1) {
            int per = 3 * r * r;
            return inSlices(n, slices, (from, count) -> {
                try (InferenceScope scope = InferenceScope.open()) {
                    return Tensors.toFloatMatrix(encodeImage(Tensors.fromFloatRange(pixels, from * per, count, 3, r, r)));
                }
            });
        }
        try (InferenceScope scope = InferenceScope.open()) {
            return Tensors.toFloatMatrix(encodeImage(Tensors.fromFloats(pixels, n, 3, r, r)));
        }
    }

    /**
     * How many slices of a batch of {@code n} run side by side on {@link BatchWorkers}' threads (1: the whole batch
     * on the caller's thread). Only on the CPU, where each slice gets a core.
     */
    private int slices(int n) {
        return device == Device.CPU ? BatchWorkers.slices(n) : 1;
    }

    /** Encodes rows {@code [from, from + count)} of a batch: one slice, on a worker thread. */
    @FunctionalInterface
    private interface SliceEncoder {
        float[][] encode(int from, int count);
    }

    /** Encodes a batch of {@code n} rows as {@code slices} slices side by side; the rows come back in order. */
    private static float[][] inSlices(int n, int slices, SliceEncoder slice) {
        return concat(BatchWorkers.run(slices, i -> {
            int from = BatchWorkers.start(n, slices, i);
            return slice.encode(from, BatchWorkers.start(n, slices, i + 1) - from);
        }), n);
    }

    /** The slices' rows in order, as one {@code [n][embed_dim]} array. */
    private static float[][] concat(java.util.List<float[][]> parts, int n) {
        float[][] out = new float[n][];
        int row = 0;
        for (float[][] part : parts) {
            for (float[] values : part) {
                out[row++] = values;
            }
        }
        if (row != n) {
            throw new IllegalStateException("slices returned " + row + " rows for " + n);
        }
        return out;
    }

    /**
     * Encodes {@code n} images from a direct buffer of normalised pixels in {@code [N, 3, R, R]} order, without
     * copying them: a caller that decodes straight into a reused direct buffer saves a copy of every batch.
     *
     * <pre>{@code
     * FloatBuffer input = ByteBuffer.allocateDirect(16 * 3 * 224 * 224 * 4).order(ByteOrder.nativeOrder()).asFloatBuffer();
     * // ... fill input.put(i * pixelsPerImage + j, value) ...
     * float[][] features = model.encodeImages(input, 16);
     * }</pre>
     *
     * @param pixels a direct, native-order buffer; the {@code n * 3 * R * R} floats from its position on are read
     *               (its position is not changed)
     * @param n      the number of images, at least 1
     * @return {@code [n][embed_dim]} features before normalisation
     * @throws IllegalArgumentException if the buffer is not direct and native-order, or holds too few floats
     * @throws IllegalStateException    if the model is closed
     */
    public float[][] encodeImages(FloatBuffer pixels, int n) {
        checkOpen();
        Objects.requireNonNull(pixels, "pixels");
        if (!pixels.isDirect() || pixels.order() != ByteOrder.nativeOrder()) {
            throw new IllegalArgumentException("pixels must be a direct buffer in native byte order "
                    + "(ByteBuffer.allocateDirect(bytes).order(ByteOrder.nativeOrder()).asFloatBuffer())");
        }
        int r = imageResolution();
        long needed = (long) n * 3 * r * r;
        if (n < 1 || pixels.remaining() < needed) {
            throw new IllegalArgumentException("expected " + n + " images of 3 x " + r + " x " + r + " = " + needed
                    + " floats, the buffer has " + pixels.remaining());
        }
        int slices = slices(n);
        if (slices > 1) {
            int per = 3 * r * r;
            int position = pixels.position();
            float[][] out = inSlices(n, slices, (from, count) -> {
                try (InferenceScope scope = InferenceScope.open()) {
                    Tensor input = Tensors.view(pixels.slice(position + from * per, count * per), count, 3, r, r);
                    return Tensors.toFloatMatrix(encodeImage(input));
                }
            });
            Reference.reachabilityFence(pixels);
            return out;
        }
        try (InferenceScope scope = InferenceScope.open()) {
            // slice(): a pointer at the buffer's position (from_blob takes void*, which ignores JavaCPP positions)
            Tensor input = torch.from_blob(new FloatPointer(pixels.slice()), new long[] {n, 3, r, r},
                    new TensorOptions(torch.ScalarType.Float));
            float[][] out = Tensors.toFloatMatrix(encodeImage(input));
            Reference.reachabilityFence(pixels);
            return out;
        }
    }

    /**
     * Encodes token-id rows (as made by the tokenizer: start token, text, end token, zero padding) in one batch.
     * The text tower runs only up to the batch's longest text, so short prompts are cheap.
     *
     * @param tokens one row per text, all of the same length between 1 and {@link #contextLength()}, every id in
     *               the model's vocabulary
     * @return {@code [rows][embed_dim]} features before normalisation, in the order of {@code tokens}
     * @throws IllegalArgumentException if there are no rows, the rows differ in length or an id is out of range
     * @throws IllegalStateException    if the model is closed
     */
    public float[][] encodeTexts(int[][] tokens) {
        checkOpen();
        checkTokens(tokens);
        int slices = slices(tokens.length);
        if (slices > 1) {
            // each slice runs the text tower only up to its own longest text (exact, as for the whole batch)
            return inSlices(tokens.length, slices, (from, count) -> {
                int[][] rows = Arrays.copyOfRange(tokens, from, from + count);
                try (InferenceScope scope = InferenceScope.open()) {
                    return Tensors.toFloatMatrix(encodeText(Tensors.fromIntRows(rows)));
                }
            });
        }
        try (InferenceScope scope = InferenceScope.open()) {
            return Tensors.toFloatMatrix(encodeText(Tensors.fromIntRows(tokens)));
        }
    }

    /**
     * Encodes many token-id rows in batches of at most {@code batchSize}, grouping rows of similar length so each
     * batch runs only as far as its own longest text. Results are in the order of {@code tokens} and equal (within
     * float rounding) to {@link #encodeTexts(int[][])} over all rows at once.
     *
     * <pre>{@code float[][] features = model.encodeTexts(tokenizer.tokenize(prompts, 77, true), 64);}</pre>
     *
     * @param tokens    rows as for {@link #encodeTexts(int[][])}
     * @param batchSize the most rows encoded at once, at least 1; larger batches are faster but use more memory
     * @return {@code [rows][embed_dim]} features before normalisation
     * @throws IllegalArgumentException if {@code batchSize} is not positive, or as for
     *                                  {@link #encodeTexts(int[][])}
     * @throws IllegalStateException    if the model is closed
     */
    public float[][] encodeTexts(int[][] tokens, int batchSize) {
        checkOpen();
        checkTokens(tokens);
        if (batchSize < 1) {
            throw new IllegalArgumentException("batchSize must be positive, got " + batchSize);
        }
        Integer[] order = new Integer[tokens.length];
        int[] ends = new int[tokens.length];
        for (int i = 0; i < tokens.length; i++) {
            order[i] = i;
            ends[i] = endPosition(tokens[i]);
        }
        Arrays.sort(order, Comparator.comparingInt(i -> ends[i]));
        float[][] out = new float[tokens.length][];
        for (int start = 0; start < order.length; start += batchSize) {
            int size = Math.min(batchSize, order.length - start);
            int[][] batch = new int[size][];
            for (int j = 0; j < size; j++) {
                batch[j] = tokens[order[start + j]];
            }
            float[][] features = encodeTexts(batch);
            for (int j = 0; j < size; j++) {
                out[order[start + j]] = features[j];
            }
        }
        return out;
    }

    /**
     * How far the text tower must run for this row: its last non-zero id (OpenAI's end-of-text token, or the [SEP]
     * of Chinese-CLIP's rows); only used to group rows of similar length.
     */
    private static int endPosition(int[] row) {
        int last = 0;
        for (int j = 1; j < row.length; j++) {
            if (row[j] != 0) {
                last = j;
            }
        }
        return last;
    }

    /**
     * {@code logits_per_image} for {@code n} images and the token rows: {@code [n][rows]}. Apply a softmax along
     * each row for the reference's zero-shot probabilities.
     *
     * @param pixels images as for {@link #encodeImages(float[], int)}
     * @param n      the number of images, at least 1
     * @param tokens rows as for {@link #encodeTexts(int[][])}
     * @return {@code [n][rows]} scaled cosine similarities
     * @throws IllegalArgumentException if an input has the wrong size or an id is out of range
     * @throws IllegalStateException    if the model is closed
     */
    public float[][] logits(float[] pixels, int n, int[][] tokens) {
        checkOpen();
        checkTokens(tokens);
        int r = imageResolution();
        try (InferenceScope scope = InferenceScope.open()) {
            Logits logits = forward(Tensors.fromFloats(pixels, n, 3, r, r), Tensors.fromIntRows(tokens));
            return Tensors.toFloatMatrix(logits.perImage());
        }
    }

    /**
     * {@code exp(logit_scale)}, the temperature the cosine similarities are multiplied by.
     *
     * @return the current scale, 100 for OpenAI's released models
     * @throws IllegalStateException if the model is closed
     */
    public float logitScale() {
        checkOpen();
        try (InferenceScope scope = InferenceScope.open()) {
            return network.logitScaleExp().item_float();
        }
    }

    /** Frees the model's native memory. Idempotent; the model is unusable afterwards. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            cancelled = true;
            try {
                weights.join(); // a background copy stops at its next tensor: never free what it writes into
            } catch (RuntimeException stoppedOrFailed) {
                // closing anyway
            }
            network.releaseDerived();
            owned.close();
        }
    }

    /** Rejects rows the native code would fail on with an unhelpful message. */
    private void checkTokens(int[][] tokens) {
        Objects.requireNonNull(tokens, "tokens");
        if (tokens.length == 0) {
            throw new IllegalArgumentException("no token rows");
        }
        int vocab = network.config().vocabSize();
        for (int i = 0; i < tokens.length; i++) {
            int[] row = Objects.requireNonNull(tokens[i], "tokens row");
            if (row.length != tokens[0].length || row.length < 1 || row.length > contextLength()) {
                throw new IllegalArgumentException("token row " + i + " has " + row.length + " ids; every row needs "
                        + "the same length, between 1 and the context length " + contextLength());
            }
            for (int id : row) {
                if (id < 0 || id >= vocab) {
                    throw new IllegalArgumentException("token row " + i + " has id " + id + " outside the vocabulary"
                            + " [0, " + vocab + "); use the tokenizer that matches this model");
                }
            }
        }
    }

    private void checkOpen() {
        if (closed.get()) {
            throw new IllegalStateException("ClipModel is closed");
        }
    }

    /** Open, and every weight loaded: waits for a background copy, and fails as it failed. */
    private void checkReady() {
        checkOpen();
        try {
            weights.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof io.github.clip4j.common.ClipException failure) {
                // the copy's own exception (e.g. the checkpoint can no longer be read), chained to this call
                throw new io.github.clip4j.CheckpointException(failure.getMessage(), failure);
            }
            throw new IllegalStateException("loading the weights of " + network.config() + " failed", e.getCause());
        }
    }

    /** {@link #checkReady()}, and both towers loaded: text and training need the whole model. */
    private void checkWhole() {
        checkReady();
        if (!textTower) {
            throw new IllegalStateException("this model was loaded for images only (without its text tower, as"
                    + " 'clip index' does): load it again with both towers to embed texts or train it");
        }
    }

    /** The weights an image-only model copies: the image tower and the logit scale. */
    private static boolean inImageTower(String name) {
        return name.startsWith("visual.") || name.equals(LOGIT_SCALE);
    }

    @Override
    public String toString() {
        return "ClipModel[" + network.config() + ", " + device + ", " + precision + "]";
    }

    /**
     * The result of {@link #forward}: {@code perImage [images, texts]} and its transpose {@code perText}, both
     * owned like any tensor {@code forward} returns.
     *
     * @param perImage fp32 {@code [images, texts]}: the reference's {@code logits_per_image}
     * @param perText  fp32 {@code [texts, images]}: the reference's {@code logits_per_text}
     */
    public record Logits(Tensor perImage, Tensor perText) {
        /**
         * Checks both tensors are present.
         *
         * @param perImage the logits per image; not null
         * @param perText  the logits per text; not null
         */
        public Logits {
            Objects.requireNonNull(perImage, "perImage");
            Objects.requireNonNull(perText, "perText");
        }
    }
}
