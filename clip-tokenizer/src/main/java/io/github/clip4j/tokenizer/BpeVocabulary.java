package io.github.clip4j.tokenizer;

import java.io.BufferedOutputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * CLIP's byte-level BPE vocabulary: 256 byte tokens, their 256 end-of-word ({@code </w>}) variants, one token per
 * merge, then {@code <|startoftext|>} and {@code <|endoftext|>}, read from {@code bpe_simple_vocab_16e6.txt.gz}.
 *
 * <pre>{@code
 * BpeVocabulary vocabulary = BpeVocabulary.read(Path.of("bpe_simple_vocab_16e6.txt.gz"));
 * ClipTokenizer tokenizer = ClipTokenizer.of(vocabulary);
 * }</pre>
 *
 * <p>Ids follow the reference: a token's id is its position in that list. Immutable and thread-safe; it takes
 * about 4 MB of heap.
 */
public final class BpeVocabulary {
    /** The vocabulary's file name, as the reference ships it. */
    public static final String FILE_NAME = "bpe_simple_vocab_16e6.txt.gz";
    /** The SHA-256 of OpenAI's file. */
    public static final String SHA256 = "924691ac288e54409236115652ad4aa250f48203de50a9e4722a6ecd48d6804a";
    /**
     * Where the reference repository publishes the file: its provenance only. clip4j never downloads it; the
     * clip-tokenizer jar bundles it (see {@link VocabularyLocator}).
     */
    public static final URI DOWNLOAD_URI =
            URI.create("https://raw.githubusercontent.com/openai/CLIP/main/clip/bpe_simple_vocab_16e6.txt.gz");
    /** How many merges CLIP uses: lines 1 to 48,894 of the file (49,152 - 256 - 2). */
    public static final int CLIP_MERGE_COUNT = 49_152 - 256 - 2;

    private static final String END_OF_WORD = "</w>";
    /** The first bytes of the compact form ({@link #writeCompact}); the last one is its version. */
    private static final byte[] COMPACT_MAGIC = {'c', 'l', 'i', 'p', 'B', 'P', 'E', 1};
    /** A vocabulary file decompresses to about 2 MB; refuse to inflate anything absurdly larger. */
    private static final long MAX_DECOMPRESSED_BYTES = 64L << 20;

    /** The byte whose token has id {@code i}, for {@code i < 256}: bytes_to_unicode's order. */
    private static final int[] BYTE_OF_ID = new int[256];
    /** The printable character bytes_to_unicode stands in for each byte. */
    private static final char[] CHAR_OF_BYTE = new char[256];
    /** The inverse of {@link #CHAR_OF_BYTE}, -1 for characters outside the alphabet. */
    private static final int[] BYTE_OF_CHAR = new int[512];

    static {
        int id = 0;
        boolean[] printable = new boolean[256];
        for (int b = 0; b < 256; b++) {
            printable[b] = b >= '!' && b <= '~' || b >= 0xA1 && b <= 0xAC || b >= 0xAE && b <= 0xFF;
            if (printable[b]) {
                BYTE_OF_ID[id++] = b;
                CHAR_OF_BYTE[b] = (char) b;
            }
        }
        int extra = 0;
        for (int b = 0; b < 256; b++) {
            if (!printable[b]) {
                BYTE_OF_ID[id++] = b;
                CHAR_OF_BYTE[b] = (char) (256 + extra++);
            }
        }
        Arrays.fill(BYTE_OF_CHAR, -1);
        for (int b = 0; b < 256; b++) {
            BYTE_OF_CHAR[CHAR_OF_BYTE[b]] = b;
        }
    }

    private final String source;
    private final int[] idOfByte;
    private final int[] endOfWordIdOfByte;
    private final MergeTable mergeRanks;
    private final int[] mergeLeft;
    private final int[] mergeRight;
    private final int[] mergeResult;
    private final byte[][] tokenBytes;
    private final int startOfTextId;
    private final int endOfTextId;

