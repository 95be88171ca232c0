package io.github.clip4j.internal.weights;

import io.github.clip4j.CheckpointException;
import io.github.clip4j.internal.io.AtomicFiles;
import static java.util.Objects.requireNonNull;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Writes a {@link StateDict} as a {@code torch.save}-compatible zip checkpoint that Python's
 * {@code torch.load(f)} (including {@code weights_only=True}) and {@link TorchArchiveReader} read:
 * {@code archive/data.pkl} (an {@code OrderedDict} of {@code _rebuild_tensor_v2} tensors, pickle protocol 2),
 * {@code archive/byteorder} ({@code little}), one {@code archive/data/<n>} per tensor and
 * {@code archive/version} ({@code 3}), all STORED and 64-byte aligned.
 *
 * <p>Written atomically (a temporary file, then a rename).
 *
 * <pre>{@code
 * TorchCheckpointWriter.write(weights, Path.of("fine-tuned.pt")); // then clip.load("fine-tuned.pt") in Python
 * }</pre>
 */
public final class TorchCheckpointWriter {
    private static final String ROOT = "archive/";
    private static final int ITEMS_PER_BATCH = 1000; // as Python's pickler batches SETITEMS

    private TorchCheckpointWriter() {}

    /**
     * Writes {@code weights} to {@code file} (metadata is not stored: a state dict has no place for it). The file
     * is written beside its target and renamed into place, so a failure leaves any existing file untouched.
     *
     * @param weights the tensors to store, keeping their dtypes; not null
     * @param file    the target path, conventionally ending in {@code .pt}; an existing file is replaced
     * @throws CheckpointException if the file cannot be written
     */
    public static void write(StateDict weights, Path file) {
        requireNonNull(weights, "weights");
        requireNonNull(file, "file");
        byte[] pickle = pickle(weights);
        try {
            AtomicFiles.write(file, channel -> {
                StoredZipWriter zip = new StoredZipWriter(channel);
                zip.add(ROOT + "data.pkl", ByteBuffer.wrap(pickle));
                zip.add(ROOT + "byteorder", ascii("little"));
                int key = 0;
                for (HostTensor tensor : weights.tensors().values()) {
                    zip.add(ROOT + "data/" + key++, tensor.data());
                }
                zip.add(ROOT + "version", ascii("3\n"));
                zip.finish();
            });
        } catch (java.io.IOException e) {
            throw new CheckpointException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    private static ByteBuffer ascii(String s) {
        return ByteBuffer.wrap(s.getBytes(StandardCharsets.US_ASCII));
    }

    static String storageType(DType dtype) {
        return switch (dtype) {
            case F64 -> "DoubleStorage";
            case F32 -> "FloatStorage";
            case F16 -> "HalfStorage";
            case BF16 -> "BFloat16Storage";
            case I64 -> "LongStorage";
            case I32 -> "IntStorage";
            case I16 -> "ShortStorage";
            case I8 -> "CharStorage";
            case U8 -> "ByteStorage";
            case BOOL -> "BoolStorage";
        };
    }

    private static byte[] pickle(StateDict weights) {
        PickleWriter p = new PickleWriter().proto(2);
        p.global("collections", "OrderedDict").emptyTuple().reduce();
        List<Map.Entry<String, HostTensor>> entries = new ArrayList<>(weights.tensors().entrySet());
        for (int start = 0; start < entries.size(); start += ITEMS_PER_BATCH) {
            p.mark();
            for (int i = start; i < Math.min(entries.size(), start + ITEMS_PER_BATCH); i++) {
                p.string(entries.get(i).getKey());
                tensor(p, entries.get(i).getValue(), i);
            }
            p.setItems();
        }
        return p.stop().toByteArray();
    }

    /** {@code _rebuild_tensor_v2(storage, 0, size, contiguous stride, False, OrderedDict())}. */
    private static void tensor(PickleWriter p, HostTensor tensor, int key) {
        p.global("torch._utils", "_rebuild_tensor_v2").mark();
        p.mark().string("storage").global("torch", storageType(tensor.dtype())).string(Integer.toString(key))
                .string("cpu").integer(tensor.numel()).tuple().persistentId();
        p.integer(0);
        long[] shape = tensor.shape();
        p.mark();
        for (long d : shape) {
            p.integer(d);
        }
        p.tuple().mark();
        long stride = 1;
        long[] strides = new long[shape.length];
        for (int i = shape.length - 1; i >= 0; i--) {
            strides[i] = stride;
            stride *= shape[i];
        }
        for (long s : strides) {
            p.integer(s);
        }
        p.tuple().bool(false).global("collections", "OrderedDict").emptyTuple().reduce().tuple().reduce();
    }
}
