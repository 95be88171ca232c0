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
    /** OpenAI's largest release (ViT-L/14@336px) has under 200 KB of code; a code file is read only up to this. */
    static final long MAX_CODE_BYTES = 4L * 1024 * 1024;
    private static final long MAX_TOTAL_CODE_BYTES = 32L * 1024 * 1024;
    private static final int MAX_MODULE_DEPTH = 64;
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
            // Views that need a copy (transposed, expanded) may together materialize no more bytes than the
            // archive holds: a legitimate checkpoint copies each stored byte at most once.
            CopyBudget budget = new CopyBudget(zip.size() + (1L << 20));
            Object result = PickleMachine.load(bytes, file + ":" + pickle.name(),
                    (module, name) -> resolve(module, name, budget),
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
    private static Object resolve(String module, String name, CopyBudget budget) {
        if (module.equals("torch") && STORAGE_TYPES.containsKey(name)) {
            return new StorageType(STORAGE_TYPES.get(name));
        }
        if (module.equals("collections") && name.equals("OrderedDict")) {
            return (PickleMachine.Callable) args -> new LinkedHashMap<>();
        }
        if (module.equals("torch._utils")) {
            switch (name) {
                case "_rebuild_tensor_v2", "_rebuild_tensor" -> {
                    return (PickleMachine.Callable) args -> rebuildTensor(args, budget);
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
            throw new CheckpointException(file + ": unsupported persistent id " + PickleMachine.summary(pid)
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

    /** The bytes that strided views may still copy into the heap during one read. */
    private static final class CopyBudget {
        private long remaining;

        CopyBudget(long bytes) {
            this.remaining = bytes;
        }

        void charge(long bytes, long[] size) {
            if (bytes > remaining) {
                throw new CheckpointException("a strided tensor view of shape " + java.util.Arrays.toString(size)
                        + " would be copied into " + bytes + " bytes, more than the archive's own tensor data allows;"
                        + " the file is corrupt or malicious");
            }
            remaining -= bytes;
        }
    }

    private static Object rebuildTensor(Tuple args, CopyBudget budget) {
        if (args.size() < 4 || !(args.get(0) instanceof Storage storage) || !(args.get(1) instanceof Long offset)
                || !(args.get(2) instanceof Tuple size) || !(args.get(3) instanceof Tuple stride)) {
            throw new CheckpointException("_rebuild_tensor_v2 called with unexpected arguments "
                    + PickleMachine.summary(args));
        }
        long[] sizes = longs(size);
        long[] strides = longs(stride);
        try {
            if (sizes.length == strides.length && !HostTensors.isContiguous(sizes, strides)) {
                budget.charge(Math.multiplyExact(HostTensor.numel(sizes), (long) storage.dtype().byteSize()), sizes);
            }
            return HostTensors.view(storage.dtype(), storage.bytes(), offset, sizes, strides,
                    storage.origin(), storage.fileOffset());
        } catch (IllegalArgumentException | ArithmeticException e) {
            throw new CheckpointException("malformed tensor: " + e.getMessage());
        }
    }

    private static Object rebuildFromType(Tuple args) {
        if (args.size() < 3 || !(args.get(0) instanceof PickleMachine.Callable function)
                || !(args.get(1) instanceof TensorType) || !(args.get(2) instanceof Tuple functionArgs)) {
            throw new CheckpointException("_rebuild_from_type_v2 called with unexpected arguments "
                    + PickleMachine.summary(args));
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
            scanDeclarations(source, module, result);
        }
        return result;
    }

    /**
     * Finds every {@code class NAME(Module):} line followed (after blank space) by
     * {@code __parameters__ = [...]} and {@code __buffers__ = [...]}, in one forward pass: each character is looked
     * at a bounded number of times, so 16 million newlines cost milliseconds, not hours (a backtracking regex over
     * {@code \s*\n\s+} was quadratic).
     */
    static void scanDeclarations(String source, String module, Map<String, Set<String>> result) {
        int n = source.length();
        int lineStart = 0;
        while (lineStart < n) {
            int lineEnd = source.indexOf('\n', lineStart);
            if (lineEnd < 0) {
                lineEnd = n;
            }
            int next = lineEnd + 1;
            if (source.startsWith("class ", lineStart)) {
                int nameStart = lineStart + 6;
                int nameEnd = nameStart;
                while (nameEnd < lineEnd && (Character.isLetterOrDigit(source.charAt(nameEnd))
                        || source.charAt(nameEnd) == '_')) {
                    nameEnd++;
                }
                if (nameEnd > nameStart && source.startsWith("(Module):", nameEnd)) {
                    int[] at = {nameEnd + "(Module):".length()};
                    String parameters = assignment(source, at, "__parameters__ = [");
                    String buffers = parameters == null ? null : assignment(source, at, "__buffers__ = [");
                    if (buffers != null) {
                        Set<String> names = new TreeSet<>();
                        names.addAll(quoted(parameters));
                        names.addAll(quoted(buffers));
                        result.put(module + "." + source.substring(nameStart, nameEnd), names);
                    }
                    // Scanning never moves backwards: the next line to look at is after what was consumed.
                    next = Math.max(next, at[0]);
                }
            }
            lineStart = next;
        }
    }

    /**
     * At {@code at[0]}: white space holding a newline, then indentation, then {@code prefix}, a list up to
     * {@code ]} on the same line. Returns the list's content and moves {@code at[0]} past it, or returns null (moving past the
     * white space only, which is never scanned again).
     */
    private static String assignment(String source, int[] at, String prefix) {
        int n = source.length();
        int p = at[0];
        boolean newline = false;
        int indent = 0;
        while (p < n && Character.isWhitespace(source.charAt(p))) {
            if (source.charAt(p) == '\n') {
                newline = true;
                indent = 0;
            } else {
                indent++;
            }
            p++;
        }
        at[0] = p;
        if (!newline || indent == 0 || !source.startsWith(prefix, p)) {
            return null;
        }
        int open = p + prefix.length();
        int lineEnd = source.indexOf('\n', open);
        lineEnd = lineEnd < 0 ? n : lineEnd;
        int close = open;
        while (close < lineEnd && source.charAt(close) != ']') {
            close++;
        }
        if (close >= lineEnd) { // the list is on one line, as TorchScript writes it
            at[0] = lineEnd;
            return null;
        }
        at[0] = close + 1;
        return source.substring(open, close);
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
