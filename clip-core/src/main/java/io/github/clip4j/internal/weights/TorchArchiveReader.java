package io.github.clip4j.internal.weights;

import io.github.clip4j.CheckpointException;
import static java.util.Objects.requireNonNull;

import io.github.clip4j.internal.weights.PickleMachine.Instance;
import io.github.clip4j.internal.weights.PickleMachine.Tuple;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads PyTorch's zip checkpoints: TorchScript archives ({@code torch.jit.save}, the form of OpenAI's released
 * models) and {@code torch.save}d state dicts (plain, nested under {@code state_dict} or {@code model}, with or
 * without a {@code module.} prefix).
 *
 * <p>The pickle is run by a restricted interpreter that knows only the globals a checkpoint uses; tensor bytes
 * are memory-mapped from the archive's stored entries. For TorchScript archives the module tree is flattened to
 * dotted names keeping parameters and buffers only (as {@code module.state_dict()} would), and the scalar
 * buffers OpenAI adds ({@code input_resolution}, {@code context_length}, {@code vocab_size}) go to the
 * metadata rather than the tensors, so that every format of one model has the same tensor names.
 *
 * <pre>{@code
 * StateDict weights = TorchArchiveReader.read(Path.of("ViT-B-32.pt"));
 * int resolution = Integer.parseInt(weights.metadata().get("input_resolution"));
 * }</pre>
 */
public final class TorchArchiveReader {
    private static final Logger LOG = LoggerFactory.getLogger(TorchArchiveReader.class);

    /** OpenAI's TorchScript buffers that describe the model rather than weight it. */
    static final List<String> DESCRIPTIVE_BUFFERS = List.of("input_resolution", "context_length", "vocab_size");
    /** Attribute tensors CLIP modules hold that are neither parameters nor buffers. */
    private static final Set<String> NON_PERSISTENT = Set.of("attn_mask");
    private static final long MAX_PICKLE_BYTES = 64L * 1024 * 1024;
    private static final long MAX_CODE_BYTES = 16L * 1024 * 1024;
    private static final long MAX_TOTAL_CODE_BYTES = 256L * 1024 * 1024;
    private static final int MAX_MODULE_DEPTH = 64;
    private static final Pattern CLASS_DECLARATION = Pattern.compile(
            "^class (\\w+)\\(Module\\):\\s*\\n\\s+__parameters__ = \\[([^\\]]*)\\]\\s*\\n\\s+__buffers__ = \\[([^\\]]*)\\]",
            Pattern.MULTILINE);
    private static final Pattern QUOTED = Pattern.compile("\"([^\"]*)\"");

    private static final Map<String, DType> STORAGE_TYPES = Map.ofEntries(
            Map.entry("FloatStorage", DType.F32), Map.entry("HalfStorage", DType.F16),
            Map.entry("BFloat16Storage", DType.BF16), Map.entry("DoubleStorage", DType.F64),
            Map.entry("LongStorage", DType.I64), Map.entry("IntStorage", DType.I32),
            Map.entry("ShortStorage", DType.I16), Map.entry("CharStorage", DType.I8),
            Map.entry("ByteStorage", DType.U8), Map.entry("BoolStorage", DType.BOOL));

    private TorchArchiveReader() {}

    /** What a storage GLOBAL stands for while unpickling. */
    private record StorageType(DType dtype) {}

    /** A type passed to {@code _rebuild_from_type_v2}; only plain tensors and parameters are accepted. */
    private record TensorType(String name) {}

    /**
     * Reads the parameters and buffers of a TorchScript archive or {@code torch.save}d state dict. No code in the
     * archive runs: the pickle is interpreted by a restricted machine that only rebuilds tensors and containers.
     *
     * @param file a zip-format {@code .pt} file; not null
     * @return the tensors under OpenAI's names (memory-mapped from the archive), with {@code input_resolution},
     *         {@code context_length} and {@code vocab_size} in the metadata for TorchScript archives
     * @throws CheckpointException if the file is not such an archive, is truncated or corrupt, or its pickle
     *     uses anything beyond tensors and plain containers
     */
    public static StateDict read(Path file) {
        requireNonNull(file, "file");
        try (ZipArchive zip = ZipArchive.open(file)) {
            String root = rootFolder(zip, file);
            checkByteOrder(zip, root, file);
            ZipArchive.Entry pickle = zip.entries().get(root + "data.pkl");
            byte[] bytes = zip.read(pickle, MAX_PICKLE_BYTES);
            Map<String, Mapped> storages = new HashMap<>();
            Object result = PickleMachine.load(bytes, file + ":" + pickle.name(), TorchArchiveReader::resolve,
                    pid -> loadStorage(pid, zip, root, storages, file));
            boolean torchScript = zip.entries().containsKey(root + "constants.pkl") || result instanceof Instance;
            if (torchScript) {
                return flattenTorchScript(result, declarations(zip, root, file), file);
            }
            return stateDict(result, file);
        }
    }

