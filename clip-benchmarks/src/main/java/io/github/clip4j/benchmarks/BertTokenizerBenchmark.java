package io.github.clip4j.benchmarks;

import io.github.clip4j.tokenizer.BertWordPieceTokenizer;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Chinese-CLIP tokenizer throughput on one thread, in texts per second: 100,000 short texts (one to three texts of
 * the golden Chinese corpus, see {@code BenchmarkData.cnShortTexts}) per invocation, with the vocabulary bundled in
 * the clip-tokenizer jar. {@code tokenize} is the whole pipeline with 52-token rows, one text per call
 * ({@code tokenizeBatch}: one call for all); {@code encode} skips the rows.
 *
 * <pre>
 * java -jar clip-benchmarks/target/benchmarks.jar BertTokenizerBenchmark
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class BertTokenizerBenchmark {
    static final int TEXTS = 100_000;

    private BertWordPieceTokenizer tokenizer;
    private List<String> texts;

    @Setup
    public void setUp() {
        tokenizer = BertWordPieceTokenizer.load();
        texts = BenchmarkData.cnShortTexts(TEXTS, 1234);
    }

    @Benchmark
    @OperationsPerInvocation(TEXTS)
    public void tokenize(Blackhole sink) {
        for (String text : texts) {
            sink.consume(tokenizer.tokenize(text));
        }
    }

    /** All texts in one batch. */
    @Benchmark
    @OperationsPerInvocation(TEXTS)
    public int[][] tokenizeBatch() {
        return tokenizer.tokenize(texts, BertWordPieceTokenizer.DEFAULT_CONTEXT_LENGTH, true);
    }

    @Benchmark
    @OperationsPerInvocation(TEXTS)
    public void encode(Blackhole sink) {
        for (String text : texts) {
            sink.consume(tokenizer.encode(text));
        }
    }
}
