package io.github.clip4j.internal.image;

import static org.assertj.core.api.Assertions.assertThat;

import com.twelvemonkeys.imageio.color.ColorSpaces;
import java.awt.Transparency;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.IndexColorModel;
import java.awt.image.WritableRaster;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Random;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.metadata.IIOMetadata;
import javax.imageio.metadata.IIOMetadataNode;
import javax.imageio.stream.ImageOutputStream;
import org.junit.jupiter.api.Test;

/**
 * Formats and modes the fixtures do not cover, written with ImageIO's writers: the reference's values are unknown
 * for them, so these tests check the invariants Pillow's behaviour implies.
 */
class ImageDecoderFormatsTest {
    private static final Random RANDOM = new Random(42);

    // -------------------------------------------------------------------------------------------- GIF

    @Test
    void animatedGifDecodesTheFirstFrameAsPalette() throws IOException {
        IndexColorModel palette = new IndexColorModel(8, 4,
                new byte[] {0, (byte) 255, 0, 0}, new byte[] {0, 0, 0, (byte) 255}, new byte[] {0, 0, (byte) 255, 0});
        BufferedImage first = new BufferedImage(40, 30, BufferedImage.TYPE_BYTE_INDEXED, palette);
        BufferedImage second = new BufferedImage(40, 30, BufferedImage.TYPE_BYTE_INDEXED, palette);
        for (int y = 0; y < 30; y++) {
            for (int x = 0; x < 40; x++) {
                first.getRaster().setSample(x, y, 0, x < 20 ? 1 : 2); // red | blue
                second.getRaster().setSample(x, y, 0, 3); // green
            }
        }
        byte[] gif = writeSequence("gif", first, second);

        DecodedImage image = ImageDecoder.decode(gif, "anim.gif");
        assertThat(image.mode()).isEqualTo(PillowMode.P);
        assertThat(image.width()).isEqualTo(40);
        assertThat(image.height()).isEqualTo(30);
        for (int y = 0; y < 30; y++) {
            for (int x = 0; x < 40; x++) {
                int index = image.sample(x, y, 0);
                assertThat(index).isEqualTo(x < 20 ? 1 : 2);
            }
        }
        byte[] rgb = ClipPreprocessor.of(224).rgb(image);
        // Nearest neighbour (palette image): only the first frame's two colours, never a blend, never green.
        for (int i = 0; i < rgb.length; i += 3) {
            int r = rgb[i] & 0xFF;
            int g = rgb[i + 1] & 0xFF;
            int b = rgb[i + 2] & 0xFF;
            assertThat(g).isZero();
            assertThat(r + b).isEqualTo(255);
        }
    }

    @Test
    void gifWithAnIdentityGrayPaletteIsGrayscale() throws IOException {
        // Pillow ignores a palette whose entry i is (i, i, i): the image is mode L and resized with bicubic.
        byte[] ramp = {0, 1, 2, 3};
        IndexColorModel identity = new IndexColorModel(8, 4, ramp, ramp, ramp);
        BufferedImage frame = new BufferedImage(8, 8, BufferedImage.TYPE_BYTE_INDEXED, identity);
        for (int i = 0; i < 64; i++) {
            frame.getRaster().setSample(i % 8, i / 8, 0, i % 4);
        }
        DecodedImage image = ImageDecoder.decode(writeSequence("gif", frame), "gray.gif");
        assertThat(image.mode()).isEqualTo(PillowMode.L);
        assertThat(image.sample(3, 0, 0)).isEqualTo(3);
    }

    // -------------------------------------------------------------------------------------------- BMP

    @Test
    void rgbBmpRoundTripsExactly() throws IOException {
        BufferedImage source = randomImage(37, 23, BufferedImage.TYPE_3BYTE_BGR);
        DecodedImage image = ImageDecoder.decode(write("bmp", source), "rgb.bmp");
        assertThat(image.mode()).isEqualTo(PillowMode.RGB);
        assertSameRgb(image, source);
    }

