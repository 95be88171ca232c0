package io.github.clip4j.internal.runtime;

import io.github.clip4j.NativeRuntimeException;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.InferenceMode;

/**
 * A block of native code that owns every tensor it creates and records no gradients.
 *
 * <p>Ownership rule: every JavaCPP object (tensor, scalar, option, guard) created on this thread between
 * {@link #open()} and {@link #close()} belongs to the innermost open scope and is freed when it closes, unless it
 * was explicitly kept ({@link #keep}). Copy results into Java arrays before closing. A scope is bound to the thread
 * that opened it: open and close it on the same thread, in a try-with-resources block:
 *
 * <pre>{@code
 * try (InferenceScope scope = InferenceScope.open()) {
 *     Tensor features = model.encodeImage(pixels);
 *     float[] values = Tensors.toFloatArray(features);
 * } // features and every intermediate tensor are freed here
 * }</pre>
 *
 * <p>Inside the scope libtorch runs in inference mode: faster than no-grad, and tensors made here can never
 * take part in autograd later. Training code uses a plain {@link PointerScope} instead.
 */
public final class InferenceScope implements AutoCloseable {
    private final PointerScope pointers;
    private final InferenceMode guard;
    private final Thread owner;

    private InferenceScope() {
        this.owner = Thread.currentThread();
        this.pointers = new PointerScope();
        // The guard is itself a native object of this scope; it is released explicitly first so inference mode
        // ends before the tensors made in it are freed.
        this.guard = NativeScopes.escape(pointers, new InferenceMode());
    }

    /**
     * Opens a scope on the current thread (loading libtorch if needed).
     *
     * @return the new innermost scope of this thread, to close on this thread
     * @throws NativeRuntimeException if libtorch cannot be loaded
     */
    public static InferenceScope open() {
        NativeRuntime.ensureLoaded();
        return new InferenceScope();
    }

    /**
     * Moves {@code pointer} out of this scope: it survives {@link #close()} and belongs to the next outer scope,
     * or, with none, to the caller, who must {@code close()} it.
     *
     * <pre>{@code
     * Tensor features;
     * try (InferenceScope scope = InferenceScope.open()) {
     *     features = scope.keep(model.encodeImage(pixels));
     * }
     * try (features) { ... } // a tensor made in inference mode: fine to read, never to train on
     * }</pre>
     *
     * @param <P>     the pointer's type, kept so the result needs no cast
     * @param pointer a native object created in this scope; not null
     * @return {@code pointer} itself
     */
    public <P extends org.bytedeco.javacpp.Pointer> P keep(P pointer) {
        return NativeScopes.escape(pointers, pointer);
    }

    /** Leaves inference mode and frees everything created in the scope. */
    @Override
    public void close() {
        if (Thread.currentThread() != owner) {
            throw new IllegalStateException("InferenceScope opened on " + owner.getName()
                    + " must be closed on that thread, not " + Thread.currentThread().getName());
        }
        try {
            guard.close();
        } finally {
            pointers.close();
        }
        // The escape above handed the guard to an outer scope if there was one; it is already released.
    }
}
