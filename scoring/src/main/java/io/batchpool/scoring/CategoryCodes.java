package io.batchpool.scoring;

import ai.onnx.proto.OnnxMl;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import com.google.protobuf.ByteString;

import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Categorical columns fed to the model as int64 codes instead of strings.
 *
 * <p>ONNX Runtime's Java API hands a string tensor over one string at a time through JNI (about 300 ns a string),
 * more than a small model needs to score the whole row. In the skl2onnx layout a categorical column is read by one
 * encoder that holds its vocabulary: a {@code OneHotEncoder} ({@code cats_strings}), a {@code LabelEncoder}
 * ({@code keys_strings} to {@code values_int64s}, or opset 1's {@code classes_strings}) or a {@code CategoryMapper}
 * ({@code cats_strings} to {@code cats_int64s}). For such a column the scorer looks each cell up in a Java map and
 * feeds one int64 per row to a copy of the graph in which the column is an int64 input: the OneHotEncoder knows its
 * categories by index ({@code cats_int64s} 0..k-1, {@code zeros} unchanged), and a LabelEncoder or CategoryMapper is
 * replaced by an Identity, since the code already is its output.
 *
 * <p>The codes do not reimplement the encoders: at load, ONNX Runtime runs each encoder over its own vocabulary and
 * two values it does not know, fed the way cells are fed (so through the same JNI string conversion). Every string
 * the encoder recognises is therefore in the map with the code ONNX Runtime gives it, and any other string gets the
 * code ONNX Runtime gives an unknown value: index -1 for a OneHotEncoder (all zeros, or the same "unknown category"
 * failure when {@code zeros} is 0), the default value for the others. A column whose encoder does not fit (another
 * reader, another operator, non-int64 values) keeps its string input.
 */
final class CategoryCodes {

    /** The codes of no column: every categorical column is fed as strings. */
    static final CategoryCodes NONE = new CategoryCodes(Map.of(), null);

    private static final String ML_DOMAIN = "ai.onnx.ml";
    private static final int INT64 = OnnxMl.TensorProto.DataType.INT64.getNumber();
    private static final int FLOAT = OnnxMl.TensorProto.DataType.FLOAT.getNumber();
    private static final int STRING = OnnxMl.TensorProto.DataType.STRING.getNumber();

    /**
     * One column's codes: the strings the encoder knows, and the code of every other string. Looked up from the
     * parser's chars without making a String: an open-addressing table hashed on the length and a few chars at each
     * end (categories are short and differ there), confirmed by comparing the whole text.
     */
    static final class Column {
        private final Map<String, Long> codes;
        private final long unknown;
        private final char[][] keys;
        private final long[] values;
        private final int mask;

        Column(Map<String, Long> codes, long unknown) {
            this.codes = Map.copyOf(codes);
            this.unknown = unknown;
            int slots = Integer.highestOneBit(Math.max(2, codes.size()) * 2) * 2; // load at most one half
            this.keys = new char[slots][];
            this.values = new long[slots];
            this.mask = slots - 1;
            for (Map.Entry<String, Long> entry : codes.entrySet()) {
                char[] key = entry.getKey().toCharArray();
                int slot = hash(key, 0, key.length) & mask;
                while (keys[slot] != null) {
                    slot = (slot + 1) & mask;
                }
                keys[slot] = key;
                values[slot] = entry.getValue();
            }
        }

        long code(String cell) {
            Long code = codes.get(cell);
            return code == null ? unknown : code;
        }

        long code(char[] chars, int offset, int length) {
            for (int slot = hash(chars, offset, length) & mask; ; slot = (slot + 1) & mask) {
                char[] key = keys[slot];
                if (key == null) {
                    return unknown;
                }
                if (key.length == length && java.util.Arrays.equals(key, 0, length, chars, offset, offset + length)) {
                    return values[slot];
                }
            }
        }

        int size() {
            return codes.size();
        }

        private static int hash(char[] chars, int offset, int length) {
            int h = length;
            int head = Math.min(length, 4);
            for (int i = 0; i < head; i++) {
                h = 31 * h + chars[offset + i];
            }
            for (int i = Math.max(head, length - 4); i < length; i++) {
                h = 31 * h + chars[offset + i];
            }
            return h ^ (h >>> 16);
        }
    }

    private final Map<String, Column> columns;
    /** The graph taking the coded columns as int64 inputs; null when no column is coded. */
    private final ModelGraph rewritten;

    private CategoryCodes(Map<String, Column> columns, ModelGraph rewritten) {
        this.columns = Map.copyOf(columns);
        this.rewritten = rewritten;
    }

    boolean isEmpty() {
        return columns.isEmpty();
    }

    /** The codes of {@code input}, or null when it is fed as strings. */
    Column column(String input) {
        return columns.get(input);
    }

    /** Names of the coded inputs. */
    Set<String> columnNames() {
        return columns.keySet();
    }

    /** The graph to score with: the coded columns are int64 inputs. */
    ModelGraph graph() {
        if (rewritten == null) {
            throw new IllegalStateException("no column is coded");
        }
        return rewritten;
    }

    /**
     * Codes every categorical input of {@code graph} whose only reader is an encoder that fits, asking ONNX Runtime
     * what that encoder makes of each of its categories. Never fails: a column that cannot be coded keeps strings.
     */
    static CategoryCodes plan(ModelGraph graph, List<InputColumn> inputs, OrtEnvironment env) {
        if (graph.hasSubgraphs()) {
            return NONE;
        }
        Map<String, Column> columns = new HashMap<>();
        OnnxMl.GraphProto.Builder rewritten = graph.proto().getGraph().toBuilder();
        for (InputColumn input : inputs) {
            if (input.kind() != ColumnKind.CATEGORICAL || graph.isGraphOutput(input.name())) {
                continue;
            }
            List<OnnxMl.NodeProto> readers = graph.consumersOf(input.name());
            if (readers.size() != 1) {
                continue;
            }
            OnnxMl.NodeProto encoder = readers.get(0);
            Optional<Encoder> kind = Encoder.of(encoder, graph.proto());
            if (kind.isEmpty()) {
                continue;
            }
            Column column = probe(graph.proto(), encoder, kind.get(), env);
            if (column == null) {
                continue;
            }
            columns.put(input.name(), column);
            rewrite(rewritten, input.name(), encoder, kind.get());
        }
        if (columns.isEmpty()) {
            return NONE;
        }
        return new CategoryCodes(columns, new ModelGraph(graph.proto().toBuilder().setGraph(rewritten).build()));
    }

    /** The encoders that can be fed codes, and what each is asked at load. */
    private enum Encoder {
        /** Code = the index of the category's one-hot slot; -1 for anything else. */
        ONE_HOT,
        /** Code = the encoder's own int64 output (LabelEncoder, CategoryMapper). */
        INT64_MAP;

        static Optional<Encoder> of(OnnxMl.NodeProto node, OnnxMl.ModelProto model) {
            if (!node.getDomain().equals(ML_DOMAIN) || node.getInputCount() != 1 || node.getOutputCount() != 1) {
                return Optional.empty();
            }
            boolean defaultOpset = model.getOpsetImportList().stream()
                    .anyMatch(o -> o.getDomain().isEmpty() || o.getDomain().equals("ai.onnx"));
            switch (node.getOpType()) {
                case "OneHotEncoder":
                    return has(node, "cats_strings") ? Optional.of(ONE_HOT) : Optional.empty();
                case "LabelEncoder":
                    boolean toInt64 = has(node, "keys_strings") && has(node, "values_int64s")
                            || has(node, "classes_strings") && !has(node, "keys_strings");
                    return toInt64 && defaultOpset ? Optional.of(INT64_MAP) : Optional.empty();
                case "CategoryMapper":
                    return has(node, "cats_strings") && has(node, "cats_int64s") && defaultOpset
                            ? Optional.of(INT64_MAP) : Optional.empty();
                default:
                    return Optional.empty();
            }
        }

        private static boolean has(OnnxMl.NodeProto node, String attribute) {
            return node.getAttributeList().stream().anyMatch(a -> a.getName().equals(attribute));
        }
    }

    /**
     * Runs a copy of {@code encoder} over every string it knows and two it does not, as the scorer would feed them,
     * and returns the code of each; null when the answers are not usable (then the column keeps strings).
     */
    private static Column probe(OnnxMl.ModelProto model, OnnxMl.NodeProto encoder, Encoder kind, OrtEnvironment env) {
        List<String> known = new ArrayList<>(candidates(encoder));
        List<String> probes = new ArrayList<>(known);
        probes.addAll(unknownValues(encoder, 2));
        OnnxMl.NodeProto.Builder node = encoder.toBuilder().clearInput().addInput("x").clearOutput().addOutput("y");
        if (kind == Encoder.ONE_HOT) {
            // unknown values give all zeros instead of failing, so they can be told apart
            node.clearAttribute();
            for (OnnxMl.AttributeProto attribute : encoder.getAttributeList()) {
                if (!attribute.getName().equals("zeros")) {
                    node.addAttribute(attribute);
                }
            }
            node.addAttribute(OnnxMl.AttributeProto.newBuilder().setName("zeros")
                    .setType(OnnxMl.AttributeProto.AttributeType.INT).setI(1));
        }
        OnnxMl.GraphProto graph = OnnxMl.GraphProto.newBuilder().setName("category_codes")
                .addInput(valueInfo("x", STRING, true))
                .addNode(node)
                .addOutput(valueInfo("y", kind == Encoder.ONE_HOT ? FLOAT : INT64, false))
                .build();
        byte[] probeModel = OnnxMl.ModelProto.newBuilder().setIrVersion(model.getIrVersion())
                .addAllOpsetImport(model.getOpsetImportList()).setGraph(graph).build().toByteArray();
        long[] codes;
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setIntraOpNumThreads(1);
            options.setInterOpNumThreads(1);
            options.setSessionLogLevel(ai.onnxruntime.OrtLoggingLevel.ORT_LOGGING_LEVEL_FATAL);
            try (OrtSession session = env.createSession(probeModel, options);
                 OnnxTensor x = OnnxTensor.createTensor(env, probes.toArray(String[]::new), new long[] {probes.size(), 1});
                 OrtSession.Result result = session.run(Map.of("x", x))) {
                OnnxTensor y = (OnnxTensor) result.get(0);
                codes = kind == Encoder.ONE_HOT ? slots(y, probes.size()) : longs(y, probes.size());
            }
        } catch (OrtException | RuntimeException e) {
            return null;
        }
        if (codes == null) {
            return null;
        }
        long unknown = codes[known.size()];
        if (codes[known.size() + 1] != unknown) {
            return null; // two unknown values disagree: not a plain lookup
        }
        Map<String, Long> byCell = new HashMap<>();
        for (int i = 0; i < known.size(); i++) {
            if (codes[i] != unknown) {
                byCell.put(known.get(i), codes[i]);
            }
        }
        return new Column(byCell, unknown);
    }

    /** Per row of a OneHotEncoder's output, the index of its 1, or -1 when all zeros; null when not one-hot. */
    private static long[] slots(OnnxTensor y, int rows) throws OrtException {
        FloatBuffer values = y.getFloatBuffer();
        int width = values.remaining() / rows;
        long[] slots = new long[rows];
        for (int r = 0; r < rows; r++) {
            slots[r] = -1;
            for (int j = 0; j < width; j++) {
                float v = values.get(r * width + j);
                if (v == 1f && slots[r] == -1) {
                    slots[r] = j;
                } else if (v != 0f) {
                    return null;
                }
            }
        }
        return slots;
    }

    private static long[] longs(OnnxTensor y, int rows) throws OrtException {
        LongBuffer values = y.getLongBuffer();
        if (values.remaining() != rows) {
            return null;
        }
        long[] codes = new long[rows];
        values.get(codes);
        return codes;
    }

    /**
     * The Java strings that can match the encoder's categories: each category's bytes read as UTF-8, and also as the
     * modified UTF-8 that JNI hands to ONNX Runtime when that reads differently. Which of them match is ONNX
     * Runtime's answer, not ours.
     */
    private static Set<String> candidates(OnnxMl.NodeProto encoder) {
        Set<String> candidates = new LinkedHashSet<>();
        for (ByteString category : categories(encoder)) {
            candidates.add(category.toString(StandardCharsets.UTF_8));
            String modified = ModifiedUtf8.decode(category.toByteArray());
            if (modified != null) {
                candidates.add(modified);
            }
        }
        return candidates;
    }

    private static List<ByteString> categories(OnnxMl.NodeProto encoder) {
        for (String name : new String[] {"cats_strings", "keys_strings", "classes_strings"}) {
            for (OnnxMl.AttributeProto attribute : encoder.getAttributeList()) {
                if (attribute.getName().equals(name)) {
                    return attribute.getStringsList();
                }
            }
        }
        return List.of();
    }

    /** {@code count} ASCII strings that are none of the encoder's categories. */
    private static List<String> unknownValues(OnnxMl.NodeProto encoder, int count) {
        Set<ByteString> categories = new java.util.HashSet<>(categories(encoder));
        List<String> unknown = new ArrayList<>();
        for (int i = 0; unknown.size() < count; i++) {
            String value = "\u0001batchpool unknown category " + i;
            if (!categories.contains(ByteString.copyFromUtf8(value))) {
                unknown.add(value);
            }
        }
        return unknown;
    }

    /** In {@code graph}: {@code input} becomes int64 and {@code encoder} is rewritten to read codes. */
    private static void rewrite(OnnxMl.GraphProto.Builder graph, String input, OnnxMl.NodeProto encoder, Encoder kind) {
        for (OnnxMl.ValueInfoProto.Builder value : graph.getInputBuilderList()) {
            if (value.getName().equals(input)) {
                value.getTypeBuilder().getTensorTypeBuilder().setElemType(INT64);
            }
        }
        for (int i = 0; i < graph.getNodeCount(); i++) {
            if (!graph.getNode(i).equals(encoder)) {
                continue;
            }
            if (kind == Encoder.ONE_HOT) {
                int categories = categories(encoder).size();
                OnnxMl.AttributeProto.Builder indices = OnnxMl.AttributeProto.newBuilder().setName("cats_int64s")
                        .setType(OnnxMl.AttributeProto.AttributeType.INTS);
                for (long c = 0; c < categories; c++) {
                    indices.addInts(c);
                }
                OnnxMl.NodeProto.Builder node = encoder.toBuilder().clearAttribute();
                for (OnnxMl.AttributeProto attribute : encoder.getAttributeList()) {
                    if (!attribute.getName().equals("cats_strings")) {
                        node.addAttribute(attribute);
                    }
                }
                graph.setNode(i, node.addAttribute(indices));
            } else {
                graph.setNode(i, OnnxMl.NodeProto.newBuilder()
                        .setName(encoder.getName() + "_as_codes")
                        .setOpType("Identity")
                        .addInput(input)
                        .addOutput(encoder.getOutput(0)));
            }
        }
    }

    private static OnnxMl.ValueInfoProto valueInfo(String name, int elemType, boolean column) {
        OnnxMl.TypeProto.Tensor.Builder tensor = OnnxMl.TypeProto.Tensor.newBuilder().setElemType(elemType);
        if (column) {
            tensor.setShape(OnnxMl.TensorShapeProto.newBuilder()
                    .addDim(OnnxMl.TensorShapeProto.Dimension.newBuilder().setDimParam("N"))
                    .addDim(OnnxMl.TensorShapeProto.Dimension.newBuilder().setDimValue(1)));
        }
        return OnnxMl.ValueInfoProto.newBuilder().setName(name)
                .setType(OnnxMl.TypeProto.newBuilder().setTensorType(tensor)).build();
    }

    /** Java's modified UTF-8 (what JNI's {@code GetStringUTFChars} returns), decoded strictly. */
    static final class ModifiedUtf8 {
        private ModifiedUtf8() {
        }

        /** The string whose modified UTF-8 is exactly {@code bytes}, or null when there is none. */
        static String decode(byte[] bytes) {
            StringBuilder text = new StringBuilder(bytes.length);
            int i = 0;
            while (i < bytes.length) {
                int b = bytes[i] & 0xFF;
                if (b != 0 && b < 0x80) {
                    text.append((char) b);
                    i += 1;
                } else if ((b & 0xE0) == 0xC0 && i + 1 < bytes.length && (bytes[i + 1] & 0xC0) == 0x80) {
                    text.append((char) (((b & 0x1F) << 6) | (bytes[i + 1] & 0x3F)));
                    i += 2;
                } else if ((b & 0xF0) == 0xE0 && i + 2 < bytes.length && (bytes[i + 1] & 0xC0) == 0x80
                        && (bytes[i + 2] & 0xC0) == 0x80) {
                    text.append((char) (((b & 0x0F) << 12) | ((bytes[i + 1] & 0x3F) << 6) | (bytes[i + 2] & 0x3F)));
                    i += 3;
                } else {
                    return null;
                }
            }
            String decoded = text.toString();
            return java.util.Arrays.equals(encode(decoded), bytes) ? decoded : null; // no overlong forms
        }

        static byte[] encode(String text) {
            java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(text.length());
            for (int i = 0; i < text.length(); i++) {
                char c = text.charAt(i);
                if (c != 0 && c < 0x80) {
                    out.write(c);
                } else if (c < 0x800) {
                    out.write(0xC0 | (c >> 6));
                    out.write(0x80 | (c & 0x3F));
                } else {
                    out.write(0xE0 | (c >> 12));
                    out.write(0x80 | ((c >> 6) & 0x3F));
                    out.write(0x80 | (c & 0x3F));
                }
            }
            return out.toByteArray();
        }
    }
}