    /** The archive's top folder ({@code archive/} for torch.save, the file's stem for torch.jit.save). */
    private static String rootFolder(ZipArchive zip, Path file) {
        for (String name : zip.entries().keySet()) {
            if (name.endsWith("data.pkl")) {
                String root = name.substring(0, name.length() - "data.pkl".length());
                if (root.isEmpty() || (root.endsWith("/") && root.indexOf('/') == root.length() - 1)) {
                    return root;
                }
            }
        }
        throw new CheckpointException(file + ": a zip archive without data.pkl, so not a PyTorch checkpoint");
    }

    private static void checkByteOrder(ZipArchive zip, String root, Path file) {
        ZipArchive.Entry entry = zip.entries().get(root + "byteorder");
        if (entry != null) {
            String order = new String(zip.read(entry, 64), StandardCharsets.US_ASCII).trim();
            if (!order.equals("little")) {
                throw new CheckpointException(file + ": tensors are stored " + order
                        + "-endian; re-save the checkpoint on a little-endian machine");
            }
        }
    }

    /** The policy for the pickle's globals: tensors, storages, OrderedDict and TorchScript classes only. */
    private static Object resolve(String module, String name) {
        if (module.equals("torch") && STORAGE_TYPES.containsKey(name)) {
            return new StorageType(STORAGE_TYPES.get(name));
        }
        if (module.equals("collections") && name.equals("OrderedDict")) {
            return (PickleMachine.Callable) args -> new LinkedHashMap<>();
        }
        if (module.equals("torch._utils")) {
            switch (name) {
                case "_rebuild_tensor_v2", "_rebuild_tensor" -> {
                    return (PickleMachine.Callable) TorchArchiveReader::rebuildTensor;
                }
                case "_rebuild_parameter", "_rebuild_parameter_with_state" -> {
                    return (PickleMachine.Callable) args -> tensorArgument(args, 0, "_rebuild_parameter");
                }
                case "_rebuild_from_type_v2" -> {
                    return (PickleMachine.Callable) TorchArchiveReader::rebuildFromType;
                }
                default -> {
                    return null;
                }
            }
        }
        if ((module.equals("torch._tensor") || module.equals("torch")) && name.equals("Tensor")
                || module.equals("torch.nn.parameter") && name.equals("Parameter")) {
            return new TensorType(name);
        }
        if (module.startsWith("__torch__.") || module.equals("__torch__")) {
            return new PickleMachine.ClassRef(module + "." + name);
        }
        return null;
    }

    private static Object loadStorage(Object pid, ZipArchive zip, String root, Map<String, Mapped> storages,
                                      Path file) {
        if (!(pid instanceof Tuple t) || t.size() != 5 || !"storage".equals(t.get(0))
                || !(t.get(1) instanceof StorageType type) || !(t.get(2) instanceof String key)
                || !(t.get(4) instanceof Long numel)) {
            throw new CheckpointException(file + ": unsupported persistent id " + pid
                    + " (expected ('storage', type, key, location, numel))");
        }
        if (numel < 0) {
            throw new CheckpointException(file + ": storage " + key + " has a negative size");
        }
        Mapped mapped = storages.get(key);
        if (mapped == null) {
            ZipArchive.Entry entry = zip.entries().get(root + "data/" + key);
            if (entry == null) {
                throw new CheckpointException(file + ": storage " + key + " is missing (no entry " + root + "data/"
                        + key + "); the file is truncated or corrupt");
            }
            mapped = new Mapped(zip.map(entry), zip.dataOffset(entry));
            storages.put(key, mapped);
        }
        ByteBuffer bytes = mapped.bytes();
        long needed = Math.multiplyExact(numel, (long) type.dtype().byteSize());
        if (bytes.remaining() < needed) {
            throw new CheckpointException(file + ": storage " + key + " has " + bytes.remaining()
                    + " bytes but needs " + needed);
        }
        return new Storage(type.dtype(), bytes.duplicate().limit((int) needed).slice(), zip.origin(),
                mapped.fileOffset());
    }

