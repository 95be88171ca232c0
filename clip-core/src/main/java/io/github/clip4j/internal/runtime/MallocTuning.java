package io.github.clip4j.internal.runtime;

import org.bytedeco.javacpp.Loader;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.PointerPointer;
import org.bytedeco.pytorch.PlacementConsumer;

/**
 * Keeps libtorch's temporaries in glibc's heap instead of handing their pages back to the kernel after every
 * operation, so that every process runs a batch at the same speed (issue 17).
 *
 * <p>Why: every layer of ViT-B/32 at batch 16 allocates and frees several 2-10 MB tensors. glibc's malloc gives
 * memory back in three ways, and each costs fresh, kernel-zeroed pages (minor page faults) on the next batch:
 * <ol>
 *   <li>blocks above the mmap threshold (128 KiB at start, raised dynamically) are {@code mmap}ed and unmapped
 *       per allocation: fp32 took 41,400 faults and 2,460 ms of CPU per batch, 4,500 and 1,820 ms without;</li>
 *   <li>the main arena's top is trimmed above the trim threshold ({@code M_TRIM_THRESHOLD});</li>
 *   <li>Java threads never allocate from the main arena but from per-thread arenas, made of 64 MiB heaps; a heap
 *       whose memory is all free again is unmapped whole in {@code heap_trim}, whatever the trim threshold,
 *       unless the top pad ({@code M_TOP_PAD}) asks to keep that much. That is what left some processes slow
 *       even with the first two fixed: 16,000-74,000 faults per bf16 batch instead of 2,000-3,500, depending on
 *       where the heap boundaries fell in that process.</li>
 * </ol>
 * So, on glibc, {@link #apply} calls {@code mallopt(M_MMAP_THRESHOLD, 32 MiB)}, {@code mallopt(M_TRIM_THRESHOLD,
 * 1 GiB)} and {@code mallopt(M_TOP_PAD, 64 MiB)} right after libtorch's bootstrap, before any checkpoint or tensor.
 * The cost is memory kept: freed heap memory stays with the process up to its peak (see the README's performance
 * section for RSS with and without).
 *
 * <p>How: JavaCPP binds no {@code mallopt} for 1.5.13 (its {@code systems} presets are not published), so it is
 * called through a JavaCPP function pointer of the pytorch presets whose native signature passes two integer
 * registers ({@code PlacementConsumer}, {@code void(void*, size_t)}): JavaCPP keeps a function pointer object as a
 * struct whose first field is the C function pointer, so a two-slot struct holding {@code mallopt}'s address
 * ({@link Loader#addressof}) turns its {@code call} into {@code mallopt(param, value)} (the parameter number
 * travels as the pointer argument's low 32 bits, which is how both ABIs pass an {@code int}). That relies on
 * JavaCPP's generated layout and on the x86-64/AArch64 Linux calling conventions, so it runs only with glibc
 * (found by {@code gnu_get_libc_version}), with the JavaCPP version it was verified with and on those two
 * platforms. Elsewhere the mmap threshold alone is raised through glibc's dynamic adjustment (one block just
 * under 32 MiB allocated and freed), which is one harmless allocation on other C libraries.
 *
 * <p>Switches for A/B measurements: {@code -Dclip4j.mallocThresholds=false} skips all of it,
 * {@code -Dclip4j.mallocTopPad=false} only the top pad.
 */
final class MallocTuning {
    /** The largest mmap threshold glibc's dynamic adjustment reaches on 64-bit ({@code DEFAULT_MMAP_THRESHOLD_MAX}). */
    private static final long MMAP_THRESHOLD_MAX = 32L << 20;

    /** glibc's {@code <malloc.h>} parameter numbers. */
    private static final int M_TRIM_THRESHOLD = -1;
    private static final int M_TOP_PAD = -2;
    private static final int M_MMAP_THRESHOLD = -3;
    /** Above any working set of the encoders at the batch sizes clip4j uses: the main arena is never trimmed. */
    private static final long TRIM_THRESHOLD = 1L << 30;
    /** glibc's per-thread heap size on 64-bit ({@code HEAP_MAX_SIZE}): a pad this large keeps every heap mapped. */
    private static final long TOP_PAD = 64L << 20;
    static final String VERIFIED_JAVACPP = "1.5.13";

    private static volatile String applied = "no";

    /** A pointer argument that carries a plain integer (its address) to the called C function. */
    private static final class IntegerArgument extends Pointer {
        IntegerArgument(int value) {
            address = Integer.toUnsignedLong(value);
        }
    }

    private MallocTuning() {}

    /** Sets glibc's malloc parameters once, at libtorch's bootstrap; see the class comment. */
    static void apply(String platform) {
        if (!platform.startsWith("linux")
                || !Boolean.parseBoolean(System.getProperty("clip4j.mallocThresholds", "true"))) {
            return;
        }
        if (callMallopt(platform)) {
            return;
        }
        // a mapped chunk's size is the request plus a header, rounded up to pages: stay a page under the cap
        Pointer block = Pointer.malloc(MMAP_THRESHOLD_MAX - 8192);
        if (block != null && !block.isNull()) {
            Pointer.free(block);
            applied = "dynamic threshold";
        }
    }

    private static boolean callMallopt(String platform) {
        if (!(platform.equals("linux-x86_64") || platform.equals("linux-arm64"))
                || !VERIFIED_JAVACPP.equals(javacppVersion())) {
            return false;
        }
        Pointer mallopt;
        try {
            if (isNull(Loader.addressof("gnu_get_libc_version"))) {
                return false; // not glibc: musl's mallopt does nothing, others may mean other numbers
            }
            mallopt = Loader.addressof("mallopt");
        } catch (UnsatisfiedLinkError e) {
            return false;
        }
        if (isNull(mallopt)) {
            return false;
        }
        PointerPointer<Pointer> struct = new PointerPointer<>(2);
        struct.put(0, mallopt).put(1, (Pointer) null); // { ptr = mallopt, obj = NULL }
        PlacementConsumer call = new PlacementConsumer(struct);
        call.call(new IntegerArgument(M_MMAP_THRESHOLD), MMAP_THRESHOLD_MAX);
        call.call(new IntegerArgument(M_TRIM_THRESHOLD), TRIM_THRESHOLD);
        if (Boolean.parseBoolean(System.getProperty("clip4j.mallocTopPad", "true"))) {
            call.call(new IntegerArgument(M_TOP_PAD), TOP_PAD);
            applied = "mallopt (mmap threshold, trim threshold, top pad)";
        } else {
            applied = "mallopt (mmap threshold, trim threshold)";
        }
        return true;
    }

    private static boolean isNull(Pointer p) {
        return p == null || p.isNull();
    }

    private static String javacppVersion() {
        try {
            return Loader.getVersion();
        } catch (java.io.IOException e) {
            return "unknown";
        }
    }

    /** How the parameters were set in this process: {@code mallopt (...)}, {@code dynamic threshold} or {@code no}. */
    static String applied() {
        return applied;
    }
}
