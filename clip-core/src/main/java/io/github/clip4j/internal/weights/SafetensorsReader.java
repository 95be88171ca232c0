package io.github.clip4j.internal.weights;

import io.github.clip4j.CheckpointException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads <a href="https://huggingface.co/docs/safetensors">safetensors</a> files: an 8-byte little-endian header
 * length, a JSON header ({@code name -> {dtype, shape, data_offsets}} plus optional {@code __metadata__}), then
 * the tensor bytes.
 *
 * <p>The tensor data is memory-mapped, not copied. Every header field is validated before use (header size
 * bounded, offsets inside the file, byte counts matching shapes), so a hostile or truncated file gets a
 * {@link CheckpointException} naming the file and the problem, never an out-of-memory or a wrong read.
 */
public final class SafetensorsReader {
    /** The reference implementation's own limit on the JSON header. */
    static final long MAX_HEADER_BYTES = 100L * 1024 * 1024;

    /** Duplicate keys are refused, as the format's own reader refuses them (Jackson would keep the last). */
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(com.fasterxml.jackson.core.JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

    private SafetensorsReader() {}

    /**
     * Reads all tensors and the metadata of {@code file}. The tensors map the file, which therefore must not be
     * modified while they are in use.
     *
     * @param file a {@code .safetensors} file; not null
     * @return every tensor in header order, with the header's {@code __metadata__} (or none) as metadata
     * @throws CheckpointException if the file is missing, unreadable, truncated or malformed
     */
    public static StateDict read(Path file) {
        String notRegular = io.github.clip4j.internal.FileKinds.notRegular(file);
        if (notRegular != null) {
            throw new CheckpointException("safetensors file " + file + " " + notRegular);
        }
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            return read(channel, file.toString(), FileOrigin.of(file));
        } catch (NoSuchFileException e) {
            throw new CheckpointException("safetensors file not found: " + file);
        } catch (IOException e) {
            throw new CheckpointException("cannot read safetensors file " + file + ": " + e.getMessage(), e);
        }
    }