    /** A storage entry's mapped bytes and where they start in the archive. */
    private record Mapped(ByteBuffer bytes, long fileOffset) {}

    /**
     * A storage with its element type: what {@code _rebuild_tensor_v2} views. {@code origin} is the archive
     * (or null), in which the bytes start at {@code fileOffset}.
     */
    private record Storage(DType dtype, ByteBuffer bytes, FileOrigin origin, long fileOffset) {}

    private static Object rebuildTensor(Tuple args) {
        if (args.size() < 4 || !(args.get(0) instanceof Storage storage) || !(args.get(1) instanceof Long offset)
                || !(args.get(2) instanceof Tuple size) || !(args.get(3) instanceof Tuple stride)) {
            throw new CheckpointException("_rebuild_tensor_v2 called with unexpected arguments " + args);
        }
        try {
            return HostTensors.view(storage.dtype(), storage.bytes(), offset, longs(size), longs(stride),
                    storage.origin(), storage.fileOffset());
        } catch (IllegalArgumentException | ArithmeticException e) {
            throw new CheckpointException("malformed tensor: " + e.getMessage());
        }
    }

    private static Object rebuildFromType(Tuple args) {
        if (args.size() < 3 || !(args.get(0) instanceof PickleMachine.Callable function)
                || !(args.get(1) instanceof TensorType) || !(args.get(2) instanceof Tuple functionArgs)) {
            throw new CheckpointException("_rebuild_from_type_v2 called with unexpected arguments " + args);
        }
        return function.call(functionArgs);
    }

    private static HostTensor tensorArgument(Tuple args, int index, String function) {
        if (args.size() <= index || !(args.get(index) instanceof HostTensor tensor)) {
            throw new CheckpointException(function + " called without a tensor");
        }
        return tensor;
    }

    private static long[] longs(Tuple tuple) {
        long[] out = new long[tuple.size()];
        for (int i = 0; i < out.length; i++) {
            if (!(tuple.get(i) instanceof Long value)) {
                throw new CheckpointException("tensor size or stride " + tuple + " is not a tuple of ints");
            }
            out[i] = value;
        }
        return out;
    }

    /**
     * For each TorchScript class, the attribute names its {@code code/} declares as parameters or buffers.
     * Classes whose source is missing get the fallback rule in {@link #isPersistent}.
     */
    private static Map<String, Set<String>> declarations(ZipArchive zip, String root, Path file) {
        Map<String, Set<String>> result = new HashMap<>();
        String codeRoot = root + "code/";
        long total = 0;
        for (ZipArchive.Entry entry : zip.entries().values()) {
            String name = entry.name();
            if (!name.startsWith(codeRoot) || !name.endsWith(".py")) {
                continue;
            }
            total += entry.size();
            if (total > MAX_TOTAL_CODE_BYTES) {
                throw new CheckpointException(file + ": more than " + MAX_TOTAL_CODE_BYTES
                        + " bytes of TorchScript code; not a CLIP model");
            }
            String module = name.substring(codeRoot.length(), name.length() - 3).replace('/', '.');
            String source = new String(zip.read(entry, MAX_CODE_BYTES), StandardCharsets.UTF_8);
            Matcher m = CLASS_DECLARATION.matcher(source);
            while (m.find()) {
                Set<String> names = new TreeSet<>();
                names.addAll(quoted(m.group(2)));
                names.addAll(quoted(m.group(3)));
                result.put(module + "." + m.group(1), names);
            }
        }
        return result;
    }

    private static List<String> quoted(String list) {
        List<String> out = new ArrayList<>();
        Matcher m = QUOTED.matcher(list);
        while (m.find()) {
            out.add(m.group(1));
        }
        return out;
    }

