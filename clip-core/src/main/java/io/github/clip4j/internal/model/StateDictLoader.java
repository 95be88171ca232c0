package io.github.clip4j.internal.model;

import io.github.clip4j.internal.runtime.Tensors;
import io.github.clip4j.CheckpointException;
import io.github.clip4j.internal.weights.HostTensor;
import io.github.clip4j.internal.weights.StateDict;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.StringTensorDict;
import org.bytedeco.pytorch.StringVector;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;

/**
 * Copies a {@link StateDict} into a module's parameters and buffers, strictly: every parameter must be present
 * with its exact shape, and nothing else may be (apart from the metadata entries OpenAI's TorchScript archives
 * carry and BatchNorm's {@code num_batches_tracked}). All problems are reported together.
 */
final class StateDictLoader {
    /** The staging buffer for checkpoint bytes: large enough for few reads, small next to any model. */
    private static final int STAGING_BYTES = 8 << 20;

    private StateDictLoader() {}

    static boolean ignorable(String name) {
        return name.equals("input_resolution") || name.equals("context_length") || name.equals("vocab_size")
                || name.endsWith(".num_batches_tracked")
                // Chinese-CLIP: load_from_name drops the (unused) pooler; Hugging Face's BERT keeps position ids
                || name.startsWith("bert.pooler.") || name.equals("bert.embeddings.position_ids");
    }

    /** The module's parameters and buffers by their dotted names, in registration order. */
    static Map<String, Tensor> namedTensors(Module module) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (StringTensorDict dict : List.of(module.named_parameters(true), module.named_buffers(true))) {
            StringVector keys = dict.keys();
            for (long i = 0; i < keys.size(); i++) {
                String name = keys.get(i).getString();
                out.put(name, Layer.handle(dict.get(name)));
            }
        }
        return out;
    }

    static void load(Module module, StateDict stateDict) {
        check(module, stateDict);
        copy(module, stateDict, name -> true, () -> false);
    }

    /**
     * The strict half of {@link #load}: every parameter present with its exact shape and a floating-point type,
     * nothing unexpected; nothing is copied.
     *
     * @throws CheckpointException naming every missing, unexpected and misshapen tensor
     */
    static void check(Module module, StateDict stateDict) {
        try (PointerScope scope = new PointerScope()) {
            Map<String, Tensor> targets = namedTensors(module);
            List<String> missing = new ArrayList<>();
            List<String> misshapen = new ArrayList<>();
            for (Map.Entry<String, Tensor> e : targets.entrySet()) {
                if (!stateDict.contains(e.getKey())) {
                    missing.add(e.getKey());
                    continue;
                }
                long[] expected = Tensors.shape(e.getValue());
                HostTensor stored = stateDict.get(e.getKey());
                long[] actual = stored.shape();
                if (!Arrays.equals(expected, actual)) {
                    misshapen.add(e.getKey() + " " + Arrays.toString(actual) + " (expected " + Arrays.toString(expected) + ")");
                } else if (e.getValue().is_floating_point() && !stored.dtype().isFloatingPoint()) {
                    // Weights are floating point (F32, F16, BF16 or F64), as CheckpointFormat says; an integer
                    // tensor in their place is a corrupt or crafted file, not something to convert silently.
                    misshapen.add(e.getKey() + " of dtype " + stored.dtype() + " (expected a floating-point"
                            + " dtype: F32, F16, BF16 or F64)");
                }
            }
            List<String> unexpected = new ArrayList<>();
            for (String name : stateDict.names()) {
                if (!targets.containsKey(name) && !ignorable(name)) {
                    unexpected.add(name);
                }
            }
            if (!missing.isEmpty() || !unexpected.isEmpty() || !misshapen.isEmpty()) {
                StringBuilder message = new StringBuilder(stateDict.source())
                        .append(": the tensors do not match the CLIP architecture inferred from them");
                append(message, "missing", missing);
                append(message, "unexpected", unexpected);
                append(message, "wrong shape", misshapen);
                message.append("; the checkpoint is incomplete, corrupt or not a CLIP model with OpenAI's names");
                throw new CheckpointException(message.toString());
            }
        }
    }

    /**
     * The copying half of {@link #load}, for a state dict {@link #check} accepted: the tensors whose names
     * {@code wanted} accepts are copied in, in the module's order; the others keep their (uninitialised) memory,
     * which is then never touched, so it costs neither time nor resident memory.
     *
     * @param wanted which parameters and buffers to copy
     * @param cancelled asked before each tensor: {@code true} stops the copy (the model is being closed)
     */
    static void copy(Module module, StateDict stateDict, Predicate<String> wanted, BooleanSupplier cancelled) {
        try (PointerScope scope = new PointerScope()) {
            Map<String, Tensor> targets = namedTensors(module);
            // Each tensor is streamed through one small native staging buffer and converted chunk by chunk into its
            // parameter: no copy of the model is ever made, and the checkpoint is read with plain reads instead of
            // through its mapping, so the file's pages never count towards the process's resident memory (that
            // was 350 MB on top of the weights for a released ViT-B/32).
            BytePointer staging = new BytePointer(STAGING_BYTES);
            ByteBuffer buffer = staging.asByteBuffer();
            try (NoGradGuard noGrad = new NoGradGuard()) {
                for (Map.Entry<String, Tensor> e : targets.entrySet()) {
                    if (!wanted.test(e.getKey())) {
                        continue;
                    }
                    if (cancelled.getAsBoolean()) {
                        return;
                    }
                    HostTensor source = stateDict.get(e.getKey());
                    if (source.numel() == 0) {
                        continue;
                    }
                    Tensor flat = e.getValue().view(-1);
                    torch.ScalarType type = Tensors.scalarType(source.dtype());
                    long elementSize = source.dtype().byteSize();
                    source.copyInChunks(buffer, (offset, chunk) -> {
                        try (PointerScope perChunk = new PointerScope()) {
                            long count = chunk.remaining() / elementSize;
                            Tensor blob = torch.from_blob(staging, new long[] {count}, new TensorOptions(type));
                            flat.narrow(0, offset / elementSize, count).copy_(blob);
                        }
                    });
                }
            }
        }
    }

    private static void append(StringBuilder message, String what, List<String> names) {
        if (!names.isEmpty()) {
            message.append("; ").append(what).append(" (").append(names.size()).append("): ")
                    .append(String.join(", ", names));
        }
    }
}
