package io.github.clip4j.internal.weights;

import io.github.clip4j.CheckpointException;
import static java.util.Objects.requireNonNull;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A restricted Python pickle interpreter (protocols 2 to 5) for the pickles inside PyTorch checkpoints.
 *
 * <p>Unlike Python's unpickler it never instantiates arbitrary classes: every {@code GLOBAL} is resolved by a
 * {@link Globals} policy, which either returns a harmless stand-in or refuses, so a pickle that calls
 * {@code os.system} fails with a {@link CheckpointException} before anything runs. The interpreter is
 * iterative (no recursion), every length is checked against the bytes that remain before anything is
 * allocated, and the stack and memo are bounded by the pickle's own size, so hostile input cannot exhaust
 * memory or the call stack.
 *
 * <p>Python values map to: {@code None -> null}, {@code bool -> Boolean}, {@code int -> Long},
 * {@code float -> Double}, {@code str -> String}, {@code bytes -> byte[]}, {@code tuple -> }{@link Tuple},
 * {@code list -> ArrayList}, {@code dict -> LinkedHashMap}, instances of allowed classes -> {@link Instance}.
 */
final class PickleMachine {
    /** How deep values may nest (tuples in tuples, lists in lists...); real checkpoints stay below 20. */
    static final int MAX_NESTING = 1000;
    /** How many element comparisons one {@link Tuple#equals} may make before it calls the tuples different. */
    private static final int EQUALS_BUDGET = 4096;
    /** How many characters {@link #summary} renders before it cuts a value short. */
    static final int SUMMARY_CHARS = 200;

    /**
     * Python's {@code tuple}: immutable, usable as a dict key. Hashing is O(1) (computed once from the items'
     * hashes when the tuple is built, with mutable items counting as 0), equality gives up after a bounded number
     * of comparisons (then the tuples count as different keys) and {@code toString} is a bounded {@link #summary},
     * so a pickle of shared tuples nested 64 deep (2^64 leaves) costs no more than its own size. The reference
     * only ever uses string and int keys.
     */
    static final class Tuple {
        private final List<Object> items;
        private final int hash;
        private final int depth;

        Tuple(List<Object> items) {
            this.items = Collections.unmodifiableList(new ArrayList<>(items));
            int h = 1;
            int d = 1;
            for (Object item : this.items) {
                h = 31 * h + shallowHash(item);
                if (item instanceof Tuple t) {
                    d = Math.max(d, t.depth + 1);
                }
            }
            this.hash = h;
            this.depth = d;
        }

        List<Object> items() {
            return items;
        }

        Object get(int i) {
            return items.get(i);
        }

        int size() {
            return items.size();
        }

        /** Tuples nested in this one, plus one. */
        int depth() {
            return depth;
        }

        private static int shallowHash(Object item) {
            if (item instanceof Tuple t) {
                return t.hash;
            }
            return isScalar(item) ? java.util.Objects.hashCode(item) : 0; // lists, dicts...: never hashed
        }

        private static boolean isScalar(Object item) {
            return item == null || item instanceof String || item instanceof Number || item instanceof Boolean;
        }

        @Override
        public int hashCode() {
            return hash;
        }

        @Override
        public boolean equals(Object other) {
            if (this == other) {
                return true;
            }
            if (!(other instanceof Tuple that) || that.hash != hash || that.items.size() != items.size()) {
                return false;
            }
            // Iterative and budgeted: shared structure cannot make this exponential or overflow the stack.
            java.util.ArrayDeque<Object[]> pending = new java.util.ArrayDeque<>();
            pending.push(new Object[] {this, that});
            int budget = EQUALS_BUDGET;
            while (!pending.isEmpty()) {
                Object[] pair = pending.pop();
                Tuple a = (Tuple) pair[0];
                Tuple b = (Tuple) pair[1];
                for (int i = 0; i < a.items.size(); i++) {
                    if (--budget < 0) {
                        return false;
                    }
                    Object x = a.items.get(i);
                    Object y = b.items.get(i);
                    if (x == y) {
                        continue;
                    }
                    if (x instanceof Tuple tx && y instanceof Tuple ty) {
                        if (tx.hash != ty.hash || tx.items.size() != ty.items.size()) {
                            return false;
                        }
                        pending.push(new Object[] {tx, ty});
                    } else if (!isScalar(x) || !isScalar(y) || !java.util.Objects.equals(x, y)) {
                        return false;
                    }
                }
            }
            return true;
        }

