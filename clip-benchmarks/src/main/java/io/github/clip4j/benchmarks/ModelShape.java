package io.github.clip4j.benchmarks;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The tensor names and shapes of OpenAI's released models (their {@code build_model} arguments), for writing
 * checkpoints with random weights of the real sizes.
 *
 * @param name          the released model's name
 * @param embedDim      joint embedding size
 * @param resolution    image side
 * @param visionLayers  one entry (ViT layers) or four (ResNet stages)
 * @param visionWidth   ViT width, or the ResNet stem width
 * @param patchSize     ViT patch size (0 for a ResNet)
 */
record ModelShape(String name, int embedDim, int resolution, List<Integer> visionLayers, int visionWidth,
                  int patchSize) {
    static final ModelShape VIT_B_32 = new ModelShape("ViT-B/32", 512, 224, List.of(12), 768, 32);
    static final ModelShape VIT_B_16 = new ModelShape("ViT-B/16", 512, 224, List.of(12), 768, 16);
    static final ModelShape RN50 = new ModelShape("RN50", 1024, 224, List.of(3, 4, 6, 3), 64, 0);

    private static final int CONTEXT = 77;
    private static final int VOCABULARY = 49408;
    private static final int TEXT_WIDTH = 512;
    private static final int TEXT_LAYERS = 12;

    /** The shape called {@code name} ({@code ViT-B/32}, {@code ViT-B/16}, {@code RN50}). */
    static ModelShape named(String name) {
        for (ModelShape shape : List.of(VIT_B_32, VIT_B_16, RN50)) {
            if (shape.name.equalsIgnoreCase(name)) {
                return shape;
            }
        }
        throw new IllegalArgumentException("unknown model shape " + name + "; use ViT-B/32, ViT-B/16 or RN50");
    }

    /** Every tensor of the OpenAI state dict, in order. */
    Map<String, long[]> tensors() {
        Map<String, long[]> shapes = new LinkedHashMap<>();
        shapes.put("positional_embedding", new long[] {CONTEXT, TEXT_WIDTH});
        shapes.put("text_projection", new long[] {TEXT_WIDTH, embedDim});
        shapes.put("logit_scale", new long[] {});
        if (patchSize > 0) {
            vision(shapes);
        } else {
            resnet(shapes);
        }
        blocks(shapes, "transformer.resblocks.", TEXT_LAYERS, TEXT_WIDTH);
        shapes.put("token_embedding.weight", new long[] {VOCABULARY, TEXT_WIDTH});
        layerNorm(shapes, "ln_final", TEXT_WIDTH);
        return shapes;
    }

    /** Parameters as fp32 bytes: what the loaded fp32 model holds. */
    long fp32Bytes() {
        long n = 0;
        for (long[] shape : tensors().values()) {
            n += numel(shape);
        }
        return 4 * n;
    }

    private void vision(Map<String, long[]> shapes) {
        long grid = resolution / patchSize;
        shapes.put("visual.class_embedding", new long[] {visionWidth});
        shapes.put("visual.positional_embedding", new long[] {grid * grid + 1, visionWidth});
        shapes.put("visual.proj", new long[] {visionWidth, embedDim});
        shapes.put("visual.conv1.weight", new long[] {visionWidth, 3, patchSize, patchSize});
        layerNorm(shapes, "visual.ln_pre", visionWidth);
        blocks(shapes, "visual.transformer.resblocks.", visionLayers.get(0), visionWidth);
        layerNorm(shapes, "visual.ln_post", visionWidth);
    }

    private void resnet(Map<String, long[]> shapes) {
        long w = visionWidth;
        conv(shapes, "visual.conv1", w / 2, 3, 3);
        batchNorm(shapes, "visual.bn1", w / 2);
        conv(shapes, "visual.conv2", w / 2, w / 2, 3);
        batchNorm(shapes, "visual.bn2", w / 2);
        conv(shapes, "visual.conv3", w, w / 2, 3);
        batchNorm(shapes, "visual.bn3", w);
        long inplanes = w;
        for (int stage = 0; stage < 4; stage++) {
            long planes = w << stage;
            for (int i = 0; i < visionLayers.get(stage); i++) {
                String p = "visual.layer" + (stage + 1) + "." + i + ".";
                conv(shapes, p + "conv1", planes, inplanes, 1);
                batchNorm(shapes, p + "bn1", planes);
                conv(shapes, p + "conv2", planes, planes, 3);
                batchNorm(shapes, p + "bn2", planes);
                conv(shapes, p + "conv3", planes * 4, planes, 1);
                batchNorm(shapes, p + "bn3", planes * 4);
                if (i == 0) { // stride 2 or a width change: the reference adds a downsampling shortcut
                    conv(shapes, p + "downsample.0", planes * 4, inplanes, 1);
                    batchNorm(shapes, p + "downsample.1", planes * 4);
                }
                inplanes = planes * 4;
            }
        }
        long spacial = resolution / 32;
        long embed = w * 32;
        shapes.put("visual.attnpool.positional_embedding", new long[] {spacial * spacial + 1, embed});
        for (String proj : List.of("k_proj", "q_proj", "v_proj")) {
            shapes.put("visual.attnpool." + proj + ".weight", new long[] {embed, embed});
            shapes.put("visual.attnpool." + proj + ".bias", new long[] {embed});
        }
        shapes.put("visual.attnpool.c_proj.weight", new long[] {embedDim, embed});
        shapes.put("visual.attnpool.c_proj.bias", new long[] {embedDim});
    }

    private static void blocks(Map<String, long[]> shapes, String prefix, int layers, long width) {
        for (int i = 0; i < layers; i++) {
            String p = prefix + i + ".";
            shapes.put(p + "attn.in_proj_weight", new long[] {3 * width, width});
            shapes.put(p + "attn.in_proj_bias", new long[] {3 * width});
            shapes.put(p + "attn.out_proj.weight", new long[] {width, width});
            shapes.put(p + "attn.out_proj.bias", new long[] {width});
            layerNorm(shapes, p + "ln_1", width);
            shapes.put(p + "mlp.c_fc.weight", new long[] {4 * width, width});
            shapes.put(p + "mlp.c_fc.bias", new long[] {4 * width});
            shapes.put(p + "mlp.c_proj.weight", new long[] {width, 4 * width});
            shapes.put(p + "mlp.c_proj.bias", new long[] {width});
            layerNorm(shapes, p + "ln_2", width);
        }
    }

    private static void layerNorm(Map<String, long[]> shapes, String prefix, long width) {
        shapes.put(prefix + ".weight", new long[] {width});
        shapes.put(prefix + ".bias", new long[] {width});
    }

    private static void conv(Map<String, long[]> shapes, String prefix, long out, long in, long kernel) {
        shapes.put(prefix + ".weight", new long[] {out, in, kernel, kernel});
    }

    private static void batchNorm(Map<String, long[]> shapes, String prefix, long channels) {
        for (String name : List.of("weight", "bias", "running_mean", "running_var")) {
            shapes.put(prefix + "." + name, new long[] {channels});
        }
    }

    static long numel(long[] shape) {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        return n;
    }
}
