package io.github.clip4j.cli;

import io.github.clip4j.internal.retrieval.IndexRows;
import io.github.clip4j.retrieval.IndexException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.api.ReadSupport;
import org.apache.parquet.hadoop.api.WriteSupport;
import org.apache.parquet.hadoop.example.GroupReadSupport;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.io.LocalInputFile;
import org.apache.parquet.io.OutputFile;
import org.apache.parquet.io.PositionOutputStream;
import io.github.clip4j.internal.io.AtomicFiles;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.io.api.RecordConsumer;
import org.apache.parquet.schema.GroupType;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.MessageTypeParser;
import org.apache.parquet.schema.Type;

/**
 * The embeddings hand-over format (with clip-spark and external vector databases): Parquet with columns
 * {@code path} (string), {@code embedding} (list of float), {@code size} (int64, optional) and {@code mtime} (int64 ms
 * since the epoch, optional), and the model id in the file's key-value metadata under {@value #MODEL_ID_KEY}.
 *
 * <p>Written as Spark writes {@code array<float>} (the three-level LIST with nullable elements), snappy-compressed.
 * Read leniently: any column order, extra columns ignored, two- or three-level lists, float or double elements.
 */
final class EmbeddingsParquet {
    /** The key-value metadata key of the model id. */
    static final String MODEL_ID_KEY = "clip4j.model_id";
    /** Where Spark's writer keeps the row schema (JSON, with field metadata) in the key-value metadata. */
    static final String SPARK_ROW_METADATA = "org.apache.spark.sql.parquet.row.metadata";

    static final MessageType SCHEMA = MessageTypeParser.parseMessageType("message clip4j_embeddings {\n"
            + "  required binary path (STRING);\n"
            + "  required group embedding (LIST) { repeated group list { optional float element; } }\n"
            + "  optional int64 size;\n"
            + "  optional int64 mtime;\n"
            + "}");

    private EmbeddingsParquet() {}

    /** A file's model id and rows; the rows are read lazily, once. */
    record Input(Path file, String modelId, long rowCount) {}

    /** The Parquet files {@code fileOrDir} names: itself, or the {@code *.parquet} files in it (as Spark writes). */
    static List<Path> files(Path fileOrDir) throws IOException {
        if (!Files.isDirectory(fileOrDir)) {
            if (!Files.exists(fileOrDir)) {
                throw new IndexException("no Parquet file or folder at " + fileOrDir);
            }
            return List.of(fileOrDir);
        }
        try (Stream<Path> files = Files.list(fileOrDir)) {
            List<Path> parquet = files.filter(f -> f.getFileName().toString().endsWith(".parquet")
                    && !f.getFileName().toString().startsWith(".")).sorted().toList();
            if (parquet.isEmpty()) {
                throw new IndexException("no *.parquet files in " + fileOrDir);
            }
            return parquet;
        }
    }

    /** The model id and row count of {@code file}, from its footer. */
    static Input open(Path file) throws IOException {
        try (ParquetFileReader reader = ParquetFileReader.open(new LocalInputFile(file))) {
            Map<String, String> meta = reader.getFooter().getFileMetaData().getKeyValueMetaData();
            String modelId = meta.get(MODEL_ID_KEY);
            if (modelId == null) {
                modelId = sparkFieldModelId(meta.get(SPARK_ROW_METADATA));
            }
            if (modelId == null) {
                throw new IndexException(file + " has no " + MODEL_ID_KEY + " in its Parquet metadata: it does not say"
                        + " which model made its embeddings; write it with 'clip export' or clip-spark's embed");
            }
            MessageType schema = reader.getFooter().getFileMetaData().getSchema();
            for (String column : List.of("path", "embedding")) {
                if (!schema.containsField(column)) {
                    throw new IndexException(file + " has no '" + column + "' column (it has " + schema.getFields()
                            .stream().map(Type::getName).toList() + "); the format is path, embedding, size, mtime");
                }
            }
            return new Input(file, modelId, reader.getRecordCount());
        } catch (IndexException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            // parquet-mr reports a broken footer as a plain RuntimeException: the file is untrusted input.
            throw new IndexException("cannot read " + file + " as Parquet: " + e.getMessage(), e);
        }
    }

