package io.github.clip4j.internal.image;

/**
 * Pillow 9.4's {@code Image.resize} for the two filters the reference needs, bit-exact: bicubic
 * ({@code ImagingResample}: separable, antialiased, 8-bit images in fixed point) and nearest neighbour (the affine
 * scale path Pillow takes for palette and bilevel images).
 *
 * <p>Every method computes only a window of the resized image: each output pixel depends on its own coefficients
 * alone, so resizing the whole image and cropping afterwards gives the same samples, at a fraction of the cost.
 * The window is {@code [x0, x0 + cw) x [y0, y0 + ch)} in resized coordinates; results are row-major,
 * {@code bands} interleaved samples per pixel, {@code cw * ch * bands} long.
 */
final class PillowResampler {
    /** Fixed-point fraction bits of Pillow's 8-bit coefficients: 32 - 8 - 2 (two bits of headroom for overshoot). */
    private static final int PRECISION_BITS = 32 - 8 - 2;
    private static final double BICUBIC_SUPPORT = 2.0;

    private PillowResampler() {}

    /** Rectangle of the resized image to compute. */
    record Window(int x0, int y0, int width, int height) {
        Window {
            if (x0 < 0 || y0 < 0 || width < 1 || height < 1) {
                throw new IllegalArgumentException("bad window " + x0 + "," + y0 + " " + width + "x" + height);
            }
        }
    }

    /** Bicubic weights of one axis: for each output index, the first input index, the count, and the weights. */
    private static final class Axis {
        final int ksize;
        final int[] first;
        final int[] count;
        final double[] weights;

        Axis(int ksize, int outSize) {
            this.ksize = ksize;
            this.first = new int[outSize];
            this.count = new int[outSize];
            this.weights = new double[outSize * ksize];
        }

        /** The weights in Pillow's fixed point, rounded half away from zero. */
        int[] fixedPoint() {
            int[] fixed = new int[weights.length];
            double one = 1 << PRECISION_BITS;
            for (int i = 0; i < weights.length; i++) {
                double w = weights[i];
                fixed[i] = w < 0 ? (int) (-0.5 + w * one) : (int) (0.5 + w * one);
            }
            return fixed;
        }
    }

    private static double bicubic(double x) {
        // Keys' cubic convolution with a = -0.5, written in the same operation order as Pillow.
        double a = -0.5;
        if (x < 0.0) {
            x = -x;
        }
        if (x < 1.0) {
            return ((a + 2.0) * x - (a + 3.0)) * x * x + 1;
        }
        if (x < 2.0) {
            return (((x - 5) * x + 8) * x - 4) * a;
        }
        return 0.0;
    }

    /** Pillow's {@code precompute_coeffs} for the whole input range (box = 0..inSize). */
    private static Axis bicubicAxis(int inSize, int outSize) {
        // Pillow passes the box as C floats: the span is a float before it becomes a double.
        double scale = (double) (float) inSize / outSize;
        double filterscale = scale < 1.0 ? 1.0 : scale;
        double support = BICUBIC_SUPPORT * filterscale;
        int ksize = (int) Math.ceil(support) * 2 + 1;
        Axis axis = new Axis(ksize, outSize);
        double ss = 1.0 / filterscale;
        for (int xx = 0; xx < outSize; xx++) {
            double center = (xx + 0.5) * scale;
            int xmin = (int) (center - support + 0.5);
            if (xmin < 0) {
                xmin = 0;
            }
            int xmax = (int) (center + support + 0.5);
            if (xmax > inSize) {
                xmax = inSize;
            }
            xmax -= xmin;
            int base = xx * ksize;
            double ww = 0.0;
            for (int x = 0; x < xmax; x++) {
                double w = bicubic((x + xmin - center + 0.5) * ss);
                axis.weights[base + x] = w;
                ww += w;
            }
            if (ww != 0.0) {
                for (int x = 0; x < xmax; x++) {
                    axis.weights[base + x] /= ww;
                }
            }
            axis.first[xx] = xmin;
            axis.count[xx] = xmax;
        }
        return axis;
    }

    private static int clip8(int sum) {
        int v = sum >> PRECISION_BITS;
        return v < 0 ? 0 : Math.min(v, 255);
    }

    private static int roundHalfAway(double v) {
        // Pillow's ROUND_UP: the float 0.5F promoted to double.
        return (int) (v >= 0.0 ? v + 0.5 : v - 0.5);
    }

