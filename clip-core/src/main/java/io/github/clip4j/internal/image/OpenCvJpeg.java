package io.github.clip4j.internal.image;

import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_IGNORE_ORIENTATION;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_REDUCED_COLOR_2;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_REDUCED_COLOR_4;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_REDUCED_COLOR_8;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_REDUCED_GRAYSCALE_2;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_REDUCED_GRAYSCALE_4;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_REDUCED_GRAYSCALE_8;

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
        try (BytePointer data = new BytePointer(bytes);
                Mat encoded = new Mat(1, bytes.length, org.bytedeco.opencv.global.opencv_core.CV_8UC1, data);
                Mat image = opencv_imgcodecs.imdecode(encoded, flags)) {
            if (image == null || image.empty() || image.cols() != width || image.rows() != height
                    || image.channels() != channels || image.depth() != org.bytedeco.opencv.global.opencv_core.CV_8U) {
                return null;
            }
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
        } catch (RuntimeException e) {
            LOG.debug("libjpeg-turbo refused a JPEG; decoding it exactly instead", e);
            return null;
        }
    }
}