    private BpeVocabulary(String source, List<String> merges) {
        this.source = source;
        int size = 512 + merges.size() + 2;
        List<String> tokens = new ArrayList<>(size);
        for (int i = 0; i < 256; i++) {
            tokens.add(String.valueOf(CHAR_OF_BYTE[BYTE_OF_ID[i]]));
        }
        for (int i = 0; i < 256; i++) {
            tokens.add(tokens.get(i) + END_OF_WORD);
        }
        String[][] parts = new String[merges.size()][];
        for (int rank = 0; rank < merges.size(); rank++) {
            parts[rank] = splitMerge(merges.get(rank), rank);
            tokens.add(parts[rank][0] + parts[rank][1]);
        }
        tokens.add(PreTokenizer.START_OF_TEXT);
        tokens.add(PreTokenizer.END_OF_TEXT);

        // Like the reference's dict(zip(vocab, range)): a token string listed twice maps to its last id.
        Map<String, Integer> ids = new HashMap<>(size * 2);
        for (int id = 0; id < size; id++) {
            ids.put(tokens.get(id), id);
        }
        idOfByte = new int[256];
        endOfWordIdOfByte = new int[256];
        for (int b = 0; b < 256; b++) {
            String symbol = String.valueOf(CHAR_OF_BYTE[b]);
            idOfByte[b] = ids.get(symbol);
            endOfWordIdOfByte[b] = ids.get(symbol + END_OF_WORD);
        }
        mergeLeft = new int[merges.size()];
        mergeRight = new int[merges.size()];
        mergeResult = new int[merges.size()];
        for (int rank = 0; rank < merges.size(); rank++) {
            mergeLeft[rank] = knownId(ids, parts[rank][0], rank);
            mergeRight[rank] = knownId(ids, parts[rank][1], rank);
            mergeResult[rank] = ids.get(parts[rank][0] + parts[rank][1]);
        }
        mergeRanks = MergeTable.of(mergeLeft, mergeRight);
        tokenBytes = new byte[size][];
        for (int id = 0; id < size; id++) {
            tokenBytes[id] = bytesOf(tokens.get(id), id);
        }
        startOfTextId = ids.get(PreTokenizer.START_OF_TEXT);
        endOfTextId = ids.get(PreTokenizer.END_OF_TEXT);
    }

    /** A vocabulary from its parsed tables, as {@link #writeCompact} wrote them. */
    private BpeVocabulary(String source, byte[][] tokenBytes, int[] idOfByte, int[] endOfWordIdOfByte,
            int[] mergeLeft, int[] mergeRight, int[] mergeResult, int startOfTextId, int endOfTextId) {
        this.source = source;
        this.tokenBytes = tokenBytes;
        this.idOfByte = idOfByte;
        this.endOfWordIdOfByte = endOfWordIdOfByte;
        this.mergeLeft = mergeLeft;
        this.mergeRight = mergeRight;
        this.mergeResult = mergeResult;
        this.mergeRanks = MergeTable.of(mergeLeft, mergeRight);
        this.startOfTextId = startOfTextId;
        this.endOfTextId = endOfTextId;
    }

    /**
     * Writes this vocabulary's tables in clip4j's compact binary form, which {@link #readCompact} reads about ten
     * times faster than the gzip text is parsed. The build writes one next to the bundled vocabulary
     * ({@link CompactVocabulary}); it is never a user's file.
     */
    void writeCompact(OutputStream out, String origin) throws IOException {
        DataOutputStream data = new DataOutputStream(new BufferedOutputStream(out));
        data.write(COMPACT_MAGIC);
        data.writeUTF(origin);
        data.writeInt(tokenBytes.length);
        data.writeInt(mergeResult.length);
        data.writeInt(startOfTextId);
        data.writeInt(endOfTextId);
        for (int[] table : new int[][] {idOfByte, endOfWordIdOfByte, mergeLeft, mergeRight, mergeResult}) {
            for (int value : table) {
                data.writeInt(value);
            }
        }
        for (byte[] token : tokenBytes) {
            if (token.length > 255) {
                throw new IllegalStateException("token of " + token.length + " bytes: too long for the compact form");
            }
            data.writeByte(token.length);
        }
        for (byte[] token : tokenBytes) {
            data.write(token);
        }
        data.flush();
    }

    /**
     * Reads what {@link #writeCompact} wrote.
     *
     * @param in the compact bytes, read to the end, not closed
     * @param source names the vocabulary in messages
     * @param origin what the tables must have been written from (the gzip file's SHA-256)
     * @return the vocabulary, or null if {@code in} does not hold compact tables written from {@code origin}
     */
    static BpeVocabulary readCompact(InputStream in, String source, String origin) throws IOException {
        ByteBuffer buffer = ByteBuffer.wrap(in.readAllBytes());
        try {
            return parseCompact(buffer, source, origin);
        } catch (BufferUnderflowException | IllegalArgumentException | IndexOutOfBoundsException e) {
            return null; // truncated or damaged
        }
    }