    /**
     * What both bicubic resizes work out before their passes: the weights of each axis that changes size (null for
     * an axis that keeps its size, whose pass is skipped as Pillow skips it) and the band of source rows
     * {@code [rowFirst, rowFirst + rowCount)} that the window's output rows read.
     */
    private record BicubicPlan(Axis horizontal, Axis vertical, int rowFirst, int rowCount) {
        static BicubicPlan of(int inW, int inH, int outW, int outH, Window window) {
            checkWindow(outW, outH, window);
            Axis horizontal = outW != inW ? bicubicAxis(inW, outW) : null;
            Axis vertical = outH != inH ? bicubicAxis(inH, outH) : null;
            if (vertical == null) {
                return new BicubicPlan(horizontal, null, window.y0(), window.height());
            }
            int first = Integer.MAX_VALUE;
            int end = 0;
            for (int yy = window.y0(); yy < window.y0() + window.height(); yy++) {
                first = Math.min(first, vertical.first[yy]);
                end = Math.max(end, vertical.first[yy] + vertical.count[yy]);
            }
            return new BicubicPlan(horizontal, vertical, first, end - first);
        }

        /** The source rows the horizontal pass reads, at the window's columns: what a skipped pass copies. */
        Window sourceBand(Window window) {
            return new Window(window.x0(), rowFirst, window.width(), rowCount);
        }
    }

    /**
     * One output sample of an 8-bit pass: {@code n} samples of {@code src} from index {@code p}, {@code stride}
     * apart, weighted by {@code k[kBase ..]} in fixed point, rounded and clamped to 0..255. Both passes share it;
     * one accumulator per call keeps the loop tight.
     */
    private static int convolve8(byte[] src, int p, int stride, int[] k, int kBase, int n) {
        int sum = 1 << (PRECISION_BITS - 1);
        for (int j = 0; j < n; j++, p += stride) {
            sum += (src[p] & 0xFF) * k[kBase + j];
        }
        return clip8(sum);
    }

    /**
     * One output sample of a 32-bit pass: as {@link #convolve8}, but summed in double with the double weights and
     * rounded half away from zero, as Pillow's 32-bit resampling does.
     */
    private static int convolve32(int[] src, int p, int stride, double[] weights, int kBase, int n) {
        double sum = 0.0;
        for (int j = 0; j < n; j++, p += stride) {
            sum += src[p] * weights[kBase + j];
        }
        return roundHalfAway(sum);
    }

    /**
     * Bicubic resize of an 8-bit image (modes L, LA, RGB, RGBA premultiplied, CMYK): a horizontal pass, then a
     * vertical one, each skipped when its dimension is unchanged, with the intermediate rounded to 8 bits.
     */
    static byte[] bicubic8(byte[] in, int inW, int inH, int bands, int outW, int outH, Window window) {
        BicubicPlan plan = BicubicPlan.of(inW, inH, outW, outH, window);
        int cw = window.width();
        int rowStride = cw * bands;

        // Horizontal pass over the source rows the window needs, only the window's columns.
        byte[] temp;
        Axis horizontal = plan.horizontal();
        if (horizontal != null) {
            temp = new byte[plan.rowCount() * rowStride];
            int[] k = horizontal.fixedPoint();
            for (int r = 0; r < plan.rowCount(); r++) {
                int rowBase = (plan.rowFirst() + r) * inW;
                for (int xx = 0; xx < cw; xx++) {
                    int outX = window.x0() + xx;
                    int start = (rowBase + horizontal.first[outX]) * bands;
                    int o = r * rowStride + xx * bands;
                    for (int b = 0; b < bands; b++) {
                        temp[o + b] = (byte) convolve8(in, start + b, bands, k, outX * horizontal.ksize,
                                horizontal.count[outX]);
                    }
                }
            }
        } else {
            temp = crop(in, inW, bands, plan.sourceBand(window));
        }
        Axis vertical = plan.vertical();
        if (vertical == null) {
            return temp;
        }

        byte[] out = new byte[window.height() * rowStride];
        int[] k = vertical.fixedPoint();
        for (int yy = 0; yy < window.height(); yy++) {
            int outY = window.y0() + yy;
            int start = (vertical.first[outY] - plan.rowFirst()) * rowStride;
            for (int i = 0; i < rowStride; i++) {
                out[yy * rowStride + i] = (byte) convolve8(temp, start + i, rowStride, k, outY * vertical.ksize,
                        vertical.count[outY]);
            }
        }
        return out;
    }