        @Override
        public String toString() {
            return summary(this);
        }
    }

    /** An object of an allowed class, built with {@code NEWOBJ} and filled by {@code BUILD}: an attribute bag. */
    static final class Instance {
        private final String className;
        private final Map<String, Object> attributes = new LinkedHashMap<>();

        Instance(String className) {
            this.className = requireNonNull(className, "className");
        }

        /** The qualified class name, e.g. {@code __torch__.clip.model.CLIP}. */
        String className() {
            return className;
        }

        /** Attributes in pickle order (mutable only while unpickling). */
        Map<String, Object> attributes() {
            return attributes;
        }

        @Override
        public String toString() {
            return className + attributes.keySet();
        }
    }

    /** A callable the policy allows ({@code REDUCE} calls it with the argument tuple). */
    @FunctionalInterface
    interface Callable {
        Object call(Tuple args);
    }

    /** A class the policy allows to be created with {@code NEWOBJ}, producing an {@link Instance}. */
    record ClassRef(String qualifiedName) {}

    /** The policy that decides what each {@code GLOBAL} means. */
    @FunctionalInterface
    interface Globals {
        /**
         * A {@link Callable}, a {@link ClassRef}, or any value the pickle may pass around as a marker.
         *
         * @throws CheckpointException if the global is not allowed
         */
        Object resolve(String module, String name);
    }

    /** Resolves persistent ids ({@code BINPERSID}), e.g. torch's storage references. */
    @FunctionalInterface
    interface PersistentLoader {
        Object load(Object pid);
    }

    private static final Object MARK = new Object() {
        @Override
        public String toString() {
            return "MARK";
        }
    };

    private final byte[] bytes;
    private final String source;
    private final Globals globals;
    private final PersistentLoader persistentLoader;
    private int pos;
    private final ArrayList<Object> stack = new ArrayList<>();
    private final HashMap<Long, Object> memo = new HashMap<>();
    /** Stack indices of the MARKs, so that finding the last one is O(1) (no quadratic scans). */
    private final ArrayList<Integer> marks = new ArrayList<>();

    private PickleMachine(byte[] bytes, String source, Globals globals, PersistentLoader persistentLoader) {
        this.bytes = bytes;
        this.source = source;
        this.globals = globals;
        this.persistentLoader = persistentLoader;
    }

    /**
     * Runs the pickle in {@code bytes} and returns its result.
     *
     * @param source names the pickle in error messages, e.g. {@code model.pt:archive/data.pkl}
     * @throws CheckpointException for a malformed or truncated pickle, an unsupported opcode or a refused global
     */
    static Object load(byte[] bytes, String source, Globals globals, PersistentLoader persistentLoader) {
        requireNonNull(bytes, "bytes");
        requireNonNull(source, "source");
        requireNonNull(globals, "globals");
        requireNonNull(persistentLoader, "persistentLoader");
        PickleMachine machine = new PickleMachine(bytes, source, globals, persistentLoader);
        try {
            return machine.run();
        } catch (CheckpointException e) {
            throw e;
        } catch (RuntimeException e) {
            // ClassCastException, IndexOutOfBounds, ArithmeticException...: a malformed pickle, never a bug to leak.
            throw machine.error("malformed pickle (" + e + ")");
        }
    }