    @Test
    void grayBmpIsGrayscaleAndColourPaletteBmpIsPalette() throws IOException {
        BufferedImage gray = randomImage(20, 10, BufferedImage.TYPE_BYTE_GRAY);
        DecodedImage grayImage = ImageDecoder.decode(write("bmp", gray), "gray.bmp");
        assertThat(grayImage.mode()).isEqualTo(PillowMode.L);
        for (int y = 0; y < 10; y++) {
            for (int x = 0; x < 20; x++) {
                assertThat(grayImage.sample(x, y, 0)).isEqualTo(gray.getRaster().getSample(x, y, 0));
            }
        }

        BufferedImage indexed = new BufferedImage(20, 10, BufferedImage.TYPE_BYTE_INDEXED); // 6x6x6 colour cube
        indexed.getRaster().setPixels(0, 0, 20, 10, RANDOM.ints(200, 0, 216).toArray());
        DecodedImage indexedImage = ImageDecoder.decode(write("bmp", indexed), "indexed.bmp");
        assertThat(indexedImage.mode()).isEqualTo(PillowMode.P);
        assertSameRgb(indexedImage, indexed);
    }

    // ------------------------------------------------------------------------------------------- WebP

    @Test
    void losslessWebpWithoutAlphaIsRgb() {
        DecodedImage image = ImageDecoder.decode(constantLosslessWebp(5, 3, 200, 100, 50, 255, false), "flat.webp");
        assertThat(image.mode()).isEqualTo(PillowMode.RGB);
        assertThat(image.width()).isEqualTo(5);
        assertThat(image.height()).isEqualTo(3);
        byte[] rgb = ClipPreprocessor.of(3).rgb(image);
        for (int i = 0; i < rgb.length; i += 3) {
            assertThat(new int[] {rgb[i] & 0xFF, rgb[i + 1] & 0xFF, rgb[i + 2] & 0xFF}).containsExactly(200, 100, 50);
        }
    }

    @Test
    void losslessWebpWithAlphaIsRgba() {
        DecodedImage image = ImageDecoder.decode(constantLosslessWebp(4, 4, 10, 20, 30, 128, true), "alpha.webp");
        assertThat(image.mode()).isEqualTo(PillowMode.RGBA);
        assertThat(new int[] {image.sample(1, 1, 0), image.sample(1, 1, 1), image.sample(1, 1, 2), image.sample(1, 1, 3)})
                .containsExactly(10, 20, 30, 128);
    }

    /**
     * A lossless WebP (VP8L) of one colour: no transforms, no colour cache, and five "simple" prefix codes of one
     * symbol each (green, red, blue, alpha, distance), so every pixel takes zero bits.
     */
    private static byte[] constantLosslessWebp(int width, int height, int r, int g, int b, int a, boolean alphaUsed) {
        BitWriter bits = new BitWriter();
        bits.write(0x2F, 8);
        bits.write(width - 1, 14);
        bits.write(height - 1, 14);
        bits.write(alphaUsed ? 1 : 0, 1);
        bits.write(0, 3); // version
        bits.write(0, 1); // no transform
        bits.write(0, 1); // no colour cache
        bits.write(0, 1); // no meta prefix codes
        for (int symbol : new int[] {g, r, b, a, 0}) {
            bits.write(1, 1); // simple code
            bits.write(0, 1); // one symbol
            bits.write(1, 1); // 8-bit symbol
            bits.write(symbol, 8);
        }
        byte[] data = bits.toByteArray();
        int padded = data.length + (data.length & 1);
        java.nio.ByteBuffer riff = java.nio.ByteBuffer.allocate(20 + padded).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        riff.put(new byte[] {'R', 'I', 'F', 'F'}).putInt(12 + padded).put(new byte[] {'W', 'E', 'B', 'P'});
        riff.put(new byte[] {'V', 'P', '8', 'L'}).putInt(data.length).put(data);
        return riff.array();
    }

    /** Least-significant-bit-first bit packing, as VP8L reads it. */
    private static final class BitWriter {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();
        private int current;
        private int used;

        void write(int value, int count) {
            for (int i = 0; i < count; i++) {
                current |= ((value >>> i) & 1) << used;
                if (++used == 8) {
                    out.write(current);
                    current = 0;
                    used = 0;
                }
            }
        }

        byte[] toByteArray() {
            if (used > 0) {
                out.write(current);
                current = 0;
                used = 0;
            }
            return out.toByteArray();
        }
    }

    // ------------------------------------------------------------------------------------------- JPEG

