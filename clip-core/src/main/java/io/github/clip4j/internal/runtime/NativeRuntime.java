package io.github.clip4j.internal.runtime;

import io.github.clip4j.Device;
import io.github.clip4j.NativeRuntimeException;
import java.io.File;
import java.io.IOException;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.pytorch.global.torch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads libtorch (through the JavaCPP presets) once per JVM and controls its process-wide settings.
 *
 * <p>Every clip4j entry point that touches a tensor calls {@link #ensureLoaded()} first; calling it yourself is
 * only needed before using {@code org.bytedeco.pytorch} directly. It is idempotent and thread-safe: the first
 * caller loads, concurrent callers wait, later callers return at once; a failed load is remembered and
 * reported again (with its cause) instead of being retried into a half-initialised native state.
 *
 * <p>Why a bootstrap and not just touching {@code torch}: JavaCPP extracts each native library into its cache
 * ({@code ~/.javacpp/cache}, or {@code -Dorg.bytedeco.javacpp.cachedir=DIR}) only when it is about to load
 * it, and creates the symbolic links that {@code libtorch_cpu.so}'s dependencies (OpenBLAS, libgomp, libgfortran)
 * are found through while it goes. On an empty cache that interleaving of extraction, linking and {@code dlopen}
 * of a 330 MB library has been seen to crash the very first JVM (SIGSEGV inside {@code libtorch_cpu.so}'s
 * loading) while every later run works, and extracting everything first avoided it. So this class first extracts
 * all native resources of the javacpp, openblas and pytorch artifacts for the running platform (under JavaCPP's
 * own cache lock, so concurrent JVMs sharing a cache are safe), and only then lets JavaCPP load them, with every
 * dependency already in place. (The crash did not reproduce on the development machine in fourteen fresh-cache
 * runs without this step; {@code NativeRuntimeFirstLoadTest} guards the first load with it.)
 *
 * <p>Threads: libtorch's intra-op pool is process-wide. It defaults to all available processors, or to the
 * system property {@code clip4j.threads} when set; change it with {@link #setThreads(int)}.
 */
public final class NativeRuntime {
    private static final Logger LOG = LoggerFactory.getLogger(NativeRuntime.class);
    /** One class of each native artifact, in dependency order; their packages name the resource folders. */
    private static final Class<?>[] ARTIFACTS = {Loader.class, org.bytedeco.openblas.global.openblas.class,
            torch.class};

    private static final Object LOCK = new Object();
    private static volatile boolean loaded;
    private static NativeRuntimeException failure;
    /** The counts last set: libtorch's intra-op threads and OpenBLAS's (see {@link BatchWorkers}). */
    private static volatile int intraOpCount = 1;
    private static volatile int blasCount = 1;

    private NativeRuntime() {}

    /**
     * Loads libtorch if this JVM has not done so yet.
     *
     * @throws NativeRuntimeException if the native libraries cannot be found, extracted or loaded
     */
    public static void ensureLoaded() {
        if (loaded) {
            return;
        }
        synchronized (LOCK) {
            if (loaded) {
                return;
            }
            if (failure != null) {
                throw new NativeRuntimeException(failure.getMessage(), failure);
            }
            try {
                load();
                loaded = true;
            } catch (NativeRuntimeException e) {
                failure = e;
                throw e;
            }
        }
    }

    private static void load() {
        long start = System.nanoTime();
        String platform = Loader.getPlatform();
        File cache = cacheDir();
        int extracted = 0;
        try {
            for (Class<?> artifact : ARTIFACTS) {
                String folder = "/" + artifact.getPackageName().replace('.', '/').replaceAll("/global$", "") + "/";
                for (String variant : new String[] {platform, platform + "-gpu"}) {
                    // Extracting a whole folder takes JavaCPP's file lock on the cache, so JVMs starting together
                    // never see each other's half-written libraries; files already cached are only stat()ed.
                    if (artifact.getResource(folder + variant) != null) {
                        File[] files = Loader.cacheResources(artifact, folder + variant);
                        extracted += files == null ? 0 : files.length; // one entry per folder
                    }
                }
            }
        } catch (IOException e) {
            throw new NativeRuntimeException("cannot extract libtorch's native libraries to the JavaCPP cache "
                    + cache + ": " + e.getMessage() + "; make that folder writable or point "
                    + "-Dorg.bytedeco.javacpp.cachedir=DIR at a writable folder with about 400 MB free", e);
        }
        if (extracted == 0) {
            LOG.warn("no native resources for {} found on the class path; loading libtorch from the system paths",
                    platform);
        }
        try {
            Loader.load(torch.class);
            MallocTuning.apply(platform); // after libtorch's bootstrap, before the first tensor: see MallocTuning
            int threads = Integer.getInteger("clip4j.threads", Runtime.getRuntime().availableProcessors());
            applyThreads(Math.max(1, threads));
            // libtorch asks NNPACK before each convolution, and where NNPACK cannot start (it refused the 2-core AMD
            // EPYC VM of session 6: "Unsupported hardware") it logs that warning on every convolution, hundreds per
            // ResNet batch; libtorch's other CPU convolutions (oneDNN) are used on x86 anyway
            torch.globalContext().setUserEnabledNNPACK(false);
            warnAboutForcedBlasKernels(System.getenv("OPENBLAS_CORETYPE"));
        } catch (UnsatisfiedLinkError | ExceptionInInitializerError | NoClassDefFoundError e) {
            throw new NativeRuntimeException("cannot load libtorch for platform " + platform + " from " + cache
                    + ": " + e + "; put org.bytedeco:pytorch, openblas and javacpp with classifier " + platform
                    + " (or the -platform artifacts) on the class path, in the versions clip4j was built with, "
                    + "or delete the cache folder and retry", e);
        }
        LOG.debug("libtorch loaded for {} from {} ({} native folders extracted or checked first) in {} ms, {} threads,"
                + " malloc tuning: {}",
                platform, cache, extracted, (System.nanoTime() - start) / 1_000_000, torch.get_num_threads(),
                MallocTuning.applied());
    }

    /**
     * fp32 matrix products run on OpenBLAS, which picks its kernels for the CPU unless {@code OPENBLAS_CORETYPE}
     * names others. Measured on an AVX512 machine (issue 17): ViT-B/32 at batch 16 took 1,743 ms of CPU per batch
     * with {@code OPENBLAS_CORETYPE=Haswell} (AVX2 kernels) and 970-1,070 ms with OpenBLAS's own choice
     * (Cooperlake), so a setting left in the environment for another program costs clip4j 1.7x. Logged at INFO.
     */
    static void warnAboutForcedBlasKernels(String coreType) {
        if (coreType == null || coreType.isBlank() || !CpuFeatures.current().has("avx512f")) {
            return;
        }
        String core = coreType.trim().toLowerCase(java.util.Locale.ROOT);
        if (!(core.equals("skylakex") || core.equals("cooperlake") || core.equals("sapphirerapids"))) {
            // INFO, not WARN: the command line prints warnings, and this is the environment's choice, not an error
            LOG.info("OPENBLAS_CORETYPE={} makes OpenBLAS use kernels without AVX512 on this AVX512 CPU: fp32 runs"
                    + " about 1.7x slower than with OpenBLAS's own choice; unset it for clip4j", coreType);
        }
    }

    private static File cacheDir() {
        try {
            return Loader.getCacheDir();
        } catch (IOException e) {
            throw new NativeRuntimeException("cannot create the JavaCPP cache folder: " + e.getMessage()
                    + "; set -Dorg.bytedeco.javacpp.cachedir=DIR to a writable folder", e);
        }
    }

    /**
     * The number of threads libtorch uses for one operation (process-wide). Loads libtorch if needed.
     *
     * @return libtorch's intra-op thread count: the system property {@code clip4j.threads} if set, else the
     *         number of available processors, until {@link #setThreads} changes it
     * @throws NativeRuntimeException if libtorch cannot be loaded
     */
    public static int threads() {
        ensureLoaded();
        return torch.get_num_threads();
    }

    /**
     * Sets the number of threads libtorch uses for one operation. Process-wide: it affects every model in
     * this JVM.
     *
     * @param threads at least 1
     * @throws IllegalArgumentException if {@code threads} is less than 1
     */
    public static void setThreads(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be at least 1, got " + threads);
        }
        ensureLoaded();
        applyThreads(threads);
    }

    /**
     * Sets libtorch's thread count for one operation ({@code intraOp}) and OpenBLAS's for one fp32 matrix
     * product ({@code blas}) separately. The two pools do not share cores politely: on a 2-core machine an fp32
     * ViT-B/32 ran 18.7 images/s with {@code setThreads(1, 2)} against 10.4 with {@code setThreads(2)} (bf16
     * models multiply on libtorch's own pool and want {@code setThreads(n)}). Process-wide.
     *
     * @param intraOp at least 1
     * @param blas    at least 1
     * @throws IllegalArgumentException if either count is less than 1
     */
    public static void setThreads(int intraOp, int blas) {
        if (intraOp < 1 || blas < 1) {
            throw new IllegalArgumentException("thread counts must be at least 1, got " + intraOp + " and " + blas);
        }
        ensureLoaded();
        torch.set_num_threads(intraOp);
        intraOpCount = intraOp;
        blasCount = blas;
        applyBlas();
    }

    /**
     * The same count for libtorch's OpenMP pool and for OpenBLAS, which runs libtorch's fp32 matrix products on
     * its own pthread pool. Left alone, OpenBLAS starts one thread per processor whatever libtorch was told: with
     * {@code setThreads(1)} a product still ran on two threads, and on a busy machine a [50 x 3072] x [3072 x 768]
     * product took 13 times as long as on one (1.3 against 17 GFLOP/s), the second thread waiting for a core.
     */
    private static void applyThreads(int threads) {
        torch.set_num_threads(threads);
        intraOpCount = threads;
        blasCount = threads;
        applyBlas();
    }

    /** libtorch's intra-op count as last set (what threads that have not used libtorch yet start with). */
    static int intraOpThreads() {
        return intraOpCount;
    }

    /** A run of {@link #wholeGraphs}; closing it ends the run. */
    public interface WholeGraphs extends AutoCloseable {
        @Override
        void close();
    }

    /** Whole-graph runs in progress ({@link #wholeGraphs}), guarded by {@link #LOCK}. */
    private static int wholeGraphRuns;

    /**
     * Sets OpenBLAS's pool for the counts last set. While {@link BatchWorkers} splits batches, OpenBLAS stays at one
     * thread: every slice multiplies on its own thread, and a single image or text then rounds exactly as a slice
     * does (a call gives the same bits alone and among concurrent split batches: {@code ClipTest}). It is not
     * switched per call: changing OpenBLAS's count stops or starts its pool (measured: 1.3-2.5 ms a pair, and the
     * restarted threads spin while libtorch's pool works, which made single bf16 images 35-43 instead of 26-27 ms).
     * Only a whole-graph run ({@link #wholeGraphs}: training) gets the configured count back for its duration.
     */
    private static void applyBlas() {
        synchronized (LOCK) {
            boolean split = BatchWorkers.enabled() && Math.max(intraOpCount, blasCount) > 1 && wholeGraphRuns == 0;
            setBlasThreads(split ? 1 : blasCount);
        }
    }

    /**
     * Gives OpenBLAS the configured thread count until the returned handle is closed, for work that is never
     * split (a training step's forward and backward pass multiply on OpenBLAS's pool in fp32). Inference that
     * runs meanwhile multiplies on that pool too, so its results can differ from the same call's alone in the last
     * bits. Nested and concurrent runs are counted.
     *
     * @return closes the run; idempotent
     */
    public static WholeGraphs wholeGraphs() {
        ensureLoaded();
        synchronized (LOCK) {
            wholeGraphRuns++;
            applyBlas();
        }
        java.util.concurrent.atomic.AtomicBoolean open = new java.util.concurrent.atomic.AtomicBoolean(true);
        return () -> {
            if (open.getAndSet(false)) {
                synchronized (LOCK) {
                    wholeGraphRuns--;
                    applyBlas();
                }
            }
        };
    }

    /**
     * How many threads one inference batch may use: the larger of the two counts last set (in fp32 the loader
     * gives libtorch 1 and OpenBLAS n). {@link BatchWorkers} runs that many slices of a batch side by side.
     *
     * @return at least 1
     */
    public static int batchThreads() {
        ensureLoaded();
        return Math.max(intraOpCount, blasCount);
    }

    private static void setBlasThreads(int threads) {
        try {
            org.bytedeco.openblas.presets.openblas_nolapack.blas_set_num_threads(threads);
        } catch (UnsatisfiedLinkError | NoClassDefFoundError e) {
            LOG.debug("cannot set the BLAS thread count: {}", e.toString());
        }
    }

    /**
     * The number of threads OpenBLAS uses for one matrix product now: what {@link #setThreads} asked, or 1 while
     * batches are split (see {@link #applyBlas}). A single-threaded fp32 product may then as well run on a kernel
     * that never uses more than one thread (the model's fp16-packed weights).
     *
     * @return at least 1
     */
    public static int blasThreads() {
        ensureLoaded();
        return org.bytedeco.openblas.presets.openblas_nolapack.blas_get_num_threads();
    }

    /**
     * Whether libtorch sees a usable CUDA device. Loads libtorch if needed.
     *
     * @return {@code true} if {@link Device#CUDA} can be used; always {@code false} with the CPU-only native
     *         artifacts
     * @throws NativeRuntimeException if libtorch cannot be loaded
     */
    public static boolean cudaAvailable() {
        ensureLoaded();
        return torch.cuda_is_available();
    }
}
