package io.github.clip4j.internal.image;

/**
 * What a JPEG's markers say before the scan data: the frame size, the components and the colour space libjpeg
 * infers from JFIF/Adobe markers and component ids ({@code jdapimin.c default_decompress_parms}).
 */
record JpegHeader(int width, int height, int components, ColorSpace colorSpace) {
    /** The colour space of the coded samples. */
    enum ColorSpace { GRAY, YCBCR, RGB, CMYK, YCCK }

    /** Parses the markers up to the first scan; {@code null} if there is no frame header before it. */
    static JpegHeader parse(byte[] b) {
        boolean jfif = false;
        int adobeTransform = -1;
        int pos = 2;
        while (pos + 4 <= b.length) {
            if ((b[pos] & 0xFF) != 0xFF) {
                return null;
            }
            int marker = b[pos + 1] & 0xFF;
            if (marker == 0xFF) { // fill byte
                pos++;
                continue;
            }
            int length = ((b[pos + 2] & 0xFF) << 8) | (b[pos + 3] & 0xFF);
            int body = pos + 4;
            if (length < 2 || body + length - 2 > b.length) {
                return null;
            }
            if (marker == 0xE0 && length >= 7 && matches(b, body, "JFIF")) {
                jfif = true;
            } else if (marker == 0xEE && length >= 14 && matches(b, body, "Adobe")) {
                adobeTransform = b[body + 11] & 0xFF;
            } else if (isStartOfFrame(marker) && length >= 8) {
                int height = ((b[body + 1] & 0xFF) << 8) | (b[body + 2] & 0xFF);
                int width = ((b[body + 3] & 0xFF) << 8) | (b[body + 4] & 0xFF);
                int components = b[body + 5] & 0xFF;
                if (length < 8 + 3 * components) {
                    return null;
                }
                int[] ids = new int[components];
                for (int i = 0; i < components; i++) {
                    ids[i] = b[body + 6 + 3 * i] & 0xFF;
                }
                return new JpegHeader(width, height, components, colorSpace(ids, jfif, adobeTransform));
            } else if (marker == 0xDA) {
                return null;
            }
            pos = body + length - 2;
        }
        return null;
    }

    private static ColorSpace colorSpace(int[] ids, boolean jfif, int adobeTransform) {
        switch (ids.length) {
            case 1:
                return ColorSpace.GRAY;
            case 3:
                if (jfif) {
                    return ColorSpace.YCBCR;
                }
                if (adobeTransform >= 0) {
                    return adobeTransform == 0 ? ColorSpace.RGB : ColorSpace.YCBCR;
                }
                if (ids[0] == 'R' && ids[1] == 'G' && ids[2] == 'B') {
                    return ColorSpace.RGB;
                }
                return ColorSpace.YCBCR;
            case 4:
                return adobeTransform == 2 ? ColorSpace.YCCK : ColorSpace.CMYK;
            default:
                return null;
        }
    }

    private static boolean isStartOfFrame(int marker) {
        return marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
    }

    private static boolean matches(byte[] b, int offset, String ascii) {
        for (int i = 0; i < ascii.length(); i++) {
            if (b[offset + i] != ascii.charAt(i)) {
                return false;
            }
        }
        return true;
    }
}
