package io.github.clip4j.internal.image;

import io.github.clip4j.InvalidImageException;
import java.util.Locale;
import java.util.concurrent.Semaphore;

/**
 * The memory budget of image decoding in flight, shared by every thread that decodes (the decode pool, training's
 * loaders, callers of {@link ImageDecoder}): before decoding, a decoder takes permits for the bytes it will hold
 * (encoded file, decoder raster, decoded samples), estimated from the header, and gives them back when done. So a
 * folder of large images decodes a few at a time in bounded memory instead of eight 3 GB decodes at once, and an
 * image that alone needs more than the whole budget is refused before any pixel is decoded.
 *
 * <p>The budget is a third of the maximum heap (at least 32 MiB, at most 4 GiB). Pillow would decode such an
 * image (its limit is only on pixels); clip4j does not downscale while decoding, because ImageIO's subsampling
 * differs from Pillow's resize and the embeddings must match the reference: a too-large image is an error that
 * says how to fix it (a larger {@code -Xmx}, or a smaller image).
 */
final class DecodeBudget {
    private static final int UNIT = 1024; // permits count KiB
    static final long BYTES = Math.max(32L << 20, Math.min(4L << 30, Runtime.getRuntime().maxMemory() / 3));
    private static final Semaphore PERMITS = new Semaphore((int) (BYTES / UNIT), true);

    private DecodeBudget() {}

    /** Permits held while decoding; close to give them back. */
    static final class Permit implements AutoCloseable {
        private int units;

        private Permit(int units) {
            this.units = units;
        }

        @Override
        public void close() {
            if (units > 0) {
                PERMITS.release(units);
                units = 0;
            }
        }
    }

    /**
     * Waits until {@code bytes} of the budget are free and takes them.
     *
     * @throws InvalidImageException if {@code bytes} exceed the whole budget, or the thread is interrupted
     */
    static Permit acquire(String name, long bytes) {
        if (bytes > BYTES) {
            throw new InvalidImageException(String.format(Locale.ROOT,
                    "Image %s needs about %,d MB of memory to decode, more than the decoding budget of %,d MB"
                            + " (a third of the Java heap); give Java more memory (-Xmx) or downscale the image",
                    name, bytes >> 20, BYTES >> 20));
        }
        int units = (int) Math.max(1, (bytes + UNIT - 1) / UNIT);
        try {
            PERMITS.acquire(units);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InvalidImageException("Decoding " + name + " was interrupted", e);
        }
        return new Permit(units);
    }

    /** Free budget now, in bytes (for tests). */
    static long available() {
        return (long) PERMITS.availablePermits() * UNIT;
    }
}