    private static BpeVocabulary parseCompact(ByteBuffer buffer, String source, String origin) {
        if (buffer.remaining() < COMPACT_MAGIC.length + 2) {
            return null;
        }
        byte[] magic = new byte[COMPACT_MAGIC.length];
        buffer.get(magic);
        if (!Arrays.equals(magic, COMPACT_MAGIC)) {
            return null;
        }
        byte[] written = new byte[buffer.getShort() & 0xFFFF];
        buffer.get(written);
        if (!new String(written, StandardCharsets.UTF_8).equals(origin)) {
            return null;
        }
        int size = buffer.getInt();
        int merges = buffer.getInt();
        int start = buffer.getInt();
        int end = buffer.getInt();
        if (merges < 0 || merges > buffer.remaining() / 12 || size != 512 + merges + 2) {
            return null;
        }
        int[] idOfByte = ints(buffer, 256);
        int[] endOfWordIdOfByte = ints(buffer, 256);
        int[] left = ints(buffer, merges);
        int[] right = ints(buffer, merges);
        int[] result = ints(buffer, merges);
        byte[][] tokens = new byte[size][];
        int lengths = buffer.position();
        buffer.position(lengths + size);
        for (int id = 0; id < size; id++) {
            tokens[id] = new byte[buffer.get(lengths + id) & 0xFF];
            buffer.get(tokens[id]);
        }
        if (buffer.hasRemaining()) {
            return null;
        }
        return new BpeVocabulary(source, tokens, idOfByte, endOfWordIdOfByte, left, right, result, start, end);
    }

    private static int[] ints(ByteBuffer buffer, int count) {
        int[] values = new int[count];
        buffer.asIntBuffer().get(values);
        buffer.position(buffer.position() + 4 * count);
        return values;
    }

    /** Whether {@code other} has exactly these tables (tests: the compact form against the parsed file). */
    boolean sameTables(BpeVocabulary other) {
        return Arrays.equals(idOfByte, other.idOfByte) && Arrays.equals(endOfWordIdOfByte, other.endOfWordIdOfByte)
                && Arrays.equals(mergeLeft, other.mergeLeft) && Arrays.equals(mergeRight, other.mergeRight)
                && Arrays.equals(mergeResult, other.mergeResult) && Arrays.deepEquals(tokenBytes, other.tokenBytes)
                && startOfTextId == other.startOfTextId && endOfTextId == other.endOfTextId;
    }

    /**
     * Reads CLIP's vocabulary from a {@code bpe_simple_vocab_16e6.txt.gz} file, using its first 48,894 merges.
     * Reading decompresses and parses the whole file: read it once and share the result, which is immutable and
     * thread-safe.
     *
     * <pre>{@code
     * BpeVocabulary vocabulary = BpeVocabulary.read(Path.of("bpe_simple_vocab_16e6.txt.gz"));
     * ClipTokenizer tokenizer = ClipTokenizer.of(vocabulary);
     * }</pre>
     *
     * @param file the gzip-compressed merges file, not null; {@link VocabularyLocator} finds the configured one
     * @return the vocabulary: 49,408 tokens for CLIP's file
     * @throws VocabularyException if the file is missing, not gzip, truncated, or not a BPE merges file
     */
    public static BpeVocabulary read(Path file) {
        return read(file, CLIP_MERGE_COUNT);
    }

    /** Reads a vocabulary file using its first {@code mergeCount} merges (tests use small synthetic files). */
    static BpeVocabulary read(Path file, int mergeCount) {
        Objects.requireNonNull(file, "file");
        try (InputStream in = Files.newInputStream(file)) {
            return read(in, file.toString(), mergeCount);
        } catch (NoSuchFileException e) {
            throw new VocabularyException("the BPE vocabulary " + file + " does not exist; put " + FILE_NAME
                    + " there or point clip4j.bpe at it", e);
        } catch (IOException e) {
            throw new VocabularyException("cannot read the BPE vocabulary " + file + ": " + e, e);
        }
    }

