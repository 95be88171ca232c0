package io.github.clip4j.internal.image;

import static org.bytedeco.opencv.global.opencv_core.CV_8U;
import static org.bytedeco.opencv.global.opencv_core.CV_8UC1;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_IGNORE_ORIENTATION;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_REDUCED_COLOR_2;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_REDUCED_COLOR_4;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_REDUCED_COLOR_8;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_REDUCED_GRAYSCALE_2;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_REDUCED_GRAYSCALE_4;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_REDUCED_GRAYSCALE_8;

import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicInteger;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.opencv.global.opencv_imgcodecs;
import org.bytedeco.opencv.opencv_core.Mat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The only class that touches OpenCV (an optional dependency): it is loaded when {@link FastJpegDecoder} first
 * needs it, so clip-core works without OpenCV on the class path as long as FAST is not used.
 */
final class OpenCvJpeg {
    private static final Logger LOG = LoggerFactory.getLogger(OpenCvJpeg.class);
    private static volatile String loadError = "not tried";

    private OpenCvJpeg() {}

    static boolean tryLoad() {
        try {
            Class.forName("org.bytedeco.opencv.global.opencv_imgcodecs", false, OpenCvJpeg.class.getClassLoader());
            Loader.load(opencv_imgcodecs.class);
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            loadError = e.toString();
            LOG.debug("OpenCV's imgcodecs is not available", e);
            return false;
        } catch (RuntimeException e) {
            loadError = e.toString();
            LOG.debug("OpenCV's imgcodecs could not be loaded", e);
            return false;
        }
    }

    static String loadError() {
        return loadError;
    }

    /**
     * libjpeg-turbo's DCT-scaled decoding at {@code 1/n}, EXIF orientation ignored; RGB (or gray) samples, or
     * {@code null} if the decoder refuses the file or its size is not {@code width x height}.
     */
    static byte[] decode(byte[] bytes, int n, boolean gray, int width, int height) {
        int flags = IMREAD_IGNORE_ORIENTATION | (gray
                ? (n == 2 ? IMREAD_REDUCED_GRAYSCALE_2 : n == 4 ? IMREAD_REDUCED_GRAYSCALE_4 : IMREAD_REDUCED_GRAYSCALE_8)
                : (n == 2 ? IMREAD_REDUCED_COLOR_2 : n == 4 ? IMREAD_REDUCED_COLOR_4 : IMREAD_REDUCED_COLOR_8));
        int channels = gray ? 1 : 3;
        Scratch scratch = Scratch.take(bytes.length);
        try {
            scratch.input.position(0).put(bytes, 0, bytes.length);
            Mat image;
            try (Mat encoded = new Mat(1, bytes.length, CV_8UC1, scratch.input)) {
                image = opencv_imgcodecs.imdecode(encoded, flags, scratch.image); // reuses scratch.image's pixels
            }
            try (image) { // another handle on scratch.image's pixels (refcounted by OpenCV), closed here
                if (image == null || image.empty() || image.cols() != width || image.rows() != height
                        || image.channels() != channels || image.depth() != CV_8U) {
                    return null;
                }
                return samples(image, width, height, channels, gray);
            }
        } catch (RuntimeException e) {
            LOG.debug("libjpeg-turbo refused a JPEG; decoding it exactly instead", e);
            return null;
        } finally {
            scratch.giveBack();
        }
    }

    private static byte[] samples(Mat image, int width, int height, int channels, boolean gray) {
        int rowBytes = width * channels;
        byte[] out = new byte[rowBytes * height];
        BytePointer pixels = image.data();
        long step = image.step();
        if (step == rowBytes) {
            pixels.get(out);
        } else {
            for (int y = 0; y < height; y++) {
                pixels.position(y * step).get(out, y * rowBytes, rowBytes);
            }
        }
        if (!gray) {
            for (int i = 0; i < out.length; i += 3) { // BGR -> RGB
                byte b = out[i];
                out[i] = out[i + 2];
                out[i + 2] = b;
            }
        }
        return out;
    }

    /**
     * The native buffers of one decode (the encoded file, the decoded pixels), kept in a small pool and reused:
     * allocating and freeing a few megabytes of differently sized native blocks per photo on every decode thread
     * fragmented glibc's arenas (the process's resident set crept up with the number of photos). At most
     * {@link #POOLED} sets are kept, each at most {@link #MAX_POOLED_BYTES} of input plus one reduced image; larger
     * or surplus sets are freed at once, never left to the garbage collector.
     */
    private static final class Scratch {
        private static final int POOLED = 4;
        private static final long MAX_POOLED_BYTES = 24L << 20;
        private static final ConcurrentLinkedDeque<Scratch> POOL = new ConcurrentLinkedDeque<>();
        private static final AtomicInteger POOL_SIZE = new AtomicInteger();

        private BytePointer input;
        private final Mat image = new Mat();

        static Scratch take(int length) {
            Scratch scratch = POOL.pollFirst();
            if (scratch != null) {
                POOL_SIZE.decrementAndGet();
            } else {
                scratch = new Scratch();
            }
            if (scratch.input == null || scratch.input.capacity() < length) {
                if (scratch.input != null) {
                    scratch.input.close();
                }
                // a little headroom, so photos a few bytes larger than the last do not reallocate
                scratch.input = new BytePointer(Math.max(length, Math.min(length + (length >> 3), MAX_POOLED_BYTES)));
            }
            return scratch;
        }

        void giveBack() {
            long imageBytes = image.empty() ? 0 : image.total() * image.elemSize();
            if (input.capacity() + imageBytes <= MAX_POOLED_BYTES && POOL_SIZE.incrementAndGet() <= POOLED) {
                POOL.offerFirst(this);
                return;
            }
            if (input.capacity() + imageBytes <= MAX_POOLED_BYTES) {
                POOL_SIZE.decrementAndGet();
            }
            input.close();
            image.close();
        }
    }
}
