package io.github.clip4j.internal.runtime;

import org.bytedeco.javacpp.Loader;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.PointerPointer;
import org.bytedeco.pytorch.PlacementConsumer;

/**
 * Keeps libtorch's large fp32 temporaries in glibc's heap instead of handing them back to the kernel after every
 * operation (issue 17).
 *
 * <p>Why: glibc's malloc serves blocks above its mmap threshold (128 KiB at start) with fresh {@code mmap}s that
 * are unmapped again on {@code free}, and raises that threshold only as mapped blocks are freed. Every layer of
 * ViT-B/32 at batch 16 allocates and frees several 2-10 MB tensors, so in fp32 a batch took 41,400 minor page
 * faults (160 MB of pages zeroed by the kernel) and 2,460 ms of CPU; with the thresholds raised first, about
 * 4,500 faults and 1,820 ms (same batch, same machine, back to back; the README has the commands).
 *
 * <p>How, without a {@code mallopt} binding (JavaCPP's {@code systems} presets are not published for 1.5.13): glibc
 * raises the mmap threshold to the size of a freed mapped block (up to 32 MiB) and the trim threshold to twice
 * that. So one block just under 32 MiB, allocated and freed through JavaCPP's {@code malloc}/{@code free} (the
 * allocator libtorch uses too) before the first tensor, sets both for the whole process: what
 * {@code MALLOC_MMAP_THRESHOLD_=33554432} does from the environment, with a 64 MiB trim threshold. Elsewhere than
 * glibc it is one harmless allocation. {@code -Dclip4j.mallocThresholds=false} skips it (to measure the
 * difference).
 *
 * <p>Not fixed by it: bf16's per-process spread (see the README's performance section). What did fix it in the
 * measurements of issue 17 is the environment's {@code MALLOC_TRIM_THRESHOLD_=1073741824} (a trim threshold above
 * the 64 MiB this step reaches), or {@code mallopt} with the same values called (through a JavaCPP function
 * pointer, there being no binding) after libtorch's bootstrap and before any checkpoint was read; called later,
 * it did not. That is not in the library yet.
 */
final class MallocTuning {
    /** The largest mmap threshold glibc's dynamic adjustment reaches on 64-bit ({@code DEFAULT_MMAP_THRESHOLD_MAX}). */
    private static final long MMAP_THRESHOLD_MAX = 32L << 20;

    /** glibc's {@code <malloc.h>} parameter numbers and the trim threshold of the environment fix. */
    private static final int M_TRIM_THRESHOLD = -1;
    private static final int M_MMAP_THRESHOLD = -3;
    private static final long TRIM_THRESHOLD = 1L << 30;
    static final String VERIFIED_JAVACPP = "1.5.13";

    private static volatile String applied = "no";

    /** A pointer argument that carries a plain integer (its address) to the called C function. */
    private static final class IntegerArgument extends Pointer {
        IntegerArgument(int value) {
            address = Integer.toUnsignedLong(value);
        }
    }

    private MallocTuning() {}

    /** Raises the thresholds once, at libtorch's bootstrap; see the class comment. */
    static void apply(String platform) {
        if (!platform.startsWith("linux")
                || !Boolean.parseBoolean(System.getProperty("clip4j.mallocThresholds", "true"))) {
            return;
        }
        // a mapped chunk's size is the request plus a header, rounded up to pages: stay a page under the cap
        Pointer block = Pointer.malloc(MMAP_THRESHOLD_MAX - 8192);
        if (block != null && !block.isNull()) {
            Pointer.free(block);
            applied = "dynamic threshold";
        }
    }

    /**
     * {@code mallopt(M_MMAP_THRESHOLD, 32 MiB)} and {@code mallopt(M_TRIM_THRESHOLD, 1 GiB)}, what
     * {@code MALLOC_MMAP_THRESHOLD_=33554432 MALLOC_TRIM_THRESHOLD_=1073741824} sets from the environment. The
     * presets bind no {@code mallopt}, so it is called through a JavaCPP function pointer of the pytorch presets
     * whose native signature passes two integer registers ({@code PlacementConsumer}, {@code void(void*, size_t)}):
     * JavaCPP keeps a function pointer object as a struct whose first field is the C function pointer, so a
     * two-slot struct holding {@code mallopt}'s address ({@link Loader#addressof}) turns its {@code call} into
     * {@code mallopt(param, value)} (the parameter number travels as the pointer argument's low 32 bits). That
     * relies on JavaCPP's generated layout and on the x86-64/AArch64 calling conventions, so it runs only with the
     * JavaCPP version it was verified with and on those two platforms.
     */
    static void callMallopt(String platform) {
        if (!(platform.equals("linux-x86_64") || platform.equals("linux-arm64"))
                || !VERIFIED_JAVACPP.equals(javacppVersion())
                || !Boolean.parseBoolean(System.getProperty("clip4j.mallocThresholds", "true"))) {
            return;
        }
        Pointer mallopt;
        try {
            mallopt = Loader.addressof("mallopt");
        } catch (UnsatisfiedLinkError e) {
            return;
        }
        if (mallopt == null || mallopt.isNull()) {
            return;
        }
        PointerPointer<Pointer> struct = new PointerPointer<>(2);
        struct.put(0, mallopt).put(1, (Pointer) null); // { ptr = mallopt, obj = NULL }
        PlacementConsumer call = new PlacementConsumer(struct);
        call.call(new IntegerArgument(M_MMAP_THRESHOLD), MMAP_THRESHOLD_MAX);
        call.call(new IntegerArgument(M_TRIM_THRESHOLD), TRIM_THRESHOLD);
        applied = "mallopt";
    }

    private static String javacppVersion() {
        try {
            return Loader.getVersion();
        } catch (java.io.IOException e) {
            return "unknown";
        }
    }

    /** How the thresholds were set in this process: {@code mallopt}, {@code dynamic threshold} or {@code no}. */
    static String applied() {
        return applied;
    }
}
