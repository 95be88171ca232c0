package io.github.clip4j.internal.training;

import static java.util.Objects.requireNonNull;

import io.github.clip4j.internal.pipeline.DecodePipeline;
import io.github.clip4j.internal.pipeline.DecodedBatch;
import io.github.clip4j.internal.pipeline.ItemDecoder;
import io.github.clip4j.training.ImageTextPair;
import io.github.clip4j.training.TrainingException;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;

/**
 * A decoded batch ready to become tensors: pixels {@code [n, *imageShape]} in a direct native-order buffer (read
 * in place by libtorch) and token ids {@code [n, contextLength]}, row-major.
 *
 * @param pairs the pairs whose image was decoded, in batch order
 * @param pixels their pixels, from the decode pipeline
 * @param tokens their captions' ids
 * @param contextLength ids per caption
 */
public record HostBatch(List<ImageTextPair> pairs, FloatBuffer pixels, long[] tokens, int contextLength) {
    /** {@return the number of pairs} */
    public int size() {
        return pairs.size();
    }

    /**
     * The pairs a decode pipeline kept, with their captions tokenized.
     *
     * @param decoded a batch from the pipeline, not null
     * @param tokenizer turns captions into fixed-length rows, not null
     * @return the batch (empty if no image of it could be decoded)
     * @throws TrainingException if the tokenizer does not pad every caption to the same length
     */
    public static HostBatch of(DecodedBatch<ImageTextPair> decoded, CaptionTokenizer tokenizer) {
        requireNonNull(tokenizer, "tokenizer");
        List<ImageTextPair> pairs = decoded.items();
        if (pairs.isEmpty()) {
            return new HostBatch(List.of(), decoded.pixels(), new long[0], 0);
        }
        long[] tokens = null;
        int context = -1;
        for (int i = 0; i < pairs.size(); i++) {
            int[] ids = tokenizer.tokenize(pairs.get(i).caption());
            if (tokens == null) {
                context = ids.length;
                tokens = new long[context * pairs.size()];
            } else if (ids.length != context) {
                throw new TrainingException("the caption tokenizer returned " + ids.length + " ids for \""
                        + pairs.get(i).caption() + "\" but " + context + " for another caption; it must pad to a"
                        + " fixed context length");
            }
            for (int j = 0; j < context; j++) {
                tokens[i * context + j] = ids[j];
            }
        }
        return new HostBatch(pairs, decoded.pixels(), tokens, context);
    }

    /**
     * The batches of a pipeline stream with their captions tokenized; a decoding failure that is not already a
     * {@link TrainingException} (a broken loader, an interrupt) becomes one.
     *
     * @param decoded the pipeline's batches, not null
     * @param tokenizer turns captions into fixed-length rows, not null
     * @return an iterator for one thread
     */
    public static Iterator<HostBatch> stream(DecodePipeline.Batches<ImageTextPair> decoded,
            CaptionTokenizer tokenizer) {
        requireNonNull(decoded, "decoded");
        requireNonNull(tokenizer, "tokenizer");
        return new Iterator<>() {
            @Override
            public boolean hasNext() {
                return decoded.hasNext();
            }

            @Override
            public HostBatch next() {
                try {
                    return of(decoded.next(), tokenizer);
                } catch (TrainingException e) {
                    throw e;
                } catch (RuntimeException e) {
                    throw new TrainingException("decoding a batch failed: " + e.getMessage(), e);
                }
            }
        };
    }

    /**
     * {@return the pipeline's decoder of pairs: {@code images} loads each pair's image into its slot} An
     * {@link IOException} or {@code InvalidImageException} marks the image unreadable (skipped); anything else,
     * such as a {@link TrainingException} for a wrong pixel count, stops training.
     *
     * @param images the image loader, thread-safe, not null
     */
    public static ItemDecoder<ImageTextPair> decoder(ImageLoader images) {
        requireNonNull(images, "images");
        return new ItemDecoder<>() {
            @Override
            public void decode(ImageTextPair pair, FloatBuffer dst, int offset) throws IOException {
                dst.put(offset, images.load(pair.image()));
            }

            @Override
            public String name(ImageTextPair pair) {
                return pair.image().toString();
            }

            @Override
            public Path file(ImageTextPair pair) {
                return pair.image();
            }
        };
    }
}
