package io.github.clip4j.internal.model;

import io.github.clip4j.internal.runtime.Tensors;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;

/**
 * A libtorch module whose parameters are created uninitialised with the reference's names and shapes, to be filled
 * from a checkpoint. Parameters are real leaf tensors that require gradients, so the model can be trained.
 */
abstract class Layer extends Module {
    /** Types and device of new parameters. */
    static final class Spec {
        final TensorOptions compute;
        final TensorOptions fp32;
        final torch.ScalarType computeType;
        final Kernels kernels;
        /** Whether linear layers multiply in int8 ({@link io.github.clip4j.Precision#INT8}). */
        final boolean int8;
        /**
         * Whether fp32 inference may multiply on fp16-packed weights ({@link HalfPackedLinear}): fp32 on the CPU,
         * fbgemm available, and {@link Kernels#halfPackedWeights()}.
         */
        final boolean halfPackedWeights;
        /** What must run once the weights are in place (the int8 layers' quantization), in creation order. */
        private final java.util.List<Runnable> afterLoad = new java.util.ArrayList<>();
        /** The products that may multiply on fp16-packed weights, in creation order ({@link LinearProduct}). */
        private final java.util.List<LinearProduct> packables = new java.util.ArrayList<>();
        /** Native objects made after loading (packed weights), freed with the model: {@link #release}. */
        private final java.util.List<org.bytedeco.javacpp.Pointer> derived = new java.util.ArrayList<>();

        Spec(torch.ScalarType computeType, org.bytedeco.pytorch.Device device, Kernels kernels) {
            this(computeType, device, kernels, false);
        }

        Spec(torch.ScalarType computeType, org.bytedeco.pytorch.Device device, Kernels kernels, boolean int8) {
            this.int8 = int8;
            this.computeType = computeType;
            this.kernels = java.util.Objects.requireNonNull(kernels, "kernels");
            this.compute = new TensorOptions(computeType).device(new org.bytedeco.pytorch.DeviceOptional(device));
            this.fp32 = new TensorOptions(torch.ScalarType.Float)
                    .device(new org.bytedeco.pytorch.DeviceOptional(device));
            this.halfPackedWeights = kernels.halfPackedWeights() && computeType == torch.ScalarType.Float
                    && device.is_cpu() && LegacyFbgemm.available();
        }

        /** Registers a product that may multiply on fp16-packed weights (while the model is built). */
        void packable(LinearProduct product) {
            packables.add(product);
        }

        /** How many products {@link #packable} registered so far: a mark for {@link #packablesSince}. */
        int packableMark() {
            return packables.size();
        }

        /** The products registered since {@code mark}: one tower's, when marked around its construction. */
        java.util.List<LinearProduct> packablesSince(int mark) {
            return java.util.List.copyOf(packables.subList(mark, packables.size()));
        }

        /** Takes a native object made after loading, to free it in {@link #release}. */
        void own(org.bytedeco.javacpp.Pointer pointer) {
            synchronized (derived) {
                derived.add(pointer);
            }
        }

        /** Frees what {@link #own} took: when the model closes, after its last inference call. */
        void release() {
            synchronized (derived) {
                derived.forEach(org.bytedeco.javacpp.Pointer::close);
                derived.clear();
            }
        }

        /** Registers work for {@link #weightsLoaded}. */
        void afterLoad(Runnable step) {
            afterLoad.add(step);
        }

        /** Runs what waited for the checkpoint's weights (once, right after they were copied in). */
        void weightsLoaded() {
            afterLoad.forEach(Runnable::run);
            afterLoad.clear();
        }
    }

    /** A parameter in the model's compute precision. */
    Tensor parameter(Spec spec, String name, long... shape) {
        return handle(register_parameter(name, Tensors.empty(spec.compute, shape), true));
    }

    /** A parameter kept in fp32 whatever the precision (normalisation weights, as the reference does). */
    Tensor fp32Parameter(Spec spec, String name, long... shape) {
        return handle(register_parameter(name, Tensors.empty(spec.fp32, shape), true));
    }

    /** A non-trainable fp32 state tensor saved with the model (BatchNorm statistics). */
    Tensor fp32Buffer(Spec spec, String name, long... shape) {
        return handle(register_buffer(name, Tensors.empty(spec.fp32, shape)));
    }

    /**
     * An owning handle to a registered tensor. {@code register_*} return a reference into the module's own
     * table, which moves when the table grows, so it must not be kept; a copied {@code Tensor} shares the storage
     * (and the autograd identity) and stays valid.
     */
    static Tensor handle(Tensor reference) {
        return new Tensor(reference);
    }
}
