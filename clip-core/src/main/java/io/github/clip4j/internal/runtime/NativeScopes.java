package io.github.clip4j.internal.runtime;

import java.util.Objects;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.PointerScope;

/**
 * Helpers for JavaCPP's {@link PointerScope} ownership: a native object belongs to the innermost scope open on its
 * thread when it is created, and is freed when that scope closes.
 */
public final class NativeScopes {
    private NativeScopes() {}

    /**
     * Takes {@code pointer} out of {@code scope} so that it survives the scope's closing, and hands it to the next
     * outer scope of this thread if there is one. Without an outer scope the caller owns it and must
     * {@code close()} it (or leave it to the garbage collector).
     *
     * <p>Call it while {@code scope} is still the innermost scope, just before closing it.
     *
     * <pre>{@code
     * try (PointerScope scope = new PointerScope()) {
     *     Tensor hidden = layer.forward(x);                   // freed with the scope
     *     return NativeScopes.escape(scope, hidden.relu());   // survives it
     * }
     * }</pre>
     *
     * @param <P>     the pointer's type, kept so the result needs no cast
     * @param scope   the scope {@code pointer} belongs to; not null
     * @param pointer the native object to keep; not null
     * @return {@code pointer} itself
     */
    public static <P extends Pointer> P escape(PointerScope scope, P pointer) {
        Objects.requireNonNull(scope, "scope");
        Objects.requireNonNull(pointer, "pointer");
        pointer.retainReference();
        scope.detach(pointer); // releases the scope's reference; ours keeps it alive
        PointerScope outer = outerScope(scope);
        if (outer != null) {
            outer.attach(pointer);
            pointer.releaseReference();
        }
        return pointer;
    }

    /**
     * Keeps {@code pointer} alive regardless of any scope: the caller owns it and must {@code close()} it.
     * For objects that outlive every scope of the current thread, such as a model's parameters.
     *
     * @param <P>     the pointer's type, kept so the result needs no cast
     * @param pointer the native object to keep; not null
     * @return {@code pointer} itself
     */
    public static <P extends Pointer> P own(P pointer) {
        Objects.requireNonNull(pointer, "pointer");
        pointer.retainReference();
        PointerScope inner = PointerScope.getInnerScope();
        if (inner != null) {
            inner.detach(pointer);
        }
        return pointer;
    }

    private static PointerScope outerScope(PointerScope scope) {
        var it = PointerScope.getScopeIterator();
        if (it == null) {
            return null;
        }
        boolean seen = false;
        while (it.hasNext()) {
            PointerScope s = it.next();
            if (seen) {
                return s;
            }
            seen = s == scope;
        }
        return null;
    }
}
