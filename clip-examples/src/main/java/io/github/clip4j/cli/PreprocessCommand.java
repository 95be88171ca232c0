package io.github.clip4j.cli;

import io.github.clip4j.ImageDecoding;
import io.github.clip4j.internal.image.ClipPreprocessor;
import io.github.clip4j.internal.image.ImageDecoder;
import io.github.clip4j.internal.weights.HostTensor;
import io.github.clip4j.internal.weights.SafetensorsWriter;
import io.github.clip4j.internal.weights.StateDict;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code clip preprocess --size S --out FILE.safetensors IMAGE...}: CLIP's image transform, written as one F32
 * tensor {@code pixels} of shape {@code [N, 3, S, S]} (what the reference's {@code preprocess(Image.open(path))}
 * gives, stacked), for checking or for feeding another runtime.
 *
 * <p>Every image is decoded before the file is written, so a bad image leaves no file behind.
 */
@Command(name = "preprocess",
        mixinStandardHelpOptions = true,
        versionProvider = ClipCli.Version.class,
        description = {"Apply CLIP's image transform and write the pixels as safetensors.",
            "The transform: bicubic resize of the shorter side to S, center crop, RGB, normalize with CLIP's mean and"
                    + " std. FILE holds one F32 tensor 'pixels' of shape [N, 3, S, S], in the order of the arguments.",
            "Prints {\"images\": N}."})
final class PreprocessCommand implements Callable<Integer> {
    @ParentCommand
    private ClipCli cli;

    @Spec
    private CommandLine.Model.CommandSpec spec;

    /** The largest --size: far above any CLIP model's resolution (224 to 448), far below a heap blow-up. */
    static final int MAX_SIZE = 4096;
    /** The most floats one output tensor holds: a Java array's limit. */
    static final long MAX_FLOATS = Integer.MAX_VALUE - 8;

    @Option(names = "--size", paramLabel = "S", required = true,
            description = "Output resolution in pixels (224 for most models, 336 for ViT-L/14@336px).")
    private int size;

    @Option(names = "--out", paramLabel = "FILE", required = true, description = "The safetensors file to write.")
    private Path out;

    @Mixin
    private DecodeOption decode;

    @Parameters(paramLabel = "IMAGE", arity = "1..*", description = "Image files (PNG, JPEG, GIF, BMP, WebP).")
    private List<Path> images = new ArrayList<>();

    @Override
    public Integer call() {
        if (size < 1 || size > MAX_SIZE) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--size must be in [1, " + MAX_SIZE
                    + "] pixels, not " + size);
        }
        if ((long) images.size() * 3 * size * size > MAX_FLOATS) {
            throw new CommandLine.ParameterException(spec.commandLine(), images.size() + " images of --size "
                    + size + " make more floats than one tensor can hold (" + MAX_FLOATS + "); preprocess fewer images per file or use a smaller --size");
        }
        OutputFolder.require(out, "--out");
        int draftSize = decode.orDefault(ImageDecoding.EXACT) == ImageDecoding.FAST ? size : 0;
        ClipPreprocessor preprocessor = ClipPreprocessor.of(size);
        int pixels = preprocessor.pixelCount();
        float[] batch = new float[Math.multiplyExact(images.size(), pixels)];
        try (Progress progress = cli.progress("Preprocessing", images.size())) {
            for (int i = 0; i < images.size(); i++) {
                preprocessor.pixels(ImageDecoder.decode(images.get(i), draftSize), batch, i * pixels);
                progress.stepTo(i + 1);
            }
        }
        HostTensor tensor = HostTensor.ofFloats(new long[] {images.size(), 3, size, size}, batch);
        Map<String, String> metadata = new LinkedHashMap<>();
        metadata.put("images", Json.toJson(images.stream().map(Path::toString).toList()));
        metadata.put("size", Integer.toString(size));
        SafetensorsWriter.write(new StateDict(Map.of("pixels", tensor), Map.of(), out.toString()), out, metadata);
        Json.println(spec.commandLine().getOut(), Map.of("images", images.size()));
        spec.commandLine().getOut().flush();
        return 0;
    }
}
