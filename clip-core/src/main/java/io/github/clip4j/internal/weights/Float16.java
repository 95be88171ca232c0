package io.github.clip4j.internal.weights;

/**
 * IEEE 754 half-precision conversions (Java 17 has no {@code Float.float16ToFloat}). A half is carried as the
 * raw bits in a {@code short}, as read from a little-endian F16 tensor. Stateless and thread-safe.
 *
 * <pre>{@code
 * short h = Float16.fromFloat(0.1f);   // 0x2e66
 * float f = Float16.toFloat(h);        // 0.0999755859375f
 * }</pre>
 */
public final class Float16 {
    private Float16() {}

    /**
     * The float value of the half-precision bits {@code h}; exact for every input, since every half is
     * representable as a float. Infinities stay infinite and NaN payloads are kept.
     *
     * @param h the 16 bits of an IEEE 754 half (sign, 5 exponent bits, 10 mantissa bits)
     * @return the same number as a float
     */
    public static float toFloat(short h) {
        int bits = h & 0xffff;
        int sign = (bits & 0x8000) << 16;
        int exponent = (bits >>> 10) & 0x1f;
        int mantissa = bits & 0x3ff;
        if (exponent == 0x1f) { // infinity or NaN
            return Float.intBitsToFloat(sign | 0x7f800000 | (mantissa << 13));
        }
        if (exponent == 0) {
            // Zero or subnormal: value = mantissa * 2^-24, exact in float.
            float magnitude = mantissa * 0x1p-24f;
            return sign == 0 ? magnitude : -magnitude;
        }
        return Float.intBitsToFloat(sign | ((exponent + 112) << 23) | (mantissa << 13));
    }

    /**
     * The half-precision bits nearest to {@code f}, rounding half to even like PyTorch's {@code .half()}.
     * Values beyond the half range (about &plusmn;65504) become infinities, values that round below the
     * smallest subnormal become signed zeros, and NaN stays NaN.
     *
     * @param f any float
     * @return the 16 bits of the nearest IEEE 754 half
     */
    public static short fromFloat(float f) {
        int bits = Float.floatToRawIntBits(f);
        int sign = (bits >>> 16) & 0x8000;
        int exponent = (bits >>> 23) & 0xff;
        int mantissa = bits & 0x7fffff;
        if (exponent == 0xff) {
            return (short) (sign | 0x7c00 | (mantissa != 0 ? 0x200 : 0));
        }
        int e = exponent - 127 + 15;
        if (e >= 0x1f) {
            return (short) (sign | 0x7c00);
        }
        if (e <= 0) {
            if (e < -10) {
                return (short) sign;
            }
            int m = mantissa | 0x800000;
            int shift = 14 - e;
            int half = m >>> shift;
            int remainder = m & ((1 << shift) - 1);
            int midpoint = 1 << (shift - 1);
            if (remainder > midpoint || (remainder == midpoint && (half & 1) != 0)) {
                half++;
            }
            return (short) (sign | half);
        }
        int half = (e << 10) | (mantissa >>> 13);
        int remainder = mantissa & 0x1fff;
        if (remainder > 0x1000 || (remainder == 0x1000 && (half & 1) != 0)) {
            half++; // may carry into the exponent, which is the correct rounding
        }
        return (short) (sign | half);
    }
}
