package io.github.clip4j.internal.training;

import io.github.clip4j.internal.runtime.Tensors;
import io.github.clip4j.training.TrainingException;
import io.github.clip4j.internal.io.AtomicFiles;
import java.io.IOException;
import java.lang.ref.Reference;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.ArchiveWriter;
import org.bytedeco.pytorch.InputArchive;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.OutputArchive;
import org.bytedeco.pytorch.Tensor;

/**
 * The file that lets an interrupted run continue exactly where it stopped: every parameter and buffer, the
 * AdamW state (moments and step counts, through libtorch's optimizer serialization) and the trainer's position.
 *
 * <p>Format: a libtorch archive ({@code torch::serialize::OutputArchive}, the format of C++ {@code torch::save})
 * with the tensor {@code clip4j/trainer} = {@code [version, step, seed, batchSize, trainPairs]} (int64), the
 * sub-archive {@code model} (tensors by parameter name) and the sub-archive {@code optimizer}. Written through
 * {@link AtomicFiles} (a unique temporary file, forced, renamed into place), so a crash while saving keeps the
 * previous file.
 */
@SuppressWarnings("try") // guards and scopes are used for their effect, not referenced
public final class ResumeFile {
    private static final long VERSION = 1;
    private static final String TRAINER = "clip4j/trainer";

    /** The trainer position stored with the weights. */
    public record Position(long step, long seed, long batchSize, long trainPairs) {}

    private ResumeFile() {}

    /**
     * Replaces {@code file} atomically (through {@link AtomicFiles}: a crash while saving keeps the previous file)
     * with the weights, the optimizer state and {@code position}.
     *
     * @throws TrainingException if the file cannot be written (its folder must exist)
     */
    public static void save(Path file, Map<String, Tensor> parameters, Map<String, Tensor> buffers,
            AdamWOptimizer optimizer, Position position) {
        try {
            AtomicFiles.write(file, channel -> write(channel, parameters, buffers, optimizer, position));
        } catch (IOException e) {
            throw new TrainingException("cannot write resume file " + file + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            throw new TrainingException("cannot write resume file " + file + ": " + e.getMessage(), e);
        }
    }

    private static void write(FileChannel channel, Map<String, Tensor> parameters, Map<String, Tensor> buffers,
            AdamWOptimizer optimizer, Position position) throws IOException {
        try (PointerScope scope = new PointerScope()) {
            OutputArchive root = new OutputArchive();
            root.write(TRAINER, Tensors.fromLongs(new long[] {VERSION, position.step(), position.seed(),
                    position.batchSize(), position.trainPairs()}, 5));
            OutputArchive model = new OutputArchive();
            parameters.forEach((name, t) -> model.write(name, t.detach(), false));
            buffers.forEach((name, t) -> model.write(name, t.detach(), true));
            root.write("model", model);
            OutputArchive state = new OutputArchive();
            optimizer.save(state);
            root.write("optimizer", state);
            ChannelWriter writer = new ChannelWriter(channel);
            try {
                root.save_to(writer);
            } finally {
                Reference.reachabilityFence(writer); // libtorch calls back into it until save_to returns
            }
            if (writer.failure != null) {
                throw writer.failure;
            }
        }
    }

    /**
     * Streams libtorch's archive bytes into the file, so a large model is never held in memory twice. An
     * exception cannot cross the native call: it is kept, libtorch is told nothing was written, and it is
     * rethrown after {@code save_to}.
     */
    private static final class ChannelWriter extends ArchiveWriter {
        private static final long CHUNK = 1 << 30;
        private final FileChannel channel;
        private IOException failure;

        ChannelWriter(FileChannel channel) {
            this.channel = channel;
        }

        @Override
        public long call(Pointer data, long size) {
            if (failure != null) {
                return 0;
            }
            try {
                BytePointer bytes = new BytePointer(data);
                for (long done = 0; done < size; done += CHUNK) {
                    long length = Math.min(CHUNK, size - done);
                    AtomicFiles.writeFully(channel, bytes.position(done).capacity(done + length).asByteBuffer());
                }
                return size;
            } catch (IOException e) {
                failure = e;
                return 0;
            }
        }
    }

    /**
     * Copies the saved weights into {@code parameters}/{@code buffers}, restores the optimizer state and returns
     * the position.
     *
     * @throws TrainingException if the file is unreadable or was written for another model or dataset
     */
    public static Position load(Path file, Map<String, Tensor> parameters, Map<String, Tensor> buffers,
            AdamWOptimizer optimizer) {
        if (!Files.isRegularFile(file)) {
            throw new TrainingException("resume file " + file + " does not exist; drop resumeFrom to start afresh");
        }
        try (PointerScope scope = new PointerScope()) {
            InputArchive root = new InputArchive();
            root.load_from(file.toString());
            Tensor header = new Tensor();
            if (!root.try_read(TRAINER, header)) {
                throw new TrainingException(file + " is not a clip4j resume file (no " + TRAINER + " entry)");
            }
            long[] h = Tensors.toLongArray(header);
            if (h.length != 5 || h[0] != VERSION) {
                throw new TrainingException(file + " is a resume file of an unsupported version: " + Arrays.toString(h));
            }
            InputArchive model = new InputArchive();
            root.read("model", model);
            copyInto(file, model, parameters, false);
            copyInto(file, model, buffers, true);
            InputArchive state = new InputArchive();
            root.read("optimizer", state);
            optimizer.load(state);
            return new Position(h[1], h[2], h[3], h[4]);
        } catch (TrainingException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new TrainingException("cannot read resume file " + file + ": " + e.getMessage(), e);
        }
    }

    private static void copyInto(Path file, InputArchive archive, Map<String, Tensor> targets, boolean buffers) {
        try (NoGradGuard guard = new NoGradGuard()) {
            for (Map.Entry<String, Tensor> entry : targets.entrySet()) {
                Tensor saved = new Tensor();
                if (!archive.try_read(entry.getKey(), saved, buffers)) {
                    throw new TrainingException("resume file " + file + " has no " + (buffers ? "buffer" : "parameter")
                            + " '" + entry.getKey() + "'; it was written for another model");
                }
                Tensor target = entry.getValue();
                if (!ContrastiveLoss.shape(saved).equals(ContrastiveLoss.shape(target))) {
                    throw new TrainingException("resume file " + file + ": '" + entry.getKey() + "' has shape "
                            + ContrastiveLoss.shape(saved) + " but the model's is " + ContrastiveLoss.shape(target)
                            + "; it was written for another model");
                }
                target.copy_(saved);
            }
        }
    }
}
