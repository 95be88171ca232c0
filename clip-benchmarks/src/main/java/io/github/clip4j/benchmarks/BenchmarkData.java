package io.github.clip4j.benchmarks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Inputs for the benchmarks, read from the shared fixtures beside the checkout (never from the repository):
 * {@code -Dclip4j.bpe=FILE} (default {@code ../shared/clip/bpe_simple_vocab_16e6.txt.gz}) and
 * {@code -Dclip4j.fixtures=DIR} (default {@code ../shared/fixtures}), relative to the working folder.
 */
final class BenchmarkData {
    private BenchmarkData() {}

    /** The BPE vocabulary file. */
    static Path vocabulary() {
        return existing(System.getProperty("clip4j.bpe", "../shared/clip/bpe_simple_vocab_16e6.txt.gz"));
    }

    /**
     * {@code count} short texts of 2 to 12 words, each word drawn at random (fixed seed) from the words of the
     * golden tokenizer cases: realistic captions and labels, mixed scripts, some punctuation.
     */
    static List<String> shortTexts(int count, long seed) {
        List<String> words = corpusWords();
        Random random = new Random(seed);
        List<String> texts = new ArrayList<>(count);
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < count; i++) {
            text.setLength(0);
            for (int w = 2 + random.nextInt(11); w > 0; w--) {
                text.append(words.get(random.nextInt(words.size()))).append(w > 1 ? " " : "");
            }
            texts.add(text.toString());
        }
        return texts;
    }

    /**
     * {@code count} short texts for Chinese-CLIP's tokenizer: each one to three texts of the golden Chinese
     * tokenizer cases ({@code cn_tokenizer/cases.jsonl}) of at most 32 code points, drawn at random (fixed seed) and
     * joined by a space: labels, captions and queries, mostly Chinese, some mixed with English, digits and
     * punctuation.
     */
    static List<String> cnShortTexts(int count, long seed) {
        Path cases = existing(System.getProperty("clip4j.fixtures", "../shared/fixtures")
                + "/cn_tokenizer/cases.jsonl");
        ObjectMapper json = new ObjectMapper();
        List<String> pool = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(cases, StandardCharsets.UTF_8)) {
                if (!line.isBlank()) {
                    String text = json.readTree(line).get("text").asText().strip();
                    if (!text.isEmpty() && text.codePointCount(0, text.length()) <= 32) {
                        pool.add(text);
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Random random = new Random(seed);
        List<String> texts = new ArrayList<>(count);
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < count; i++) {
            text.setLength(0);
            for (int n = 1 + random.nextInt(3); n > 0; n--) {
                text.append(pool.get(random.nextInt(pool.size()))).append(n > 1 ? " " : "");
            }
            texts.add(text.toString());
        }
        return texts;
    }

    /**
     * {@code count} zero-shot prompts, the texts a classifier embeds: the four seed templates ({@code a photo of a
     * {}}, ...) over everyday labels.
     */
    static List<String> prompts(int count) {
        List<String> labels = List.of("cat", "dog", "car", "tree", "book", "rocket", "coffee cup", "camera",
                "cello", "mountain bike", "golden retriever", "traffic light", "pizza", "sailboat", "umbrella",
                "red fox");
        List<String> templates = List.of("a photo of a %s", "a picture of a %s", "an image of a %s",
                "a photo of the %s");
        List<String> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            out.add(String.format(templates.get(i / labels.size() % templates.size()), labels.get(i % labels.size())));
        }
        return out;
    }

    /** The fixture images (PNG and JPEG), sorted by name. */
    static List<Path> images() {
        Path folder = existing(System.getProperty("clip4j.fixtures", "../shared/fixtures") + "/images");
        try (var files = Files.list(folder)) {
            return files.filter(f -> f.toString().endsWith(".png") || f.toString().endsWith(".jpg")).sorted()
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<String> corpusWords() {
        Path cases = existing(System.getProperty("clip4j.fixtures", "../shared/fixtures")
                + "/tokenizer/cases.jsonl");
        ObjectMapper json = new ObjectMapper();
        List<String> words = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(cases, StandardCharsets.UTF_8)) {
                if (line.isBlank()) {
                    continue;
                }
                JsonNode node = json.readTree(line);
                for (String word : node.get("text").asText().split("\\s+")) {
                    if (!word.isEmpty() && word.length() <= 40) {
                        words.add(word);
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return words;
    }

    private static Path existing(String path) {
        Path file = Path.of(path);
        if (!Files.exists(file)) {
            throw new IllegalStateException("benchmark input " + file.toAbsolutePath() + " is missing: run from the"
                    + " project root with ../shared beside it, or set -Dclip4j.bpe / -Dclip4j.fixtures");
        }
        return file;
    }
}
