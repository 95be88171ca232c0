package io.github.clip4j.internal.training;

import io.github.clip4j.internal.runtime.Tensors;
import io.github.clip4j.internal.weights.DType;
import io.github.clip4j.internal.weights.HostTensor;
import io.github.clip4j.internal.weights.StateDict;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.StringTensorDict;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * A module's parameters and buffers by their dotted names ({@code visual.conv1.weight}), and their export to a
 * {@link StateDict} that the checkpoint writers save.
 */
public final class NamedParameters {
    private NamedParameters() {}

    /**
     * Parameters in registration order (the tensors share storage with the module's).
     *
     * @param module the module, its children included (names like {@code visual.conv1.weight})
     * @return an unmodifiable map of new handles to the parameters; a write through one changes the module
     */
    public static Map<String, Tensor> parameters(Module module) {
        return toMap(module.named_parameters(true));
    }

    /**
     * Buffers (e.g. batch-norm running statistics) in registration order.
     *
     * @param module the module, its children included
     * @return an unmodifiable map of new handles sharing the buffers' storage
     */
    public static Map<String, Tensor> buffers(Module module) {
        return toMap(module.named_buffers(true));
    }

    /**
     * A host copy of every parameter and buffer, float32 for floating-point tensors and int64 for integer ones
     * (what {@code model.state_dict()} would hold after {@code model.float()}).
     *
     * @param module the module to copy, not changed
     * @param source a description for messages, e.g. {@code "fine-tuned ViT-B/32, step 1200"}
     * @return the copy, parameters first and then buffers, each in registration order
     */
    public static StateDict toStateDict(Module module, String source) {
        Map<String, HostTensor> tensors = new LinkedHashMap<>();
        parameters(module).forEach((name, t) -> tensors.put(name, toHost(t)));
        buffers(module).forEach((name, t) -> tensors.put(name, toHost(t)));
        return new StateDict(tensors, Map.of(), source);
    }

    static HostTensor toHost(Tensor t) {
        long[] shape = new long[(int) t.dim()];
        for (int i = 0; i < shape.length; i++) {
            shape[i] = t.size(i);
        }
        if (t.is_floating_point()) {
            return HostTensor.ofFloats(shape, Tensors.toFloatArray(t));
        }
        long[] values = Tensors.toLongArray(t);
        ByteBuffer bytes = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        bytes.asLongBuffer().put(values);
        return new HostTensor(DType.I64, shape, bytes);
    }

    private static Map<String, Tensor> toMap(StringTensorDict dict) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (long i = 0; i < dict.size(); i++) {
            // value() is a reference into the dictionary's storage, which dies with the dictionary: copy the
            // handle (the copy shares the parameter's storage and autograd identity)
            out.put(dict.get(i).key().getString(), new Tensor(dict.get(i).value()));
        }
        return Collections.unmodifiableMap(out);
    }

    public static boolean isFloat32(Tensor t) {
        return t.scalar_type().intern() == torch.ScalarType.Float; // JavaCPP returns enums un-interned
    }
}
