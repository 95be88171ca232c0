/**
 * The native runtime: loading libtorch once per JVM ({@link io.github.clip4j.internal.runtime.NativeRuntime}), devices,
 * precisions, threads, and the ownership of native memory.
 *
 * <p>Ownership rule: a libtorch object (tensor, module, option) belongs to the innermost JavaCPP
 * {@link org.bytedeco.javacpp.PointerScope} open on its thread when it is created and is freed when that scope
 * closes. Inference code opens an {@link io.github.clip4j.internal.runtime.InferenceScope} (a scope plus inference mode);
 * long-lived owners ({@link io.github.clip4j.internal.model.ClipModel}) keep their own scope and free it in {@code close()}.
 */
package io.github.clip4j.internal.runtime;
