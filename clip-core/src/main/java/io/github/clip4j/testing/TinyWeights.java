package io.github.clip4j.testing;

import static io.github.clip4j.testing.TinyClip.CONTEXT_LENGTH;
import static io.github.clip4j.testing.TinyClip.EMBED_DIM;
import static io.github.clip4j.testing.TinyClip.IMAGE_SIZE;
import static io.github.clip4j.testing.TinyClip.PATCH_SIZE;
import static io.github.clip4j.testing.TinyClip.TEXT_LAYERS;
import static io.github.clip4j.testing.TinyClip.VISION_LAYERS;
import static io.github.clip4j.testing.TinyClip.VOCABULARY_SIZE;
import static io.github.clip4j.testing.TinyClip.WIDTH;

import io.github.clip4j.internal.weights.HostTensor;
import io.github.clip4j.internal.weights.StateDict;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Generates {@link TinyClip}'s weights: every tensor of OpenAI's ViT CLIP, filled from its own SplitMix64 stream
 * (seeded by the model seed and the tensor's name, so tensors do not depend on each other or on their order) with
 * uniform values of the standard deviations CLIP's {@code initialize_parameters} uses. Normalization weights are
 * near one and biases small but non-zero, so every parameter influences the output.
 */
final class TinyWeights {
    private static final int GRID = IMAGE_SIZE / PATCH_SIZE;
    private static final double ATTENTION_STD = Math.pow(WIDTH, -0.5);
    private static final double FC_STD = Math.pow(2 * WIDTH, -0.5);
    private static final double BIAS_STD = 0.02;
    /** CLIP's initial temperature: {@code exp(logit_scale) = 1 / 0.07}. */
    private static final float LOGIT_SCALE = (float) Math.log(1 / 0.07);

    private final long seed;
    private final Map<String, HostTensor> tensors = new LinkedHashMap<>();

    private TinyWeights(long seed) {
        this.seed = seed;
    }

    static StateDict generate(long seed, String source) {
        TinyWeights w = new TinyWeights(seed);
        w.random("positional_embedding", 0.01, CONTEXT_LENGTH, WIDTH);
        w.random("text_projection", ATTENTION_STD, WIDTH, EMBED_DIM);
        w.tensors.put("logit_scale", HostTensor.ofFloats(new long[0], new float[] {LOGIT_SCALE}));
        w.random("visual.class_embedding", ATTENTION_STD, WIDTH);
        w.random("visual.positional_embedding", ATTENTION_STD, GRID * GRID + 1, WIDTH);
        w.random("visual.proj", ATTENTION_STD, WIDTH, EMBED_DIM);
        w.random("visual.conv1.weight", Math.pow(3 * PATCH_SIZE * PATCH_SIZE, -0.5), WIDTH, 3, PATCH_SIZE, PATCH_SIZE);
        w.layerNorm("visual.ln_pre");
        w.blocks("visual.transformer", VISION_LAYERS);
        w.layerNorm("visual.ln_post");
        w.blocks("transformer", TEXT_LAYERS);
        w.random("token_embedding.weight", 0.02, VOCABULARY_SIZE, WIDTH);
        w.layerNorm("ln_final");
        return new StateDict(w.tensors, Map.of(), source);
    }

    private void blocks(String prefix, int layers) {
        double projectionStd = ATTENTION_STD * Math.pow(2 * layers, -0.5);
        for (int i = 0; i < layers; i++) {
            String block = prefix + ".resblocks." + i;
            random(block + ".attn.in_proj_weight", ATTENTION_STD, 3 * WIDTH, WIDTH);
            random(block + ".attn.in_proj_bias", BIAS_STD, 3 * WIDTH);
            random(block + ".attn.out_proj.weight", projectionStd, WIDTH, WIDTH);
            random(block + ".attn.out_proj.bias", BIAS_STD, WIDTH);
            layerNorm(block + ".ln_1");
            random(block + ".mlp.c_fc.weight", FC_STD, 4 * WIDTH, WIDTH);
            random(block + ".mlp.c_fc.bias", BIAS_STD, 4 * WIDTH);
            random(block + ".mlp.c_proj.weight", projectionStd, WIDTH, 4 * WIDTH);
            random(block + ".mlp.c_proj.bias", BIAS_STD, WIDTH);
            layerNorm(block + ".ln_2");
        }
    }

    private void layerNorm(String prefix) {
        float[] weight = values(prefix + ".weight", 0.1, WIDTH);
        for (int i = 0; i < weight.length; i++) {
            weight[i] += 1;
        }
        tensors.put(prefix + ".weight", HostTensor.ofFloats(new long[] {WIDTH}, weight));
        random(prefix + ".bias", BIAS_STD, WIDTH);
    }

    private void random(String name, double std, long... shape) {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        tensors.put(name, HostTensor.ofFloats(shape, values(name, std, Math.toIntExact(n))));
    }

    /** {@code n} values uniform in {@code [-a, a)} with {@code a = std * sqrt(3)}, i.e. standard deviation {@code std}. */
    private float[] values(String name, double std, int n) {
        SplitMix64 random = new SplitMix64(seed ^ SplitMix64.mix(nameHash(name)));
        double range = 2 * std * Math.sqrt(3);
        float[] out = new float[n];
        for (int i = 0; i < n; i++) {
            out[i] = (float) ((random.nextDouble() - 0.5) * range);
        }
        return out;
    }

    /** A 64-bit FNV-1a hash of the UTF-8 name: fixed by this code, not by any JDK's {@code hashCode}. */
    private static long nameHash(String name) {
        long h = 0xcbf29ce484222325L;
        for (byte b : name.getBytes(StandardCharsets.UTF_8)) {
            h = (h ^ (b & 0xFF)) * 0x100000001b3L;
        }
        return h;
    }

    /** Steele, Lea and Flood's SplitMix64: a tiny generator whose output is fixed by its definition. */
    private static final class SplitMix64 {
        private long state;

        SplitMix64(long seed) {
            this.state = seed;
        }

        static long mix(long z) {
            z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
            z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
            return z ^ (z >>> 31);
        }

        double nextDouble() {
            state += 0x9e3779b97f4a7c15L;
            return (mix(state) >>> 11) * 0x1.0p-53;
        }
    }
}
