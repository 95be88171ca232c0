package io.github.clip4j.internal.image;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Iterator;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;

/** Writes test JPEGs with a chosen ImageIO writer (the JDK's or TwelveMonkeys'), for the decoder tests. */
final class TestJpegs {
    private TestJpegs() {}

    /** The last registered JPEG writer whose class is in {@code writerPackage}, or null if none is. */
    static ImageWriter writer(String writerPackage) {
        Iterator<ImageWriter> writers = ImageIO.getImageWritersByFormatName("jpeg");
        ImageWriter writer = null;
        while (writers.hasNext()) {
            ImageWriter candidate = writers.next();
            if (candidate.getClass().getName().startsWith(writerPackage)) {
                writer = candidate;
            }
        }
        return writer;
    }

    /** Encodes {@code image} with {@code writer} at {@code quality}, progressive or baseline; disposes the writer. */
    static byte[] write(BufferedImage image, ImageWriter writer, boolean progressive, float quality) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ImageOutputStream stream = ImageIO.createImageOutputStream(out)) {
            writer.setOutput(stream);
            ImageWriteParam param = writer.getDefaultWriteParam();
            param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
            param.setCompressionQuality(quality);
            if (progressive) {
                param.setProgressiveMode(ImageWriteParam.MODE_DEFAULT);
            }
            writer.write(null, new IIOImage(image, null, null), param);
        } finally {
            writer.dispose();
        }
        return out.toByteArray();
    }
}