    @Test
    void grayJpegIsModeL() throws IOException {
        BufferedImage source = new BufferedImage(32, 16, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < 16; y++) {
            for (int x = 0; x < 32; x++) {
                source.getRaster().setSample(x, y, 0, x < 16 ? 40 : 210);
            }
        }
        DecodedImage image = ImageDecoder.decode(writeJpeg(source, "com.sun."), "gray.jpg");
        assertThat(image.mode()).isEqualTo(PillowMode.L);
        assertThat(image.sample(4, 4, 0)).isCloseTo(40, org.assertj.core.data.Offset.offset(2));
        assertThat(image.sample(28, 12, 0)).isCloseTo(210, org.assertj.core.data.Offset.offset(2));
    }

    @Test
    void adobeCmykJpegDecodesToPillowsCmyk() throws IOException {
        checkCmykJpeg("com.twelvemonkeys."); // writes inverted CMYK with an Adobe marker (transform 0)
    }

    @Test
    void adobeYcckJpegDecodesToPillowsCmyk() throws IOException {
        checkCmykJpeg("com.sun."); // the JDK writer stores CMYK as YCCK (Adobe transform 2)
    }

    private void checkCmykJpeg(String writerPackage) throws IOException {
        int[][] inks = {{200, 50, 100, 30}, {10, 50, 0, 30}, {0, 0, 0, 0}, {0, 120, 240, 90}};
        ColorSpace cmyk = ColorSpaces.getColorSpace(ColorSpaces.CS_GENERIC_CMYK);
        ComponentColorModel model = new ComponentColorModel(cmyk, false, false, Transparency.OPAQUE, DataBuffer.TYPE_BYTE);
        WritableRaster raster = model.createCompatibleWritableRaster(64, 16);
        for (int y = 0; y < 16; y++) {
            for (int x = 0; x < 64; x++) {
                raster.setPixel(x, y, inks[x / 16]);
            }
        }
        byte[] jpeg = writeJpeg(new BufferedImage(model, raster, false, null), writerPackage);

        DecodedImage image = ImageDecoder.decode(jpeg, "cmyk.jpg");
        assertThat(image.mode()).isEqualTo(PillowMode.CMYK);
        for (int block = 0; block < inks.length; block++) {
            int x = block * 16 + 8;
            for (int c = 0; c < 4; c++) {
                assertThat(image.sample(x, 8, c)).as("block %d ink %d", block, c).isCloseTo(inks[block][c],
                        org.assertj.core.data.Offset.offset(3));
            }
        }
        // convert("RGB") is Pillow's naive formula, R = (255 - K) * (255 - C) / 255: no ICC profile involved.
        DecodedImage square = squareCrop(image, 16 * 1, 16);
        byte[] rgb = ClipPreprocessor.of(16).rgb(square);
        int[] ink = inks[1];
        for (int c = 0; c < 3; c++) {
            int expected = (255 - ink[3]) * (255 - ink[c]) / 255;
            assertThat(rgb[(8 * 16 + 8) * 3 + c] & 0xFF).isCloseTo(expected, org.assertj.core.data.Offset.offset(4));
        }
    }

    // -------------------------------------------------------------------------------------------- PNG

    @Test
    void sixteenBitGrayPngIsModeIAndClipsTo255() throws IOException {
        BufferedImage source = new BufferedImage(30, 20, BufferedImage.TYPE_USHORT_GRAY);
        for (int y = 0; y < 20; y++) {
            for (int x = 0; x < 30; x++) {
                source.getRaster().setSample(x, y, 0, x < 15 ? 100 : 40_000);
            }
        }
        DecodedImage image = ImageDecoder.decode(write("png", source), "gray16.png");
        assertThat(image.mode()).isEqualTo(PillowMode.I);
        assertThat(image.sample(3, 3, 0)).isEqualTo(100);
        assertThat(image.sample(20, 3, 0)).isEqualTo(40_000);
        byte[] rgb = ClipPreprocessor.of(10).rgb(image); // 15x10 -> crop of the middle
        assertThat(rgb[0] & 0xFF).isEqualTo(100);
        assertThat(rgb[(10 * 9 + 9) * 3] & 0xFF).isEqualTo(255);
    }