    /**
     * Reads a gzip-compressed merges file from a stream (the copy bundled in the jar).
     *
     * @param in the compressed bytes; read to the end, not closed
     * @param source names the file in messages
     */
    static BpeVocabulary read(InputStream in, String source, int mergeCount) {
        String file = source;
        String text = decompress(in, source);
        // Python's str.split('\n'): line 0 is the header, the merges follow.
        List<String> lines = new ArrayList<>(mergeCount + 1);
        int start = 0;
        while (lines.size() <= mergeCount) {
            int end = text.indexOf('\n', start);
            lines.add(text.substring(start, end < 0 ? text.length() : end));
            if (end < 0) {
                break;
            }
            start = end + 1;
        }
        if (lines.size() <= mergeCount + 1 && lines.get(lines.size() - 1).isEmpty()) {
            lines.remove(lines.size() - 1); // the newline ending the last line does not start a merge
        }
        if (lines.size() <= mergeCount) {
            throw new VocabularyException("the BPE vocabulary " + file + " has " + Math.max(0, lines.size() - 1)
                    + " merge lines but CLIP needs " + mergeCount + ": it is truncated or not " + FILE_NAME
                    + "; replace it with the original file (SHA-256 " + SHA256 + ")");
        }
        try {
            return new BpeVocabulary(file, lines.subList(1, mergeCount + 1));
        } catch (IllegalArgumentException e) {
            throw new VocabularyException("the BPE vocabulary " + file + " is corrupt: " + e.getMessage()
                    + "; replace it with the original " + FILE_NAME + " (SHA-256 " + SHA256 + ")", e);
        }
    }

    /** A vocabulary from merge lines ({@code "a b"}, without the header line), named {@code source} in messages. */
    static BpeVocabulary fromMerges(List<String> merges, String source) {
        return new BpeVocabulary(source, List.copyOf(merges));
    }

    /**
     * A vocabulary without merges: the 512 byte tokens and the two special tokens ({@code <|startoftext|>} is id
     * 512, {@code <|endoftext|>} id 513). Every text still tokenizes, deterministically, one token per UTF-8 byte,
     * but the ids are not CLIP's: use it only where CLIP's file is unavailable and the ids need not match a trained
     * model, e.g. a test model with random weights.
     *
     * <pre>{@code
     * ClipTokenizer bytes = ClipTokenizer.of(BpeVocabulary.byteLevel());
     * int[] ids = bytes.encode("cat");     // three ids: 'c', 'a', then 't' as end of word
     * }</pre>
     *
     * @return the shared byte-level vocabulary (514 tokens), built on first use
     */
    public static BpeVocabulary byteLevel() {
        return ByteLevelHolder.INSTANCE;
    }

    /** Builds the byte-level vocabulary on first use only. */
    private static final class ByteLevelHolder {
        static final BpeVocabulary INSTANCE = new BpeVocabulary("byte-level vocabulary (no merges)", List.of());
    }

    /**
     * {@return the number of token ids: 512 byte tokens, one per merge, and the two special tokens} Ids run from 0
     * to {@code size() - 1}; CLIP's vocabulary has 49,408.
     */
    public int size() {
        return tokenBytes.length;
    }

    /** {@return the number of merges in use (48,894 for CLIP, 0 for the byte-level vocabulary)} */
    public int mergeCount() {
        return mergeResult.length;
    }

    /** {@return the id of {@code <|startoftext|>} (49406 for CLIP, 512 for the byte-level vocabulary)} */
    public int startOfTextId() {
        return startOfTextId;
    }

    /** {@return the id of {@code <|endoftext|>} (49407 for CLIP, 513 for the byte-level vocabulary)} */
    public int endOfTextId() {
        return endOfTextId;
    }

    /**
     * The token's text in the reference's byte-to-unicode alphabet, e.g. {@code "cat</w>"} or {@code "Ġ"}.
     *
     * @param id a token id
     * @return the token as the reference's {@code decoder} table spells it, ending in {@code </w>} when the token
     *     ends a word
     * @throws IllegalArgumentException if {@code id} is not in {@code [0, size())}
     */
    public String token(int id) {
        byte[] bytes = bytes(id);
        StringBuilder text = new StringBuilder(bytes.length);
        for (byte b : bytes) {
            text.append(CHAR_OF_BYTE[b & 0xFF]);
        }
        return text.toString();
    }

    /** {@return where the vocabulary was read from: a file path, or a description for built-in vocabularies} */
    public String source() {
        return source;
    }