    private Object run() {
        while (true) {
            int opcodePos = pos;
            int op = u8();
            switch (op) {
                case 0x80 -> { // PROTO
                    int protocol = u8();
                    if (protocol > 5) {
                        throw error("unsupported pickle protocol " + protocol);
                    }
                }
                case 0x95 -> { // FRAME: a length hint only
                    long length = u64();
                    if (length < 0 || length > bytes.length - pos) {
                        throw error("frame of " + Long.toUnsignedString(length) + " bytes past the end");
                    }
                }
                case '.' -> { // STOP
                    if (stack.size() != 1) {
                        throw error("pickle stopped with " + stack.size() + " values on the stack");
                    }
                    Object result = stack.get(0);
                    checkStructure(result);
                    return result;
                }
                case '(' -> {
                    marks.add(stack.size());
                    stack.add(MARK);
                }
                case '0' -> pop(); // POP
                case '1' -> popMark(); // POP_MARK
                case '2' -> push(peek()); // DUP
                case 'N' -> push(null);
                case 0x88 -> push(Boolean.TRUE);
                case 0x89 -> push(Boolean.FALSE);
                case 'K' -> push((long) u8()); // BININT1
                case 'M' -> push((long) u16()); // BININT2
                case 'J' -> push((long) i32()); // BININT
                case 0x8a -> push(longFromBytes(u8())); // LONG1
                case 0x8b -> push(longFromBytes(length(i32()))); // LONG4
                case 'I' -> push(parseIntLine()); // INT (protocol 0, also how True/False once looked)
                case 'L' -> push(parseLongLine()); // LONG (protocol 0)
                case 'G' -> push(Double.longBitsToDouble(i64BigEndian())); // BINFLOAT
                case 'X' -> push(string(length(i32()))); // BINUNICODE
                case 0x8c -> push(string(u8())); // SHORT_BINUNICODE
                case 0x8d -> push(string(length(u64()))); // BINUNICODE8
                case 'B' -> push(take(length(i32()))); // BINBYTES
                case 'C' -> push(take(u8())); // SHORT_BINBYTES
                case 0x8e -> push(take(length(u64()))); // BINBYTES8
                case 0x96 -> push(take(length(u64()))); // BYTEARRAY8
                case ')' -> push(new Tuple(List.of()));
                case 0x85 -> push(checked(tupleOf(1))); // TUPLE1
                case 0x86 -> push(checked(tupleOf(2))); // TUPLE2
                case 0x87 -> push(checked(tupleOf(3))); // TUPLE3
                case 't' -> push(checked(new Tuple(popMark()))); // TUPLE
                case ']' -> push(new ArrayList<>()); // EMPTY_LIST
                case 'l' -> push(new ArrayList<>(popMark())); // LIST
                case 'a' -> { // APPEND
                    Object value = pop();
                    list(peek()).add(value);
                }
                case 'e' -> { // APPENDS
                    List<Object> values = popMark();
                    list(peek()).addAll(values);
                }
                case '}' -> push(new LinkedHashMap<>()); // EMPTY_DICT
                case 'd' -> { // DICT
                    Map<Object, Object> dict = new LinkedHashMap<>();
                    putAll(dict, popMark());
                    push(dict);
                }
                case 's' -> { // SETITEM
                    Object value = pop();
                    Object key = pop();
                    putAll(dict(peek()), Arrays.asList(key, value));
                }
                case 'u' -> { // SETITEMS
                    List<Object> items = popMark();
                    putAll(dict(peek()), items);
                }
                case 'p' -> memoPut(parseIntLine()); // PUT
                case 'q' -> memoPut(u8()); // BINPUT
                case 'r' -> memoPut(u32()); // LONG_BINPUT
                case 0x94 -> memoPut(memo.size()); // MEMOIZE
                case 'g' -> push(memoGet(parseIntLine())); // GET
                case 'h' -> push(memoGet(u8())); // BINGET
                case 'j' -> push(memoGet(u32())); // LONG_BINGET
                case 'c' -> push(resolve(line(), line())); // GLOBAL
                case 0x93 -> { // STACK_GLOBAL
                    Object name = pop();
                    Object module = pop();
                    if (!(module instanceof String m) || !(name instanceof String n)) {
                        throw error("STACK_GLOBAL needs two strings");
                    }
                    push(resolve(m, n));
                }
                case 'R' -> { // REDUCE
                    Object args = pop();
                    Object callable = pop();
                    push(call(callable, args));
                }
                case 0x81 -> { // NEWOBJ
                    Object args = pop();
                    Object cls = pop();
                    push(newObject(cls, args));
                }
                case 0x92 -> { // NEWOBJ_EX
                    pop(); // kwargs
                    Object args = pop();
                    Object cls = pop();
                    push(newObject(cls, args));
                }
                case 'b' -> { // BUILD
                    Object state = pop();
                    build(peek(), state);
                }
                case 'Q' -> push(persistentLoader.load(pop())); // BINPERSID
                case 'P' -> push(persistentLoader.load(line())); // PERSID
                default -> throw error(String.format("unsupported pickle opcode 0x%02x at offset %d", op, opcodePos));
            }
        }
    }

    private Object resolve(String module, String name) {
        Object resolved = globals.resolve(module, name);
        if (resolved == null) {
            throw error("refused to load the global '" + module + "." + name + "': a checkpoint only contains"
                    + " tensors and module attributes, so this file is not a plain checkpoint (or is malicious)");
        }
        return resolved;
    }

