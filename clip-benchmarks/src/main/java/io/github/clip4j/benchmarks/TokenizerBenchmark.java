package io.github.clip4j.benchmarks;

import io.github.clip4j.tokenizer.ClipTokenizer;
import io.github.clip4j.internal.text.TextCleaner;
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
 * Tokenizer throughput on one thread, in texts per second: 100,000 short texts (2 to 12 words from the golden
 * corpus) per invocation. {@code tokenize} is the whole pipeline (cleaning, BPE, 77-token rows), one text per
 * call ({@code tokenizeBatch}: one call for all), {@code encode}
 * skips the rows, {@code clean} is text cleaning alone (to tell the cleaner's share from BPE's).
 *
 * <pre>
 * java -jar clip-benchmarks/target/benchmarks.jar TokenizerBenchmark
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class TokenizerBenchmark {
    static final int TEXTS = 100_000;

    private ClipTokenizer tokenizer;
    private List<String> texts;

    @Setup
    public void setUp() {
        tokenizer = ClipTokenizer.load(BenchmarkData.vocabulary());
        texts = BenchmarkData.shortTexts(TEXTS, 1234);
    }

    /** One call per text; truncating, since mojibake in the corpus makes some texts longer than 77 tokens. */
    @Benchmark
    @OperationsPerInvocation(TEXTS)
    public void tokenize(Blackhole sink) {
        for (String text : texts) {
            sink.consume(tokenizer.tokenize(List.of(text), ClipTokenizer.DEFAULT_CONTEXT_LENGTH, true));
        }
    }

    /** All texts in one batch. */
    @Benchmark
    @OperationsPerInvocation(TEXTS)
    public int[][] tokenizeBatch() {
        return tokenizer.tokenize(texts, ClipTokenizer.DEFAULT_CONTEXT_LENGTH, true);
    }

    @Benchmark
    @OperationsPerInvocation(TEXTS)
    public void encode(Blackhole sink) {
        for (String text : texts) {
            sink.consume(tokenizer.encode(text));
        }
    }

    @Benchmark
    @OperationsPerInvocation(TEXTS)
    public void clean(Blackhole sink) {
        for (String text : texts) {
            sink.consume(TextCleaner.clean(text));
        }
    }
}