    @Override
    public String toString() {
        return "BpeVocabulary[" + source + ", " + size() + " tokens]";
    }

    /** The raw bytes a token stands for ({@code </w>} included literally, as the reference decodes it). */
    byte[] bytes(int id) {
        if (id < 0 || id >= tokenBytes.length) {
            throw new IllegalArgumentException("token id " + id + " is outside the vocabulary [0, "
                    + tokenBytes.length + ")");
        }
        return tokenBytes[id];
    }

    int idOfByte(int b) {
        return idOfByte[b];
    }

    int endOfWordIdOfByte(int b) {
        return endOfWordIdOfByte[b];
    }

    /** The rank of merging {@code left} and {@code right}, or {@link MergeTable#NONE}. */
    int rank(int left, int right) {
        return mergeRanks.rank(left, right);
    }

    int mergeLeft(int rank) {
        return mergeLeft[rank];
    }

    int mergeRight(int rank) {
        return mergeRight[rank];
    }

    int mergeResult(int rank) {
        return mergeResult[rank];
    }

    /** Python's {@code line.split()} for a line that must hold two symbols (no regex: this runs 48,894 times). */
    private static String[] splitMerge(String line, int rank) {
        List<String> parts = new ArrayList<>(2);
        int i = 0;
        int n = line.length();
        while (i < n && parts.size() <= 2) {
            while (i < n && Character.isWhitespace(line.charAt(i))) {
                i++;
            }
            int start = i;
            while (i < n && !Character.isWhitespace(line.charAt(i))) {
                i++;
            }
            if (i > start) {
                parts.add(line.substring(start, i));
            }
        }
        if (parts.size() != 2) {
            throw new IllegalArgumentException("merge " + (rank + 1) + " is \"" + abbreviate(line)
                    + "\", not two symbols");
        }
        return parts.toArray(new String[0]);
    }

    private static int knownId(Map<String, Integer> ids, String symbol, int rank) {
        Integer id = ids.get(symbol);
        if (id == null) {
            throw new IllegalArgumentException("merge " + (rank + 1) + " uses \"" + abbreviate(symbol)
                    + "\", which is not a token");
        }
        return id;
    }

    private static byte[] bytesOf(String token, int id) {
        byte[] bytes = new byte[token.length()];
        for (int i = 0; i < token.length(); i++) {
            int b = byteOfChar(token.charAt(i));
            if (b < 0) {
                throw new IllegalArgumentException("token " + id + " (\"" + abbreviate(token) + "\") has U+"
                        + String.format("%04X", (int) token.charAt(i)) + ", outside the byte alphabet");
            }
            bytes[i] = (byte) b;
        }
        return bytes;
    }

    private static int byteOfChar(char c) {
        return c < BYTE_OF_CHAR.length ? BYTE_OF_CHAR[c] : -1;
    }

    private static String decompress(InputStream compressed, String file) {
        try {
            // not closed here: the caller owns the stream
            byte[] bytes = new GZIPInputStream(compressed).readNBytes((int) MAX_DECOMPRESSED_BYTES + 1);
            if (bytes.length > MAX_DECOMPRESSED_BYTES) {
                throw new VocabularyException("the BPE vocabulary " + file + " decompresses to more than "
                        + (MAX_DECOMPRESSED_BYTES >> 20) + " MB: it is not " + FILE_NAME);
            }
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes))
                    .toString();
        } catch (ZipException e) {
            throw new VocabularyException("the BPE vocabulary " + file + " is not a gzip file (" + e.getMessage()
                    + "); it must be the original " + FILE_NAME + " (SHA-256 " + SHA256 + ")", e);
        } catch (EOFException e) {
            throw new VocabularyException("the BPE vocabulary " + file + " is truncated (" + e.getMessage()
                    + "); replace it with the original " + FILE_NAME + " (SHA-256 " + SHA256 + ")", e);
        } catch (CharacterCodingException e) {
            throw new VocabularyException("the BPE vocabulary " + file + " is not UTF-8 text; it must be the"
                    + " original " + FILE_NAME + " (SHA-256 " + SHA256 + ")", e);
        } catch (IOException e) {
            throw new VocabularyException("cannot read the BPE vocabulary " + file + ": " + e, e);
        }
    }

    private static String abbreviate(String text) {
        return text.length() <= 40 ? text : text.substring(0, 40) + "…";
    }
}