    private Object call(Object callable, Object args) {
        if (!(callable instanceof Callable c)) {
            throw error("REDUCE on '" + summary(callable) + "', which is not an allowed callable");
        }
        if (!(args instanceof Tuple t)) {
            throw error("REDUCE arguments are not a tuple");
        }
        try {
            return c.call(t);
        } catch (CheckpointException e) {
            throw e.getMessage().startsWith(source) ? e : error(e.getMessage());
        }
    }

    private Object newObject(Object cls, Object args) {
        if (!(cls instanceof ClassRef ref)) {
            throw error("NEWOBJ on '" + summary(cls) + "', which is not an allowed class");
        }
        if (!(args instanceof Tuple t) || t.size() != 0) {
            throw error("NEWOBJ of " + ref.qualifiedName() + " with constructor arguments is not supported");
        }
        return new Instance(ref.qualifiedName());
    }

    private void build(Object target, Object state) {
        if (target instanceof Instance instance) {
            if (state instanceof Map<?, ?> map) {
                for (Map.Entry<?, ?> e : map.entrySet()) {
                    if (!(e.getKey() instanceof String key)) {
                        throw error("attribute name of " + instance.className() + " is not a string");
                    }
                    instance.attributes().put(key, e.getValue());
                }
                return;
            }
            throw error("BUILD of " + instance.className() + " with a " + typeName(state) + " state");
        }
        // An OrderedDict carries '_metadata' (module versions) and tensors may carry empty state:
        // attributes that do not affect the values, so they are dropped.
        if (target instanceof Map<?, ?> || target instanceof HostTensor) {
            return;
        }
        throw error("BUILD on a " + typeName(target));
    }

    private Tuple checked(Tuple tuple) {
        if (tuple.depth() > MAX_NESTING) {
            throw error("tuples nested more than " + MAX_NESTING + " levels deep; not a checkpoint (or malicious)");
        }
        return tuple;
    }

    /**
     * Refuses a result that holds a cycle (a list that contains itself, directly or not) or nests deeper than
     * {@link #MAX_NESTING}: one iterative pass over the value graph, visiting shared values once, so its cost is
     * linear in the pickle's size whatever the sharing.
     */
    private void checkStructure(Object root) {
        java.util.IdentityHashMap<Object, Integer> done = new java.util.IdentityHashMap<>(); // value -> depth
        java.util.IdentityHashMap<Object, Boolean> onPath = new java.util.IdentityHashMap<>();
        java.util.ArrayDeque<Object[]> frames = new java.util.ArrayDeque<>(); // {value, Iterator of children}
        if (!isContainer(root)) {
            return;
        }
        frames.push(new Object[] {root, children(root).iterator(), 1});
        onPath.put(root, Boolean.TRUE);
        while (!frames.isEmpty()) {
            Object[] frame = frames.peek();
            @SuppressWarnings("unchecked")
            java.util.Iterator<Object> it = (java.util.Iterator<Object>) frame[1];
            if (it.hasNext()) {
                Object child = it.next();
                if (!isContainer(child)) {
                    continue;
                }
                if (onPath.containsKey(child)) {
                    throw error("a " + typeName(child) + " that contains itself (a cyclic structure);"
                            + " checkpoints hold no cycles, so the file is corrupt or malicious");
                }
                Integer childDepth = done.get(child);
                if (childDepth != null) {
                    frame[2] = Math.max((Integer) frame[2], childDepth + 1);
                    continue;
                }
                if (frames.size() >= MAX_NESTING) {
                    throw error("values nested more than " + MAX_NESTING + " levels deep; not a checkpoint"
                            + " (or malicious)");
                }
                onPath.put(child, Boolean.TRUE);
                frames.push(new Object[] {child, children(child).iterator(), 1});
            } else {
                frames.pop();
                onPath.remove(frame[0]);
                int depth = (Integer) frame[2];
                if (depth > MAX_NESTING) {
                    throw error("values nested more than " + MAX_NESTING + " levels deep; not a checkpoint"
                            + " (or malicious)");
                }
                done.put(frame[0], depth);
                Object[] parent = frames.peek();
                if (parent != null) {
                    parent[2] = Math.max((Integer) parent[2], depth + 1);
                }
            }
        }
    }

    private static boolean isContainer(Object value) {
        return value instanceof Tuple || value instanceof List<?> || value instanceof Map<?, ?>
                || value instanceof Instance;
    }

