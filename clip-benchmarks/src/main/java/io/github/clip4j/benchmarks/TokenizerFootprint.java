package io.github.clip4j.benchmarks;

import io.github.clip4j.tokenizer.ClipTokenizer;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.util.List;

/**
 * The tokenizer's retained heap: used heap after a full GC, before and after loading the vocabulary, and after
 * tokenizing 100,000 texts (the word cache filled). Run with
 * {@code java -cp clip-benchmarks/target/benchmarks.jar io.github.clip4j.benchmarks.TokenizerFootprint}.
 */
public final class TokenizerFootprint {
    private TokenizerFootprint() {}

    public static void main(String[] args) {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        List<String> texts = BenchmarkData.shortTexts(TokenizerBenchmark.TEXTS, 1234);
        long before = usedAfterGc(memory);
        ClipTokenizer tokenizer = ClipTokenizer.load(BenchmarkData.vocabulary());
        long loaded = usedAfterGc(memory);
        long checksum = 0;
        for (String text : texts) {
            checksum += tokenizer.encode(text).length;
        }
        long warm = usedAfterGc(memory);
        System.out.printf("tokenizer heap: %.1f MB after loading, %.1f MB with a full word cache"
                + " (%d ids for %d texts; %s)%n", mb(loaded - before), mb(warm - before), checksum, texts.size(),
                tokenizer);
    }

    private static long usedAfterGc(MemoryMXBean memory) {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return memory.getHeapMemoryUsage().getUsed();
    }

    private static double mb(long bytes) {
        return bytes / (1024.0 * 1024.0);
    }
}