    @Test
    void sixteenBitRgbPngKeepsTheHighBytes() throws IOException {
        ComponentColorModel model = new ComponentColorModel(ColorSpace.getInstance(ColorSpace.CS_sRGB), false, false,
                Transparency.OPAQUE, DataBuffer.TYPE_USHORT);
        WritableRaster raster = model.createCompatibleWritableRaster(8, 8);
        int[] values = RANDOM.ints(8 * 8 * 3, 0, 65536).toArray();
        raster.setPixels(0, 0, 8, 8, values);
        DecodedImage image = ImageDecoder.decode(write("png", new BufferedImage(model, raster, false, null)), "rgb16.png");
        assertThat(image.mode()).isEqualTo(PillowMode.RGB);
        for (int i = 0; i < 64; i++) {
            for (int c = 0; c < 3; c++) {
                assertThat(image.sample(i % 8, i / 8, c)).isEqualTo(values[i * 3 + c] >> 8);
            }
        }
    }

    @Test
    void rgbaIsResizedWithPremultipliedAlpha() throws IOException {
        // Left: fully transparent white; right: opaque black. Premultiplied, the white never bleeds into the
        // result (and transparent pixels keep their zero premultiplied colour); straight alpha would give grays.
        BufferedImage source = new BufferedImage(60, 40, BufferedImage.TYPE_INT_ARGB);
        for (int y = 0; y < 40; y++) {
            for (int x = 0; x < 60; x++) {
                source.setRGB(x, y, x < 30 ? 0x00FFFFFF : 0xFF000000);
            }
        }
        DecodedImage image = ImageDecoder.decode(write("png", source), "rgba.png");
        assertThat(image.mode()).isEqualTo(PillowMode.RGBA);
        byte[] rgb = ClipPreprocessor.of(25).rgb(image);
        assertThat(rgb).containsOnly((byte) 0);
    }

    @Test
    void grayAlphaPngIsLaAndOpaqueLaMatchesL() throws IOException {
        ComponentColorModel model = new ComponentColorModel(ColorSpace.getInstance(ColorSpace.CS_GRAY), true, false,
                Transparency.TRANSLUCENT, DataBuffer.TYPE_BYTE);
        WritableRaster raster = model.createCompatibleWritableRaster(33, 21);
        byte[] gray = new byte[33 * 21];
        for (int i = 0; i < gray.length; i++) {
            gray[i] = (byte) RANDOM.nextInt(256);
            raster.setPixel(i % 33, i / 33, new int[] {gray[i] & 0xFF, 255});
        }
        DecodedImage la = ImageDecoder.decode(write("png", new BufferedImage(model, raster, false, null)), "la.png");
        assertThat(la.mode()).isEqualTo(PillowMode.LA);
        ClipPreprocessor preprocessor = ClipPreprocessor.of(14);
        assertThat(preprocessor.rgb(la)).isEqualTo(preprocessor.rgb(DecodedImage.ofGray(33, 21, gray)));
    }

    @Test
    void lowBitDepthPalettePngKeepsItsIndices() throws IOException {
        IndexColorModel twoColours = new IndexColorModel(1, 2, new byte[] {(byte) 255, 0}, new byte[] {0, 0},
                new byte[] {0, (byte) 255});
        BufferedImage source = new BufferedImage(13, 7, BufferedImage.TYPE_BYTE_BINARY, twoColours);
        for (int y = 0; y < 7; y++) {
            for (int x = 0; x < 13; x++) {
                source.getRaster().setSample(x, y, 0, (x + y) % 2);
            }
        }
        DecodedImage image = ImageDecoder.decode(write("png", source), "binary-palette.png");
        assertThat(image.mode()).isEqualTo(PillowMode.P);
        assertSameRgb(image, source);
    }

    // ---------------------------------------------------------------------------------------- helpers