    /**
     * Bicubic resize of a 32-bit integer image (mode I): double-precision sums with unnormalized weights, each
     * pass rounded half away from zero to an int.
     */
    static int[] bicubic32(int[] in, int inW, int inH, int outW, int outH, Window window) {
        BicubicPlan plan = BicubicPlan.of(inW, inH, outW, outH, window);
        int cw = window.width();

        int[] temp;
        Axis horizontal = plan.horizontal();
        if (horizontal != null) {
            temp = new int[plan.rowCount() * cw];
            for (int r = 0; r < plan.rowCount(); r++) {
                int rowBase = (plan.rowFirst() + r) * inW;
                for (int xx = 0; xx < cw; xx++) {
                    int outX = window.x0() + xx;
                    temp[r * cw + xx] = convolve32(in, rowBase + horizontal.first[outX], 1, horizontal.weights,
                            outX * horizontal.ksize, horizontal.count[outX]);
                }
            }
        } else {
            temp = crop(in, inW, plan.sourceBand(window));
        }
        Axis vertical = plan.vertical();
        if (vertical == null) {
            return temp;
        }
        int[] out = new int[cw * window.height()];
        for (int yy = 0; yy < window.height(); yy++) {
            int outY = window.y0() + yy;
            int start = (vertical.first[outY] - plan.rowFirst()) * cw;
            for (int xx = 0; xx < cw; xx++) {
                out[yy * cw + xx] = convolve32(temp, start + xx, cw, vertical.weights, outY * vertical.ksize,
                        vertical.count[outY]);
            }
        }
        return out;
    }

    /**
     * The samples of {@code window} of an 8-bit image {@code width} pixels wide with {@code bands} samples per
     * pixel: a crop, and what a resize pass that keeps its axis's size leaves.
     */
    static byte[] crop(byte[] samples, int width, int bands, Window window) {
        byte[] out = new byte[window.width() * window.height() * bands];
        copyRows(samples, width * bands, window.x0() * bands, window.y0(), out, window.width() * bands,
                window.height());
        return out;
    }

    /** The samples of {@code window} of a 32-bit image {@code width} pixels wide: as the 8-bit {@code crop}. */
    static int[] crop(int[] samples, int width, Window window) {
        int[] out = new int[window.width() * window.height()];
        copyRows(samples, width, window.x0(), window.y0(), out, window.width(), window.height());
        return out;
    }

    /** Copies {@code rows} rows of {@code length} array elements, from column {@code x0} of row {@code y0} on. */
    private static void copyRows(Object src, int srcStride, int x0, int y0, Object dst, int length, int rows) {
        for (int r = 0; r < rows; r++) {
            System.arraycopy(src, (y0 + r) * srcStride + x0, dst, r * length, length);
        }
    }

    /**
     * Nearest-neighbour resize of an 8-bit image, as Pillow's {@code ImagingScaleAffine}: the source coordinate of
     * output pixel {@code x} is the running sum {@code scale/2 + x*scale} accumulated in doubles, truncated.
     */
    static byte[] nearest8(byte[] in, int inW, int inH, int bands, int outW, int outH, Window window) {
        checkWindow(outW, outH, window);
        int[] columns = nearestIndices(inW, outW);
        int[] rows = nearestIndices(inH, outH);
        int cw = window.width();
        int ch = window.height();
        byte[] out = new byte[cw * ch * bands];
        for (int yy = 0; yy < ch; yy++) {
            int rowBase = rows[window.y0() + yy] * inW;
            for (int xx = 0; xx < cw; xx++) {
                System.arraycopy(in, (rowBase + columns[window.x0() + xx]) * bands, out, (yy * cw + xx) * bands, bands);
            }
        }
        return out;
    }

    private static int[] nearestIndices(int inSize, int outSize) {
        double step = (double) (float) inSize / outSize;
        double position = 0.0 + step * 0.5;
        int[] indices = new int[outSize];
        for (int i = 0; i < outSize; i++) {
            int index = position < 0.0 ? -1 : (int) position;
            // Pillow leaves an out-of-range pixel uninitialised; it never happens for a plain resize, clamp anyway.
            indices[i] = Math.max(0, Math.min(inSize - 1, index));
            position += step;
        }
        return indices;
    }

    private static void checkWindow(int outW, int outH, Window window) {
        if (window.x0() + window.width() > outW || window.y0() + window.height() > outH) {
            throw new IllegalArgumentException("window " + window + " exceeds the resized size " + outW + "x" + outH);
        }
    }
}