    private static Iterable<Object> children(Object value) {
        if (value instanceof Tuple t) {
            return t.items();
        }
        if (value instanceof List<?> list) {
            @SuppressWarnings("unchecked")
            List<Object> l = (List<Object>) list;
            return l;
        }
        Map<?, ?> map = value instanceof Instance instance ? instance.attributes() : (Map<?, ?>) value;
        List<Object> out = new ArrayList<>(2 * map.size());
        for (Map.Entry<?, ?> e : map.entrySet()) {
            out.add(e.getKey());
            out.add(e.getValue());
        }
        return out;
    }

    /**
     * A short rendering of a pickle value for error messages: at most about {@value #SUMMARY_CHARS} characters
     * and a few items per container, computed iteratively, so shared, deep or cyclic structure costs nothing.
     */
    static String summary(Object value) {
        StringBuilder sb = new StringBuilder();
        java.util.ArrayDeque<Object> todo = new java.util.ArrayDeque<>();
        todo.push(value);
        while (!todo.isEmpty()) {
            if (sb.length() > SUMMARY_CHARS) {
                sb.append("...");
                break;
            }
            Object v = todo.pop();
            if (v instanceof Literal literal) {
                sb.append(literal.text());
            } else if (v instanceof Tuple t) {
                pushItems(todo, t.items(), "(", t.size() == 1 ? ",)" : ")");
            } else if (v instanceof List<?> list) {
                pushItems(todo, list, "[", "]");
            } else if (v instanceof Map<?, ?> map) {
                List<Object> items = new ArrayList<>();
                int n = 0;
                for (Map.Entry<?, ?> e : map.entrySet()) {
                    if (n++ == 4) {
                        break;
                    }
                    items.add(new Pair(e.getKey(), e.getValue()));
                }
                pushItems(todo, items, "{", map.size() > 4 ? ", ...}" : "}");
            } else if (v instanceof Pair pair) {
                todo.push(pair.value());
                todo.push(new Literal(": "));
                todo.push(pair.key());
            } else if (v instanceof String s) {
                sb.append('\'').append(s.length() > 40 ? s.substring(0, 40) + "..." : s).append('\'');
            } else if (v instanceof byte[] b) {
                sb.append("bytes[").append(b.length).append(']');
            } else if (v instanceof Instance instance) {
                sb.append(instance.className());
            } else if (v == null) {
                sb.append("None");
            } else if (v instanceof Number || v instanceof Boolean || v instanceof HostTensor) {
                sb.append(v);
            } else {
                sb.append(typeName(v));
            }
        }
        return sb.toString();
    }

    private record Literal(String text) {}

    private record Pair(Object key, Object value) {}

    private static void pushItems(java.util.ArrayDeque<Object> todo, List<?> items, String open, String close) {
        int shown = Math.min(items.size(), 8);
        todo.push(new Literal(items.size() > shown ? ", ...(" + items.size() + " items)" + close : close));
        for (int i = shown - 1; i >= 0; i--) {
            todo.push(items.get(i));
            if (i > 0) {
                todo.push(new Literal(", "));
            }
        }
        todo.push(new Literal(open));
    }

    private void putAll(Map<Object, Object> dict, List<Object> items) {
        if (items.size() % 2 != 0) {
            throw error("odd number of items for a dict");
        }
        for (int i = 0; i < items.size(); i += 2) {
            Object key = items.get(i);
            Object value = items.get(i + 1);
            if (key instanceof List<?> || key instanceof Map<?, ?> || key instanceof byte[]) {
                throw error("unhashable dict key of type " + typeName(key));
            }
            dict.put(key, value);
        }
    }

    private Tuple tupleOf(int n) {
        if (stack.size() < n) {
            throw error("stack underflow");
        }
        List<Object> items = new ArrayList<>(stack.subList(stack.size() - n, stack.size()));
        if (items.contains(MARK)) {
            throw error("tuple built across a MARK");
        }
        stack.subList(stack.size() - n, stack.size()).clear();
        return new Tuple(items);
    }

    private List<Object> popMark() {
        if (marks.isEmpty()) {
            throw error("no MARK on the stack");
        }
        int mark = marks.remove(marks.size() - 1);
        List<Object> items = new ArrayList<>(stack.subList(mark + 1, stack.size()));
        stack.subList(mark, stack.size()).clear();
        return items;
    }

    private void push(Object value) {
        stack.add(value);
    }

    private Object pop() {
        Object value = peek();
        stack.remove(stack.size() - 1);
        return value;
    }