    private static void assertSameRgb(DecodedImage image, BufferedImage source) {
        assertThat(image.width()).isEqualTo(source.getWidth());
        assertThat(image.height()).isEqualTo(source.getHeight());
        ClipPreprocessor identity = ClipPreprocessor.of(Math.min(source.getWidth(), source.getHeight()));
        if (source.getWidth() != source.getHeight()) {
            image = squareCrop(image, 0, Math.min(source.getWidth(), source.getHeight()));
        }
        byte[] rgb = identity.rgb(image);
        int side = identity.size();
        for (int y = 0; y < side; y++) {
            for (int x = 0; x < side; x++) {
                int argb = source.getRGB(x, y);
                int o = (y * side + x) * 3;
                assertThat(new int[] {rgb[o] & 0xFF, rgb[o + 1] & 0xFF, rgb[o + 2] & 0xFF})
                        .as("pixel %d,%d", x, y)
                        .containsExactly((argb >> 16) & 0xFF, (argb >> 8) & 0xFF, argb & 0xFF);
            }
        }
    }

    /** A square {@code side x side} part of {@code image} starting at column {@code x0}, same mode. */
    private static DecodedImage squareCrop(DecodedImage image, int x0, int side) {
        int bands = image.mode().bands();
        byte[] samples = new byte[side * side * bands];
        for (int y = 0; y < side; y++) {
            for (int x = 0; x < side; x++) {
                for (int b = 0; b < bands; b++) {
                    samples[(y * side + x) * bands + b] = (byte) image.sample(x0 + x, y, b);
                }
            }
        }
        return new DecodedImage(side, side, image.mode(), samples, null,
                image.mode() == PillowMode.P ? image.palette() : null);
    }

    private static BufferedImage randomImage(int width, int height, int type) {
        BufferedImage image = new BufferedImage(width, height, type);
        WritableRaster raster = image.getRaster();
        int[] samples = RANDOM.ints(width * height * raster.getNumBands(), 0, 256).toArray();
        raster.setPixels(0, 0, width, height, samples);
        return image;
    }

    private static byte[] write(String format, BufferedImage image) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertThat(ImageIO.write(image, format, out)).as("a %s writer for %s", format, image).isTrue();
        return out.toByteArray();
    }

    private static byte[] writeSequence(String format, BufferedImage... frames) throws IOException {
        ImageWriter writer = ImageIO.getImageWritersByFormatName(format).next();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ImageOutputStream stream = ImageIO.createImageOutputStream(out)) {
            writer.setOutput(stream);
            writer.prepareWriteSequence(null);
            for (BufferedImage frame : frames) {
                ImageWriteParam param = writer.getDefaultWriteParam();
                IIOMetadata metadata = writer.getDefaultImageMetadata(ImageTypeSpecifier.createFromRenderedImage(frame), param);
                addLocalColorTable(metadata, (IndexColorModel) frame.getColorModel());
                writer.writeToSequence(new IIOImage(frame, null, metadata), param);
            }
            writer.endWriteSequence();
        } finally {
            writer.dispose();
        }
        return out.toByteArray();
    }

    /** The JDK's GIF writer otherwise stores a default colour table and the frame's raw indices. */
    private static void addLocalColorTable(IIOMetadata metadata, IndexColorModel colours) throws IOException {
        String format = "javax_imageio_gif_image_1.0";
        IIOMetadataNode root = (IIOMetadataNode) metadata.getAsTree(format);
        IIOMetadataNode table = new IIOMetadataNode("LocalColorTable");
        int size = Integer.highestOneBit(Math.max(2, colours.getMapSize() - 1)) * 2;
        table.setAttribute("sizeOfLocalColorTable", Integer.toString(size));
        table.setAttribute("sortFlag", "FALSE");
        for (int i = 0; i < size; i++) {
            IIOMetadataNode entry = new IIOMetadataNode("ColorTableEntry");
            int c = Math.min(i, colours.getMapSize() - 1);
            entry.setAttribute("index", Integer.toString(i));
            entry.setAttribute("red", Integer.toString(colours.getRed(c)));
            entry.setAttribute("green", Integer.toString(colours.getGreen(c)));
            entry.setAttribute("blue", Integer.toString(colours.getBlue(c)));
            table.appendChild(entry);
        }
        root.appendChild(table);
        metadata.setFromTree(format, root);
    }

    private static byte[] writeJpeg(BufferedImage image, String writerPackage) throws IOException {
        ImageWriter writer = TestJpegs.writer(writerPackage);
        assertThat(writer).as("a JPEG writer from %s", writerPackage).isNotNull();
        return TestJpegs.write(image, writer, false, 1f);
    }
}