    private static StateDict read(FileChannel channel, String name, FileOrigin origin) throws IOException {
        long size = channel.size();
        if (size < 8) {
            throw new CheckpointException(name + ": not a safetensors file (only " + size + " bytes)");
        }
        ByteBuffer lengthBytes = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        readFully(channel, lengthBytes, 0);
        long headerLength = lengthBytes.getLong(0);
        if (headerLength <= 0 || headerLength > MAX_HEADER_BYTES || headerLength > size - 8) {
            throw new CheckpointException(name + ": not a safetensors file or truncated (header length "
                    + Long.toUnsignedString(headerLength) + ", file size " + size + ")");
        }
        ByteBuffer headerBytes = ByteBuffer.allocate((int) headerLength);
        readFully(channel, headerBytes, 8);
        JsonNode header;
        try {
            header = JSON.readTree(new String(headerBytes.array(), StandardCharsets.UTF_8));
        } catch (JsonProcessingException e) {
            // Jackson's messages quote the offending text; name only where it is (never echo file content),
            // except for a duplicate key, which is the header's own field name.
            String problem = e.getOriginalMessage() != null && e.getOriginalMessage().startsWith("Duplicate field")
                    ? e.getOriginalMessage()
                    : "invalid JSON at byte " + (e.getLocation() == null ? "?" : e.getLocation().getCharOffset());
            throw new CheckpointException(name + ": corrupt safetensors header (" + problem + ")");
        }
        if (header == null || !header.isObject()) {
            throw new CheckpointException(name + ": corrupt safetensors header (not a JSON object)");
        }
        long dataStart = 8 + headerLength;
        long dataSize = size - dataStart;
        // One mapping of the whole data section when it fits a buffer: a header listing thousands of tensors
        // must not mean thousands of mappings (the kernel limits them).
        ByteBuffer data = dataSize > 0 && dataSize <= Integer.MAX_VALUE
                ? channel.map(FileChannel.MapMode.READ_ONLY, dataStart, dataSize) : null;
        Map<String, HostTensor> tensors = new LinkedHashMap<>();
        Map<String, String> metadata = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> field : header.properties()) {
            String key = field.getKey();
            JsonNode value = field.getValue();
            if (key.equals("__metadata__")) {
                if (!value.isObject()) {
                    throw new CheckpointException(name + ": corrupt safetensors header (__metadata__ is not an object)");
                }
                value.properties().forEach(m -> metadata.put(m.getKey(), m.getValue().asText()));
                continue;
            }
            tensors.put(key, tensor(channel, data, name, key, value, dataStart, dataSize, origin));
        }
        checkNoOverlap(tensors, name);
        return new StateDict(tensors, metadata, name);
    }

    /**
     * Refuses tensors whose byte ranges overlap, as the format's reader does: each byte of the data section
     * belongs to at most one tensor.
     */
    private static void checkNoOverlap(Map<String, HostTensor> tensors, String name) {
        record Range(String key, long begin, long end) {}
        java.util.List<Range> ranges = new java.util.ArrayList<>();
        tensors.forEach((key, t) -> {
            long bytes = t.data().remaining();
            if (bytes > 0) {
                ranges.add(new Range(key, t.originOffset(), t.originOffset() + bytes));
            }
        });
        ranges.sort(java.util.Comparator.comparingLong(Range::begin));
        for (int i = 1; i < ranges.size(); i++) {
            Range previous = ranges.get(i - 1);
            Range range = ranges.get(i);
            if (range.begin() < previous.end()) {
                throw new CheckpointException(name + ": tensors '" + previous.key() + "' and '" + range.key()
                        + "' overlap in the data section; the file is corrupt or crafted");
            }
        }
    }

    private static HostTensor tensor(FileChannel channel, ByteBuffer data, String file, String key, JsonNode entry,
                                     long dataStart, long dataSize, FileOrigin origin) throws IOException {
        JsonNode dtypeNode = entry.get("dtype");
        JsonNode shapeNode = entry.get("shape");
        JsonNode offsets = entry.get("data_offsets");
        if (dtypeNode == null || shapeNode == null || !shapeNode.isArray() || offsets == null
                || !offsets.isArray() || offsets.size() != 2) {
            throw new CheckpointException(file + ": tensor '" + key + "' has a malformed header entry");
        }
        DType dtype;
        try {
            dtype = DType.fromSafetensorsName(dtypeNode.asText());
        } catch (CheckpointException e) {
            throw new CheckpointException(file + ": tensor '" + key + "': " + e.getMessage());
        }
        long[] shape = new long[shapeNode.size()];
        for (int i = 0; i < shape.length; i++) {
            shape[i] = nonNegativeLong(shapeNode.get(i));
            if (shape[i] < 0) {
                throw new CheckpointException(file + ": tensor '" + key + "' has an invalid shape " + shapeNode);
            }
        }
        long begin = nonNegativeLong(offsets.get(0));
        long end = nonNegativeLong(offsets.get(1));
        long expected;
        try {
            expected = Math.multiplyExact(HostTensor.numel(shape), (long) dtype.byteSize());
        } catch (ArithmeticException e) {
            throw new CheckpointException(file + ": tensor '" + key + "' has an impossible shape " + shapeNode);
        }
        if (begin < 0 || end < begin || end > dataSize) {
            throw new CheckpointException(file + ": tensor '" + key + "' lies outside the file (offsets "
                    + begin + ".." + end + ", data size " + dataSize + "); the file is truncated or corrupt");
        }
        if (end - begin != expected) {
            throw new CheckpointException(file + ": tensor '" + key + "' has " + (end - begin)
                    + " bytes but shape " + shapeNode + " of " + dtype + " needs " + expected);
        }
        if (expected > Integer.MAX_VALUE) {
            throw new CheckpointException(file + ": tensor '" + key + "' is larger than 2 GiB");
        }
        ByteBuffer bytes;
        if (expected == 0) {
            bytes = ByteBuffer.allocate(0);
        } else if (data != null) {
            bytes = data.duplicate().position((int) begin).limit((int) end).slice();
        } else {
            bytes = channel.map(FileChannel.MapMode.READ_ONLY, dataStart + begin, expected);
        }
        return new HostTensor(dtype, shape, bytes.order(ByteOrder.LITTLE_ENDIAN), origin, dataStart + begin);
    }

    /** The node's value if it is a non-negative integer that fits a long, else -1. */
    private static long nonNegativeLong(JsonNode node) {
        return node.isIntegralNumber() && node.canConvertToLong() && node.asLong() >= 0 ? node.asLong() : -1;
    }

    private static void readFully(FileChannel channel, ByteBuffer buffer, long position) throws IOException {
        while (buffer.hasRemaining()) {
            int n = channel.read(buffer, position + buffer.position());
            if (n < 0) {
                throw new IOException("unexpected end of file");
            }
        }
        buffer.flip();
    }
}