    private Object peek() {
        if (stack.isEmpty() || stack.get(stack.size() - 1) == MARK) {
            throw error("stack underflow");
        }
        return stack.get(stack.size() - 1);
    }

    private void memoPut(long index) {
        memo.put(index, peek());
    }

    private Object memoGet(long index) {
        if (!memo.containsKey(index)) {
            throw error("memo entry " + index + " used before it was stored");
        }
        return memo.get(index);
    }

    @SuppressWarnings("unchecked")
    private List<Object> list(Object value) {
        if (value instanceof ArrayList<?> list) {
            return (List<Object>) list;
        }
        throw error("APPEND to a " + typeName(value));
    }

    @SuppressWarnings("unchecked")
    private Map<Object, Object> dict(Object value) {
        if (value instanceof LinkedHashMap<?, ?> map) {
            return (Map<Object, Object>) map;
        }
        throw error("SETITEM on a " + typeName(value));
    }

    private int u8() {
        need(1);
        return bytes[pos++] & 0xff;
    }

    private int u16() {
        need(2);
        int v = (bytes[pos] & 0xff) | (bytes[pos + 1] & 0xff) << 8;
        pos += 2;
        return v;
    }

    private int i32() {
        need(4);
        int v = (bytes[pos] & 0xff) | (bytes[pos + 1] & 0xff) << 8 | (bytes[pos + 2] & 0xff) << 16
                | (bytes[pos + 3] & 0xff) << 24;
        pos += 4;
        return v;
    }

    private long u32() {
        return i32() & 0xffffffffL;
    }

    private long u64() {
        long lo = u32();
        long hi = u32();
        return hi << 32 | lo;
    }

    private long i64BigEndian() {
        need(8);
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = v << 8 | (bytes[pos++] & 0xff);
        }
        return v;
    }

    /** A length field, checked against the bytes that remain before anything is allocated. */
    private int length(long n) {
        if (n < 0 || n > bytes.length - pos) {
            throw error("length " + Long.toUnsignedString(n) + " runs past the end of the pickle (truncated?)");
        }
        return (int) n;
    }

    private byte[] take(int n) {
        need(n);
        byte[] out = new byte[n];
        System.arraycopy(bytes, pos, out, 0, n);
        pos += n;
        return out;
    }

    private String string(int n) {
        need(n);
        String s = new String(bytes, pos, n, StandardCharsets.UTF_8);
        pos += n;
        return s;
    }

    /** Python's little-endian two's-complement long; torch only needs values that fit 64 bits. */
    private Long longFromBytes(int n) {
        if (n > 8) {
            throw error("integer of " + n + " bytes is too large");
        }
        need(n);
        long v = 0;
        for (int i = n - 1; i >= 0; i--) {
            v = v << 8 | (bytes[pos + i] & 0xff);
        }
        if (n > 0 && n < 8 && (bytes[pos + n - 1] & 0x80) != 0) {
            v -= 1L << (8 * n);
        }
        pos += n;
        return v;
    }

    private String line() {
        int end = pos;
        while (end < bytes.length && bytes[end] != '\n') {
            if (end - pos > 1024) {
                throw error("text line longer than 1024 bytes");
            }
            end++;
        }
        if (end >= bytes.length) {
            throw error("unterminated text line (truncated?)");
        }
        String s = new String(bytes, pos, end - pos, StandardCharsets.UTF_8);
        pos = end + 1;
        return s;
    }

    private long parseIntLine() {
        String s = line();
        if (s.equals("00")) {
            return 0;
        }
        if (s.equals("01")) {
            return 1;
        }
        try {
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            throw error("bad integer '" + s + "'");
        }
    }

    private long parseLongLine() {
        String s = line();
        return parseLongText(s.endsWith("L") ? s.substring(0, s.length() - 1) : s);
    }

    private long parseLongText(String s) {
        try {
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            throw error("bad integer '" + s + "'");
        }
    }

    private void need(int n) {
        if (n < 0 || n > bytes.length - pos) {
            throw error("unexpected end of the pickle at offset " + pos + " (truncated?)");
        }
    }

    private CheckpointException error(String problem) {
        return new CheckpointException(source + ": " + problem);
    }

    static String typeName(Object value) {
        if (value == null) {
            return "None";
        }
        if (value instanceof Instance instance) {
            return instance.className();
        }
        return value.getClass().getSimpleName();
    }
}