    /**
     * The model id clip-spark's embed job writes: Spark's Parquet writer takes no custom footer entries, so the id
     * is in the {@code embedding} field's metadata ({@value #MODEL_ID_KEY}) of the row schema Spark stores in the
     * footer under {@value #SPARK_ROW_METADATA}. Null when absent or unreadable.
     */
    static String sparkFieldModelId(String rowSchema) {
        if (rowSchema == null) {
            return null;
        }
        try {
            for (com.fasterxml.jackson.databind.JsonNode field : new com.fasterxml.jackson.databind.ObjectMapper()
                    .readTree(rowSchema).path("fields")) {
                if ("embedding".equals(field.path("name").asText())) {
                    com.fasterxml.jackson.databind.JsonNode id = field.path("metadata").path(MODEL_ID_KEY);
                    return id.isTextual() ? id.asText() : null;
                }
            }
        } catch (IOException e) {
            // not JSON: the file says nothing about its model
        }
        return null;
    }

        /** The rows of {@code file}, read as they are iterated. */
    static Iterable<IndexRows.Row> rows(Path file) {
        return () -> {
            ParquetReader<Group> reader;
            try {
                reader = new ParquetReader.Builder<Group>(new LocalInputFile(file)) {
                    @Override
                    protected ReadSupport<Group> getReadSupport() {
                        return new GroupReadSupport();
                    }
                }.build();
            } catch (IOException | RuntimeException e) {
                throw new IndexException("cannot read " + file + " as Parquet: " + e.getMessage(), e);
            }
            return new Iterator<>() {
                private Group next = read();

                private Group read() {
                    try {
                        Group g = reader.read();
                        if (g == null) {
                            reader.close();
                        }
                        return g;
                    } catch (IndexException e) {
                        throw e;
                    } catch (IOException | RuntimeException e) {
                        throw new IndexException("cannot read " + file + " as Parquet: " + e.getMessage(), e);
                    }
                }

                @Override
                public boolean hasNext() {
                    return next != null;
                }

                @Override
                public IndexRows.Row next() {
                    if (next == null) {
                        throw new NoSuchElementException();
                    }
                    Group g = next;
                    next = read();
                    try {
                        return row(g);
                    } catch (IndexException e) {
                        throw new IndexException(file + ": " + e.getMessage(), e);
                    } catch (RuntimeException e) {
                        throw new IndexException("cannot read " + file + " as Parquet: a row does not have the"
                                + " format's types (" + e.getMessage() + ")", e);
                    }
                }
            };
        };
    }

    private static IndexRows.Row row(Group g) {
        GroupType type = g.getType();
        String path = g.getString("path", 0);
        float[] embedding = floats(g.getGroup("embedding", 0));
        long size = type.containsField("size") && g.getFieldRepetitionCount("size") > 0 ? g.getLong("size", 0)
                : IndexRows.UNKNOWN;
        long mtime = type.containsField("mtime") && g.getFieldRepetitionCount("mtime") > 0 ? g.getLong("mtime", 0)
                : IndexRows.UNKNOWN;
        return new IndexRows.Row(path, embedding, size, mtime);
    }

    /** A LIST group's values: three-level ({@code list.element}) or two-level (a repeated primitive). */
    private static float[] floats(Group list) {
        int n = list.getFieldRepetitionCount(0);
        float[] values = new float[n];
        Type repeated = list.getType().getType(0);
        for (int i = 0; i < n; i++) {
            if (repeated.isPrimitive()) {
                values[i] = number(list, 0, i, repeated);
            } else {
                Group element = list.getGroup(0, i);
                Type elementType = element.getType().getType(0);
                if (element.getFieldRepetitionCount(0) == 0) {
                    throw new IndexException("an embedding has a null value at position " + i);
                }
                values[i] = number(element, 0, 0, elementType);
            }
        }
        return values;
    }

    private static float number(Group g, int field, int index, Type type) {
        return switch (type.asPrimitiveType().getPrimitiveTypeName()) {
            case FLOAT -> g.getFloat(field, index);
            case DOUBLE -> (float) g.getDouble(field, index);
            default -> throw new IndexException("embedding values are " + type.asPrimitiveType()
                    .getPrimitiveTypeName() + ", not float or double");
        };
    }

    /** Writes rows to {@code out} (replacing it), with {@code modelId} in the metadata. */
    static final class Writer implements AutoCloseable {
        private final ParquetWriter<IndexRows.Row> writer;

        /** Writes into {@code channel} (e.g. {@code AtomicFiles}' temporary file), which it does not close. */
        Writer(FileChannel channel, String modelId) throws IOException {
            Map<String, String> meta = new HashMap<>();
            meta.put(MODEL_ID_KEY, modelId);
            writer = new RowWriterBuilder(new ChannelOutputFile(channel)).withExtraMetaData(meta)
                    .withCompressionCodec(CompressionCodecName.SNAPPY).build();
        }

