package io.github.clip4j.cli;

import io.github.clip4j.ImageDecoding;
import io.github.clip4j.internal.ClipEngine;
import picocli.CommandLine.Option;

/** {@code --decode exact|fast}, shared by embed, classify, index and preprocess; each command has its default. */
final class DecodeOption {
    @Option(names = "--decode", paramLabel = "MODE",
            description = "How image files are decoded: exact (every pixel, as the reference; the default of embed,"
                    + " classify and preprocess) or fast (large JPEGs decoded at 1/2, 1/4 or 1/8 size by libjpeg-turbo"
                    + " before the same resize; the default of index).")
    ImageDecoding decoding;

    /**
     * The mode given, or the command's default; FAST is checked here, before any model is loaded.
     *
     * @param commandDefault what the command uses without {@code --decode}
     * @return the mode
     */
    ImageDecoding orDefault(ImageDecoding commandDefault) {
        return ClipEngine.checkDecoding(decoding != null ? decoding : commandDefault);
    }
}
