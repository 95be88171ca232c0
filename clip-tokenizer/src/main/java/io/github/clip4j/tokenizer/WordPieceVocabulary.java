package io.github.clip4j.tokenizer;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A WordPiece vocabulary ({@code vocab.txt}: one token a line, the id is the 0-based line number) as two tries over
 * code points: one for the first piece of a word, one for the {@code ##} pieces that continue it (stored without
 * their {@code ##}). Greedy longest match is then one walk down a trie, with no substring built or hashed, which is
 * what makes WordPiece cheap.
 *
 * <p>Lines are read as the reference's {@code load_vocab} reads them: Python's universal newlines ({@code \n},
 * {@code \r}, {@code \r\n}), each line {@code strip()}ped of Python whitespace, and a token listed twice keeps its
 * last id (a {@code dict} overwrite). Immutable and thread-safe.
 */
final class WordPieceVocabulary {
    /** The reference's file has 21,128 lines; anything far larger is not a vocabulary. */
    private static final int MAX_BYTES = 16 << 20;
    private static final int ROOT = 0;
    private static final int CONTINUATION_ROOT = 1;
    private static final long EMPTY = -1L;

    private final String source;
    private final String[] tokens;
    /** Open addressing: key {@code parent << 21 | codePoint}, value the child node. */
    private final long[] edgeKeys;
    private final int[] edgeChildren;
    private final int edgeMask;
    /** Per node, the id of the token ending there, or -1. */
    private final int[] nodeIds;

    private WordPieceVocabulary(String source, String[] tokens) {
        this.source = source;
        this.tokens = tokens;
        int codePoints = 0;
        for (String token : tokens) {
            codePoints += token.codePointCount(0, token.length());
        }
        // Each code point adds at most one edge to each trie.
        int capacity = Integer.highestOneBit(Math.max(16, codePoints * 4) - 1) << 1;
        long[] keys = new long[capacity];
        Arrays.fill(keys, EMPTY);
        int[] children = new int[capacity];
        int[] ids = new int[codePoints * 2 + 2];
        Arrays.fill(ids, -1);
        int[] nodeCount = {2};
        for (int id = 0; id < tokens.length; id++) {
            String token = tokens[id];
            if (token.isEmpty()) {
                continue; // a key that no non-empty piece can equal
            }
            insert(keys, children, ids, nodeCount, ROOT, token, 0, id);
            if (token.startsWith("##") && token.length() > 2) {
                insert(keys, children, ids, nodeCount, CONTINUATION_ROOT, token, 2, id);
            }
        }
        this.edgeKeys = keys;
        this.edgeChildren = children;
        this.edgeMask = capacity - 1;
        this.nodeIds = Arrays.copyOf(ids, nodeCount[0]);
    }

    /**
     * Reads {@code vocab.txt}.
     *
     * @param in the file's bytes (UTF-8); read to the end, not closed
     * @param source names the file in messages
     * @throws VocabularyException if it is not UTF-8 text, too large, or empty
     * @throws IOException if reading fails
     */
    static WordPieceVocabulary read(InputStream in, String source) throws IOException {
        byte[] bytes = in.readNBytes(MAX_BYTES + 1);
        if (bytes.length > MAX_BYTES) {
            throw new VocabularyException("the WordPiece vocabulary " + source + " is larger than "
                    + (MAX_BYTES >> 20) + " MB: it is not a vocab.txt");
        }
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new VocabularyException("the WordPiece vocabulary " + source + " is not UTF-8 text; it must be"
                    + " Chinese-CLIP's vocab.txt or another BERT vocabulary", e);
        }
        List<String> lines = new ArrayList<>(21_128);
        int start = 0;
        int n = text.length();
        for (int i = 0; i < n; i++) {
            char c = text.charAt(i);
            if (c == '\n' || c == '\r') {
                lines.add(strip(text, start, i));
                if (c == '\r' && i + 1 < n && text.charAt(i + 1) == '\n') {
                    i++;
                }
                start = i + 1;
            }
        }
        if (start < n) {
            lines.add(strip(text, start, n)); // a last line without a newline still counts
        }
        if (lines.isEmpty()) {
            throw new VocabularyException("the WordPiece vocabulary " + source + " is empty");
        }
        return new WordPieceVocabulary(source, lines.toArray(String[]::new));
    }

    /** A vocabulary from tokens, id = index (tests). */
    static WordPieceVocabulary of(List<String> tokens, String source) {
        return new WordPieceVocabulary(source, tokens.toArray(String[]::new));
    }

    /** {@return the number of ids (lines)} */
    int size() {
        return tokens.length;
    }

    /** {@return the token of {@code id}: its line, stripped} */
    String token(int id) {
        return tokens[id];
    }

    String source() {
        return source;
    }

    /** {@return the id of {@code token} (a whole key, as a word's first piece), or -1} */
    int id(String token) {
        int node = ROOT;
        for (int i = 0; i < token.length() && node >= 0; ) {
            int cp = token.codePointAt(i);
            node = child(node, cp);
            i += Character.charCount(cp);
        }
        return node < 0 || token.isEmpty() ? -1 : nodeIds[node];
    }

    /**
     * The longest token matching {@code codePoints[from..to)} from {@code from}: greedy WordPiece's one step.
     *
     * @param continuation whether the piece continues a word (a {@code ##} token is looked for)
     * @return {@code id << 32 | length} of the longest match, or -1 when no token matches
     */
    long longestMatch(int[] codePoints, int from, int to, boolean continuation) {
        int node = continuation ? CONTINUATION_ROOT : ROOT;
        int bestId = -1;
        int bestLength = 0;
        for (int i = from; i < to; i++) {
            node = child(node, codePoints[i]);
            if (node < 0) {
                break;
            }
            int id = nodeIds[node];
            if (id >= 0) {
                bestId = id;
                bestLength = i + 1 - from;
            }
        }
        return bestId < 0 ? -1 : (long) bestId << 32 | bestLength;
    }

    private int child(int node, int codePoint) {
        long key = (long) node << 21 | codePoint;
        int slot = hash(key) & edgeMask;
        while (true) {
            long k = edgeKeys[slot];
            if (k == key) {
                return edgeChildren[slot];
            }
            if (k == EMPTY) {
                return -1;
            }
            slot = (slot + 1) & edgeMask;
        }
    }

    private static void insert(long[] keys, int[] children, int[] ids, int[] nodeCount, int root, String token,
            int from, int id) {
        int mask = keys.length - 1;
        int node = root;
        for (int i = from; i < token.length(); ) {
            int cp = token.codePointAt(i);
            i += Character.charCount(cp);
            long key = (long) node << 21 | cp;
            int slot = hash(key) & mask;
            while (keys[slot] != EMPTY && keys[slot] != key) {
                slot = (slot + 1) & mask;
            }
            if (keys[slot] == EMPTY) {
                keys[slot] = key;
                children[slot] = nodeCount[0]++;
            }
            node = children[slot];
        }
        ids[node] = id; // a later line with the same token wins, as in the reference's dict
    }

    private static int hash(long key) {
        // murmur3's finalizer: the code point sits in the low bits and the node above, so mix both into all bits
        long h = key;
        h ^= h >>> 33;
        h *= 0xFF51AFD7ED558CCDL;
        h ^= h >>> 33;
        h *= 0xC4CEB9FE1A85EC53L;
        return (int) (h ^ (h >>> 33));
    }

    /** Python's {@code str.strip()} of {@code text[start, end)}. */
    private static String strip(String text, int start, int end) {
        while (start < end && BertText.isPythonSpace(text.charAt(start))) {
            start++;
        }
        while (end > start && BertText.isPythonSpace(text.charAt(end - 1))) {
            end--;
        }
        return text.substring(start, end);
    }

    @Override
    public String toString() {
        return "WordPieceVocabulary[" + source + ", " + tokens.length + " tokens]";
    }
}