        void write(IndexRows.Row row) throws IOException {
            writer.write(row);
        }

        @Override
        public void close() throws IOException {
            writer.close();
        }
    }

    private static final class RowWriterBuilder extends ParquetWriter.Builder<IndexRows.Row, RowWriterBuilder> {
        RowWriterBuilder(OutputFile file) {
            super(file);
        }

        @Override
        protected RowWriterBuilder self() {
            return this;
        }

        @Override
        protected WriteSupport<IndexRows.Row> getWriteSupport(Configuration conf) {
            return new RowWriteSupport();
        }
    }

    /** One record per row, straight to the record consumer (no intermediate objects). */
    private static final class RowWriteSupport extends WriteSupport<IndexRows.Row> {
        private RecordConsumer out;

        @Override
        public WriteContext init(Configuration configuration) {
            return new WriteContext(SCHEMA, new HashMap<>());
        }

        @Override
        public void prepareForWrite(RecordConsumer recordConsumer) {
            this.out = recordConsumer;
        }

        @Override
        public void write(IndexRows.Row row) {
            out.startMessage();
            out.startField("path", 0);
            out.addBinary(Binary.fromString(row.path()));
            out.endField("path", 0);
            out.startField("embedding", 1);
            out.startGroup();
            if (row.embedding().length > 0) {
                out.startField("list", 0);
                for (float v : row.embedding()) {
                    out.startGroup();
                    out.startField("element", 0);
                    out.addFloat(v);
                    out.endField("element", 0);
                    out.endGroup();
                }
                out.endField("list", 0);
            }
            out.endGroup();
            out.endField("embedding", 1);
            if (row.size() != IndexRows.UNKNOWN) {
                out.startField("size", 2);
                out.addLong(row.size());
                out.endField("size", 2);
            }
            if (row.modifiedMillis() != IndexRows.UNKNOWN) {
                out.startField("mtime", 3);
                out.addLong(row.modifiedMillis());
                out.endField("mtime", 3);
            }
            out.endMessage();
        }
    }

    /** Writes every row of the index at {@code index} into {@code channel}; {@return the number of rows} */
    static long export(Path index, FileChannel channel) throws IOException {
        Writer[] writer = {null};
        try {
            return IndexRows.exportRows(index, header -> {
                try {
                    writer[0] = new Writer(channel, header.modelId());
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }, row -> writer[0].write(row));
        } finally {
            if (writer[0] != null) {
                writer[0].close();
            }
        }
    }

    static List<Input> openAll(Path fileOrDir) throws IOException {
        List<Input> inputs = new ArrayList<>();
        for (Path f : files(fileOrDir)) {
            inputs.add(open(f));
        }
        return inputs;
    }

    /** A Parquet output over an open channel, buffered; closing the stream flushes but leaves the channel open. */
    private static final class ChannelOutputFile implements OutputFile {
        private final FileChannel channel;

        ChannelOutputFile(FileChannel channel) {
            this.channel = channel;
        }

        @Override
        public PositionOutputStream create(long blockSizeHint) {
            return new PositionOutputStream() {
                private final ByteBuffer buffer = ByteBuffer.allocate(1 << 16);
                private long flushed = position();

                private long position() {
                    try {
                        return channel.position();
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                }

                @Override
                public long getPos() {
                    return flushed + buffer.position();
                }

                @Override
                public void write(int b) throws IOException {
                    if (!buffer.hasRemaining()) {
                        flush();
                    }
                    buffer.put((byte) b);
                }

                @Override
                public void write(byte[] b, int off, int len) throws IOException {
                    if (len > buffer.remaining()) {
                        flush();
                    }
                    if (len > buffer.capacity()) {
                        AtomicFiles.writeFully(channel, ByteBuffer.wrap(b, off, len));
                        flushed += len;
                    } else {
                        buffer.put(b, off, len);
                    }
                }

                @Override
                public void flush() throws IOException {
                    buffer.flip();
                    flushed += buffer.remaining();
                    AtomicFiles.writeFully(channel, buffer);
                    buffer.clear();
                }

                @Override
                public void close() throws IOException {
                    flush();
                }
            };
        }

        @Override
        public PositionOutputStream createOrOverwrite(long blockSizeHint) {
            return create(blockSizeHint);
        }

        @Override
        public boolean supportsBlockSize() {
            return false;
        }

        @Override
        public long defaultBlockSize() {
            return 0;
        }
    }
}
