package io.github.clip4j.internal.weights;

import io.github.clip4j.CheckpointException;
import static java.util.Objects.requireNonNull;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Named tensors with OpenAI's parameter names ({@code visual.conv1.weight}, {@code token_embedding.weight},
 * ...), the one form every checkpoint reader produces and every model builder consumes, plus string metadata.
 *
 * <p>Immutable and thread-safe; insertion order is the checkpoint's.
 *
 * <pre>{@code
 * StateDict weights = CheckpointReader.read(Path.of("ViT-B-32.pt"));
 * long width = weights.get("visual.conv1.weight").dim(0);   // 768
 * boolean resnet = weights.contains("visual.layer1.0.conv1.weight");
 * }</pre>
 */
public final class StateDict {
    private final Map<String, HostTensor> tensors;
    private final Map<String, String> metadata;
    private final String source;

    /**
     * Named tensors and metadata (both copied into unmodifiable maps; the tensors themselves are immutable).
     *
     * @param tensors  the tensors by parameter name, in checkpoint order; not null
     * @param metadata descriptive string values (may be empty); not null
     * @param source   what the tensors came from (a file name), used in error messages; not null
     */
    public StateDict(Map<String, HostTensor> tensors, Map<String, String> metadata, String source) {
        this.tensors = Collections.unmodifiableMap(new LinkedHashMap<>(requireNonNull(tensors, "tensors")));
        this.metadata = Collections.unmodifiableMap(new LinkedHashMap<>(requireNonNull(metadata, "metadata")));
        this.source = requireNonNull(source, "source");
    }

    /**
     * The tensor named {@code name}.
     *
     * @param name an OpenAI parameter name such as {@code "visual.proj"}
     * @return the tensor; never null
     * @throws CheckpointException naming the tensor and the source if absent
     */
    public HostTensor get(String name) {
        HostTensor t = tensors.get(name);
        if (t == null) {
            throw new CheckpointException(source + ": missing tensor '" + name + "'");
        }
        return t;
    }

    /**
     * Whether a tensor named {@code name} is present; use it for optional parameters instead of catching
     * {@link #get}'s exception.
     *
     * @param name an OpenAI parameter name
     * @return {@code true} if {@link #get} would return a tensor
     */
    public boolean contains(String name) {
        return tensors.containsKey(name);
    }

    /**
     * Tensor names in checkpoint order.
     *
     * @return an unmodifiable view of the names
     */
    public Set<String> names() {
        return tensors.keySet();
    }

    /**
     * All tensors by name, in checkpoint order.
     *
     * @return an unmodifiable map
     */
    public Map<String, HostTensor> tensors() {
        return tensors;
    }

    /**
     * String metadata (unmodifiable): safetensors' {@code __metadata__}, or what a reader derived, e.g.
     * {@code input_resolution}, {@code context_length}, {@code vocab_size} (see {@link CheckpointReader}).
     *
     * @return an unmodifiable map, empty when the checkpoint has no metadata
     */
    public Map<String, String> metadata() {
        return metadata;
    }

    /**
     * What the tensors came from, for messages.
     *
     * @return the source given at construction, typically the checkpoint's path
     */
    public String source() {
        return source;
    }

    /**
     * The number of tensors.
     *
     * @return how many named tensors this holds
     */
    public int size() {
        return tensors.size();
    }

    @Override
    public String toString() {
        return "StateDict[" + source + ", " + tensors.size() + " tensors: " + new TreeSet<>(tensors.keySet()) + "]";
    }
}