    private static StateDict flattenTorchScript(Object root, Map<String, Set<String>> declared, Path file) {
        if (!(root instanceof Instance module)) {
            throw new CheckpointException(file + ": TorchScript archive whose data.pkl holds a "
                    + PickleMachine.typeName(root) + ", not a module");
        }
        Map<String, HostTensor> tensors = new LinkedHashMap<>();
        flatten(module, "", declared, tensors, 0, file);
        Map<String, String> metadata = new LinkedHashMap<>();
        for (String name : DESCRIPTIVE_BUFFERS) {
            HostTensor t = tensors.get(name);
            if (t != null && t.numel() == 1 && !t.dtype().isFloatingPoint()) {
                tensors.remove(name);
                metadata.put(name, Long.toString(t.toLongArray()[0]));
            }
        }
        LOG.debug("{}: TorchScript archive with {} tensors, metadata {}", file, tensors.size(), metadata);
        return new StateDict(tensors, metadata, file.toString());
    }

    private static void flatten(Instance module, String prefix, Map<String, Set<String>> declared,
                                Map<String, HostTensor> out, int depth, Path file) {
        if (depth > MAX_MODULE_DEPTH) {
            throw new CheckpointException(file + ": TorchScript modules nested deeper than " + MAX_MODULE_DEPTH
                    + " levels at '" + prefix + "' (corrupt or cyclic)");
        }
        Set<String> persistent = declared.get(module.className());
        for (Map.Entry<String, Object> attribute : module.attributes().entrySet()) {
            String name = attribute.getKey();
            Object value = attribute.getValue();
            if (value instanceof HostTensor tensor) {
                if (persistent != null ? persistent.contains(name) : !NON_PERSISTENT.contains(name)) {
                    out.put(prefix + name, tensor);
                }
            } else if (value instanceof Instance child) {
                flatten(child, prefix + name + ".", declared, out, depth + 1, file);
            }
        }
    }

    /** The state dict inside a {@code torch.save} result: the dict itself or its {@code state_dict}/{@code model}. */
    private static StateDict stateDict(Object result, Path file) {
        Map<?, ?> dict = asDict(result, file);
        for (String key : List.of("state_dict", "model")) {
            if (!hasTensors(dict) && dict.get(key) instanceof Map<?, ?> nested) {
                dict = nested;
            }
        }
        Map<String, HostTensor> tensors = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : dict.entrySet()) {
            if (e.getKey() instanceof String name && e.getValue() instanceof HostTensor tensor) {
                tensors.put(name, tensor);
            } else {
                LOG.debug("{}: ignoring non-tensor entry '{}'", file, e.getKey());
            }
        }
        if (tensors.isEmpty()) {
            throw new CheckpointException(file + ": no tensors found (top-level keys " + keys(dict)
                    + "); expected a state dict, possibly under 'state_dict' or 'model'");
        }
        return new StateDict(stripPrefix(tensors, "module."), Map.of(), file.toString());
    }

    private static Map<?, ?> asDict(Object result, Path file) {
        if (result instanceof Map<?, ?> dict) {
            return dict;
        }
        throw new CheckpointException(file + ": torch.save of a " + PickleMachine.typeName(result)
                + ", not a state dict; save model.state_dict() instead");
    }

    private static boolean hasTensors(Map<?, ?> dict) {
        return dict.values().stream().anyMatch(HostTensor.class::isInstance);
    }

    private static String keys(Map<?, ?> dict) {
        List<String> keys = new ArrayList<>();
        for (Object key : dict.keySet()) {
            if (keys.size() == 10) {
                keys.add("...");
                break;
            }
            keys.add(String.valueOf(key));
        }
        return keys.toString();
    }

    /** Drops a prefix every name has, e.g. {@code module.} of {@code DistributedDataParallel}. */
    static Map<String, HostTensor> stripPrefix(Map<String, HostTensor> tensors, String prefix) {
        if (tensors.isEmpty() || !tensors.keySet().stream().allMatch(k -> k.startsWith(prefix))) {
            return tensors;
        }
        Map<String, HostTensor> out = new LinkedHashMap<>();
        tensors.forEach((k, v) -> out.put(k.substring(prefix.length()), v));
        return out;
    }
}
