package io.batchpool.scoring;

import ai.onnx.proto.OnnxMl;
import ai.onnxruntime.MapInfo;
import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxMap;
import ai.onnxruntime.OnnxSequence;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtLoggingLevel;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.SequenceInfo;
import ai.onnxruntime.TensorInfo;
import ai.onnxruntime.ValueInfo;

import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;

/**
 * A model that follows the model contract ({@link ModelSchema}), loaded into ONNX Runtime. Loading checks the
 * contract; {@link #validate()} also scores one row. Thread-safe: several scorers may share one model, each with its
 * own {@link InputBatch}.
 */
public final class OnnxModel implements AutoCloseable {

    /** ONNX Runtime threads per {@code run} call; 1 and 1 keep one job on one core. */
    public record Options(int intraOpThreads, int interOpThreads) {
        public static final Options SINGLE_THREADED = new Options(1, 1);

        public Options {
            if (intraOpThreads < 1 || interOpThreads < 1) {
                throw new IllegalArgumentException("thread counts must be at least 1");
            }
        }
    }

    private static final String SKL2ONNX_LABEL = "output_label";
    private static final String SKL2ONNX_PROBABILITY = "output_probability";

    /** Rows in the sample that {@link #validate()} scores. */
    public static final int SAMPLE_ROWS = 64;
    /** How far from 1 a row's class probabilities may sum. */
    public static final double SUM_TOLERANCE = 1e-4;

    private final OrtEnvironment env;
    private final OrtSession session;
    private final ModelSchema schema;
    private final boolean[] doubleColumns;
    /** Graph output read for probabilities: the declared one, or the float tensor feeding its ZipMap. */
    private final String probabilitySource;
    private final boolean probabilitiesAsMaps;
    private final Set<String> requestedOutputs;
    private final CategoryCodes categoryCodes;
    /** Categorical column → the categories the model's encoders know, for the sample rows of {@link #validate()}. */
    private final Map<String, List<String>> knownCategories;

    private OnnxModel(OrtEnvironment env, OrtSession session, ModelSchema schema, boolean[] doubleColumns,
                      String probabilitySource, boolean probabilitiesAsMaps, CategoryCodes categoryCodes,
                      ModelGraph graph) {
        this.env = env;
        this.session = session;
        this.schema = schema;
        this.doubleColumns = doubleColumns;
        this.probabilitySource = probabilitySource;
        this.probabilitiesAsMaps = probabilitiesAsMaps;
        this.categoryCodes = categoryCodes;
        this.requestedOutputs = new LinkedHashSet<>(List.of(schema.labelOutput(), probabilitySource));
        this.knownCategories = new HashMap<>();
        for (InputColumn input : schema.inputs()) {
            knownCategories.put(input.name(), graph.knownCategories(input.name()));
        }
    }

    public static OnnxModel load(Path file) throws IOException, ScoringException {
        return load(Files.readAllBytes(file), Options.SINGLE_THREADED);
    }

    public static OnnxModel load(byte[] model) throws ScoringException {
        return load(model, Options.SINGLE_THREADED);
    }

    /**
     * Loads a model and checks it follows the model contract.
     *
     * @throws ScoringException ({@code INVALID_MODEL}) naming what does not fit: not ONNX, an input that is not a
     *                          {@code [N,1]} float or string tensor, no label or probability output, not binary
     */
    public static OnnxModel load(byte[] model, Options options) throws ScoringException {
        return load(model, options, Paths.FASTEST);
    }

    /**
     * The faster paths a model is scored by, each giving the numbers the model as it is gives (tests compare them):
     * reading a ZipMap's input tensor instead of its maps, and feeding categorical columns as {@link CategoryCodes}.
     */
    record Paths(boolean zipMapInput, boolean categoryCodes) {
        static final Paths FASTEST = new Paths(true, true);
        static final Paths AS_EXPORTED = new Paths(false, false);
    }

    static OnnxModel load(byte[] model, Options options, Paths paths) throws ScoringException {
        ModelGraph graph = ModelGraph.parse(model);
        // the process-wide environment (another component may have made it); sessions set their own log level
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        OrtSession session = createSession(env, model, options);
        try {
            ModelSchema schema = readSchema(session, graph);
            boolean[] doubleColumns = doubleColumns(session, schema);
            // Making and reading one map per row is slow; the ZipMap's input tensor holds the same numbers, its
            // columns in the ZipMap's class order. Score with a copy of the graph that returns it instead.
            ModelGraph scoring = graph;
            String probabilitySource = schema.probabilityOutput();
            boolean asMaps = schema.probabilityKind() == ModelSchema.ProbabilityKind.ZIPMAP;
            Optional<OnnxMl.NodeProto> zipMap = asMaps && paths.zipMapInput()
                    ? graph.zipMapProducing(schema.probabilityOutput()) : Optional.empty();
            if (zipMap.isPresent()) {
                probabilitySource = zipMap.get().getInput(0);
                asMaps = false;
                if (!graph.isGraphOutput(probabilitySource)) {
                    scoring = graph.withZipMapInputAsOutput(zipMap.get(), schema.probabilityOutput());
                }
            }
            // Strings cross JNI one by one: feed the categorical columns as int64 codes where the encoders allow.
            CategoryCodes codes = paths.categoryCodes()
                    ? CategoryCodes.plan(scoring, schema.inputs(), env) : CategoryCodes.NONE;
            if (!codes.isEmpty()) {
                OrtSession coded = tryCreateSession(env, codes.graph().bytes(), options);
                if (coded != null) {
                    session.close();
                    return new OnnxModel(env, coded, schema, doubleColumns, probabilitySource, asMaps, codes, graph);
                }
            }
            if (scoring != graph) {
                OrtSession widened = tryCreateSession(env, scoring.bytes(), options);
                if (widened != null) {
                    session.close();
                    return new OnnxModel(env, widened, schema, doubleColumns, probabilitySource, asMaps,
                            CategoryCodes.NONE, graph);
                }
                probabilitySource = schema.probabilityOutput();
                asMaps = true;
            }
            return new OnnxModel(env, session, schema, doubleColumns, probabilitySource, asMaps, CategoryCodes.NONE,
                    graph);
        } catch (ScoringException | RuntimeException e) {
            closeQuietly(session);
            throw e;
        } catch (OrtException e) {
            closeQuietly(session);
            throw ScoringException.model("ONNX Runtime could not read the model: " + e.getMessage(), e);
        }
    }

    /** The categorical columns fed as int64 codes ({@link CategoryCodes}); the others go in as strings. */
    Set<String> codedColumns() {
        return categoryCodes.columnNames();
    }

    /** True when probabilities are read map by map from a ZipMap output (slower), false when read from a tensor. */
    boolean readsProbabilityMaps() {
        return probabilitiesAsMaps;
    }

    public ModelSchema schema() {
        return schema;
    }

    /** A reusable batch for up to {@code capacity} rows of this model's inputs. */
    public InputBatch newBatch(int capacity) {
        return new InputBatch(schema.inputs(), doubleColumns, categoryCodes, capacity);
    }

    /**
     * Checks the model the way registration does: scores one row of its declared schema (0 for numeric columns, the
     * empty string for categorical ones), then a sample of {@value #SAMPLE_ROWS} rows generated from it (numbers of
     * several magnitudes and signs; for a categorical column the categories its encoders know, and unknown ones), and
     * requires every row's class probabilities to be a distribution: none negative, none above 1, summing to 1
     * within {@value #SUM_TOLERANCE}.
     *
     * @throws ScoringException ({@code INVALID_MODEL}) when the model fails to run or returns something unusable
     */
    public void validate() throws ScoringException {
        InputBatch first = sampleRows(1);
        ScoredBatch scored = new ScoredBatch(SAMPLE_ROWS);
        try {
            score(first, scored);
        } catch (ScoringException e) {
            throw ScoringException.model("the model failed to score one row of its own schema"
                    + " (0 for numeric columns, empty strings for categorical ones): " + e.getMessage(), e);
        }
        requireDistributions(first, scored);
        InputBatch sample = sampleRows(SAMPLE_ROWS);
        try {
            score(sample, scored);
        } catch (ScoringException e) {
            throw ScoringException.model("the model failed to score a sample of " + SAMPLE_ROWS
                    + " rows generated from its own schema: " + e.getMessage(), e);
        }
        requireDistributions(sample, scored);
    }

    /** Row 0: zeros and empty strings; the others generated from a fixed seed, so a model gets the same rows each time. */
    private InputBatch sampleRows(int rows) {
        InputBatch batch = newBatch(rows);
        SplittableRandom random = new SplittableRandom(20_260_101L);
        List<InputColumn> inputs = schema.inputs();
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < inputs.size(); c++) {
                if (inputs.get(c).kind() == ColumnKind.NUMERIC) {
                    batch.setDouble(c, r, r == 0 ? 0 : sampleNumber(random));
                } else {
                    List<String> known = knownCategories.get(inputs.get(c).name());
                    boolean pickKnown = r > 0 && !known.isEmpty() && random.nextInt(5) > 0;
                    batch.setString(c, r, pickKnown ? known.get(random.nextInt(known.size()))
                            : r == 0 ? "" : UNKNOWN_CATEGORIES[random.nextInt(UNKNOWN_CATEGORIES.length)]);
                }
            }
        }
        batch.size(rows);
        return batch;
    }

    private static final String[] UNKNOWN_CATEGORIES = {"", "?", "a", "unknown category"};

    private static double sampleNumber(SplittableRandom random) {
        int kind = random.nextInt(10);
        if (kind < 5) {
            return random.nextInt(101);                                   // small counts, ages, hours
        } else if (kind < 8) {
            return Math.rint(random.nextDouble() * Math.pow(10, 1 + random.nextInt(6)));  // up to a million
        } else if (kind < 9) {
            return -random.nextInt(1000);
        }
        return random.nextDouble();
    }

    private void requireDistributions(InputBatch rows, ScoredBatch scored) throws ScoringException {
        for (int r = 0; r < rows.size(); r++) {
            float negative = scored.negativeProbability(r);
            float positive = scored.probability(r);
            double sum = (double) negative + positive;
            if (!(negative >= 0f && positive >= 0f && negative <= 1f && positive <= 1f
                    && Math.abs(sum - 1) <= SUM_TOLERANCE)) {
                List<String> classes = schema.classLabels().isEmpty() ? List.of("class 0", "class 1") : schema.classLabels();
                String where = rows.size() == 1 ? "one row of its own schema" : "row " + (r + 1) + " of "
                        + rows.size() + " rows generated from its own schema";
                throw ScoringException.model("the model's class probabilities are not a distribution: for " + where
                        + " (" + describe(rows, r) + ") it returned " + classes.get(0) + ": " + negative + ", "
                        + classes.get(1) + ": " + positive + "; each must be between 0 and 1 and together they must"
                        + " sum to 1 (within " + SUM_TOLERANCE + "). Raw scores are not probabilities (e.g. a"
                        + " classifier exported with post_transform NONE)");
            }
        }
    }

    private static String describe(InputBatch rows, int row) {
        List<String> cells = new ArrayList<>();
        for (int c = 0; c < rows.columns().size(); c++) {
            cells.add(rows.columns().get(c).name() + "=" + rows.cell(c, row));
        }
        return String.join(", ", cells);
    }

    /**
     * Scores rows {@code [0, batch.size())} into {@code out}, in one ONNX Runtime call.
     *
     * @throws ScoringException ({@code INVALID_MODEL}) when ONNX Runtime fails or the outputs break the contract
     */
    public void score(InputBatch batch, ScoredBatch out) throws ScoringException {
        int n = batch.size();
        if (out.capacity() < n) {
            throw new IllegalArgumentException("output batch holds " + out.capacity() + " rows, input has " + n);
        }
        if (n == 0) {
            out.size(0);
            return;
        }
        long[] shape = {n, 1};
        Map<String, OnnxTensor> feeds = new HashMap<>();
        try {
            List<InputColumn> inputs = schema.inputs();
            for (int c = 0; c < inputs.size(); c++) {
                String name = inputs.get(c).name();
                OnnxTensor tensor;
                if (batch.isCoded(c)) {
                    tensor = OnnxTensor.createTensor(env, batch.codes(c), shape);
                } else if (inputs.get(c).kind() == ColumnKind.CATEGORICAL) {
                    tensor = OnnxTensor.createTensor(env, batch.strings(c), shape);
                } else if (doubleColumns[c]) {
                    tensor = OnnxTensor.createTensor(env, batch.doubles(c), shape);
                } else {
                    tensor = OnnxTensor.createTensor(env, batch.floats(c), shape);
                }
                feeds.put(name, tensor);
            }
            try (OrtSession.Result result = session.run(feeds, requestedOutputs)) {
                readLabels(result.get(schema.labelOutput()).orElseThrow(), n, out);
                if (probabilitiesAsMaps) {
                    readProbabilityMaps(result.get(probabilitySource).orElseThrow(), n, out);
                } else {
                    readProbabilityTensor(result.get(probabilitySource).orElseThrow(), n, out);
                }
            }
            out.size(n);
        } catch (OrtException e) {
            throw ScoringException.model("ONNX Runtime failed to score a batch of " + n + " rows: " + e.getMessage(), e);
        } finally {
            for (OnnxTensor tensor : feeds.values()) {
                tensor.close();
            }
        }
    }

    @Override
    public void close() {
        closeQuietly(session);
    }

    // ---- reading outputs ----

    private void readLabels(OnnxValue value, int n, ScoredBatch out) throws OrtException, ScoringException {
        OnnxTensor tensor = (OnnxTensor) value;
        long count = tensor.getInfo().getNumElements();
        if (count != n) {
            throw ScoringException.model("label output '" + schema.labelOutput() + "' returned " + count
                    + " values for " + n + " rows");
        }
        if (schema.labelType() == ModelSchema.LabelType.INT64) {
            LongBuffer labels = tensor.getLongBuffer();
            for (int i = 0; i < n; i++) {
                out.setLabel(i, Long.toString(labels.get(i)));
            }
        } else {
            Object labels = tensor.getValue();
            if (labels instanceof String[][] nested) { // [N,1]
                for (int i = 0; i < n; i++) {
                    out.setLabel(i, nested[i][0]);
                }
            } else {
                String[] flat = (String[]) labels;
                for (int i = 0; i < n; i++) {
                    out.setLabel(i, flat[i]);
                }
            }
        }
    }

    private void readProbabilityTensor(OnnxValue value, int n, ScoredBatch out) throws OrtException, ScoringException {
        OnnxTensor tensor = (OnnxTensor) value;
        long[] shape = tensor.getInfo().getShape();
        if (shape.length != 2 || shape[0] != n || shape[1] != 2) {
            throw ScoringException.model("probability output '" + schema.probabilityOutput() + "' returned shape "
                    + shapeText(shape) + " for " + n + " rows; binary classification needs [" + n + ",2]");
        }
        FloatBuffer probabilities = tensor.getFloatBuffer();
        for (int i = 0; i < n; i++) {
            out.setProbabilities(i, probabilities.get(2 * i), probabilities.get(2 * i + 1));
        }
    }

    private void readProbabilityMaps(OnnxValue value, int n, ScoredBatch out) throws OrtException, ScoringException {
        OnnxSequence sequence = (OnnxSequence) value;
        List<? extends OnnxValue> maps = sequence.getValue();
        if (maps.size() != n) {
            throw ScoringException.model("probability output '" + schema.probabilityOutput() + "' returned "
                    + maps.size() + " maps for " + n + " rows");
        }
        try {
            for (int i = 0; i < n; i++) {
                Map<? extends Object, ? extends Object> classes = ((OnnxMap) maps.get(i)).getValue();
                if (classes.size() != 2) {
                    throw ScoringException.model("probability output '" + schema.probabilityOutput() + "' returned "
                            + classes.size() + " classes " + classes.keySet() + "; only binary classification is supported");
                }
                Object positive = positiveKey(classes);
                Object p = classes.get(positive);
                if (!(p instanceof Float probability)) {
                    throw ScoringException.model("probability output '" + schema.probabilityOutput()
                            + "' has no float value for class " + positive + ": " + classes);
                }
                float negative = Float.NaN;
                for (Map.Entry<? extends Object, ? extends Object> entry : classes.entrySet()) {
                    if (!entry.getKey().equals(positive) && entry.getValue() instanceof Float other) {
                        negative = other;
                    }
                }
                out.setProbabilities(i, negative, probability);
            }
        } finally {
            for (OnnxValue map : maps) {
                map.close();
            }
        }
    }

    /** The second class: by the model's declared class order, else (unnamed classes) the larger key, as in sklearn. */
    private Object positiveKey(Map<? extends Object, ? extends Object> classes) {
        Optional<String> positive = schema.positiveClass();
        Object anyKey = classes.keySet().iterator().next();
        if (positive.isPresent()) {
            return anyKey instanceof Long ? (Object) Long.valueOf(positive.get()) : positive.get();
        }
        return new TreeSet<Object>(classes.keySet()).last();
    }

    // ---- reading the schema ----

    static ModelSchema readSchema(OrtSession session, ModelGraph graph) throws OrtException, ScoringException {
        List<InputColumn> inputs = new ArrayList<>();
        for (NodeInfo input : session.getInputInfo().values()) {
            inputs.add(readInput(input));
        }
        if (inputs.isEmpty()) {
            throw ScoringException.model("the model has no inputs; the model contract needs one [N,1] input per column");
        }
        Map<String, NodeInfo> outputs = session.getOutputInfo();
        String label = pick(outputs, SKL2ONNX_LABEL, OnnxModel::isLabel);
        if (label == null) {
            throw ScoringException.model("the model has no label output: the model contract needs a [N] string or"
                    + " int64 tensor (skl2onnx's output_label); its outputs are " + describe(outputs));
        }
        String probability = pick(outputs, SKL2ONNX_PROBABILITY, OnnxModel::isProbability);
        if (probability == null) {
            throw ScoringException.model("the model has no probability output: the model contract needs a [N,2]"
                    + " float tensor or a ZipMap sequence of maps (skl2onnx's output_probability); its outputs are "
                    + describe(outputs));
        }
        ValueInfo probabilityInfo = outputs.get(probability).getInfo();
        ModelSchema.ProbabilityKind kind = probabilityInfo instanceof SequenceInfo
                ? ModelSchema.ProbabilityKind.ZIPMAP : ModelSchema.ProbabilityKind.TENSOR;
        if (probabilityInfo instanceof TensorInfo tensor && tensor.getShape()[1] > 0 && tensor.getShape()[1] != 2) {
            throw ScoringException.model("probability output '" + probability + "' has shape "
                    + shapeText(tensor.getShape()) + ": only binary classification ([N,2]) is supported");
        }
        TensorInfo labelInfo = (TensorInfo) outputs.get(label).getInfo();
        ModelSchema.LabelType labelType = labelInfo.type == OnnxJavaType.STRING
                ? ModelSchema.LabelType.STRING : ModelSchema.LabelType.INT64;
        List<String> classes = graph.classLabels(label, probability);
        if (classes.size() > 2) {
            throw ScoringException.model("the model has " + classes.size() + " classes " + classes
                    + ": only binary classification is supported");
        }
        return new ModelSchema(inputs, label, labelType, probability, kind, classes.size() == 2 ? classes : List.of());
    }

    private static InputColumn readInput(NodeInfo input) throws ScoringException {
        String name = input.getName();
        if (!(input.getInfo() instanceof TensorInfo tensor)) {
            throw ScoringException.model("input '" + name + "' is " + describe(input.getInfo())
                    + "; the model contract needs a [N,1] float or string tensor per column");
        }
        long[] shape = tensor.getShape();
        if (shape.length != 2 || shape[1] != 1) {
            throw ScoringException.model("input '" + name + "' has shape " + shapeText(shape)
                    + "; the model contract needs shape [N,1] (one graph input per column)");
        }
        if (shape[0] > 0) {
            throw ScoringException.model("input '" + name + "' has the fixed batch size " + shape[0]
                    + "; the model contract needs shape [N,1] with a dynamic N");
        }
        switch (tensor.type) {
            case FLOAT:
            case DOUBLE:
                return new InputColumn(name, ColumnKind.NUMERIC);
            case STRING:
                return new InputColumn(name, ColumnKind.CATEGORICAL);
            default:
                throw ScoringException.model("input '" + name + "' has element type " + tensor.type
                        + "; the model contract needs float (numeric column) or string (categorical column)");
        }
    }

    private static boolean[] doubleColumns(OrtSession session, ModelSchema schema) throws OrtException {
        Map<String, NodeInfo> infos = session.getInputInfo();
        boolean[] doubles = new boolean[schema.inputs().size()];
        for (int c = 0; c < doubles.length; c++) {
            TensorInfo info = (TensorInfo) infos.get(schema.inputs().get(c).name()).getInfo();
            doubles[c] = info.type == OnnxJavaType.DOUBLE;
        }
        return doubles;
    }

    private interface OutputTest {
        boolean test(ValueInfo info);
    }

    /** The skl2onnx name when it qualifies, else the first output that qualifies, else null. */
    private static String pick(Map<String, NodeInfo> outputs, String preferred, OutputTest test) {
        NodeInfo named = outputs.get(preferred);
        if (named != null && test.test(named.getInfo())) {
            return preferred;
        }
        for (NodeInfo output : outputs.values()) {
            if (test.test(output.getInfo())) {
                return output.getName();
            }
        }
        return null;
    }

    private static boolean isLabel(ValueInfo info) {
        if (!(info instanceof TensorInfo tensor)) {
            return false;
        }
        long[] shape = tensor.getShape();
        boolean column = shape.length == 1 || (shape.length == 2 && shape[1] == 1);
        return column && (tensor.type == OnnxJavaType.STRING || tensor.type == OnnxJavaType.INT64);
    }

    private static boolean isProbability(ValueInfo info) {
        if (info instanceof TensorInfo tensor) {
            return tensor.type == OnnxJavaType.FLOAT && tensor.getShape().length == 2;
        }
        if (info instanceof SequenceInfo sequence && sequence.isSequenceOfMaps()) {
            MapInfo map = sequence.mapInfo;
            return (map.keyType == OnnxJavaType.STRING || map.keyType == OnnxJavaType.INT64)
                    && map.valueType == OnnxJavaType.FLOAT;
        }
        return false;
    }

    private static String describe(Map<String, NodeInfo> outputs) {
        List<String> parts = new ArrayList<>();
        for (NodeInfo output : outputs.values()) {
            parts.add("'" + output.getName() + "' " + describe(output.getInfo()));
        }
        return parts.isEmpty() ? "(none)" : String.join(", ", parts);
    }

    private static String describe(ValueInfo info) {
        if (info instanceof TensorInfo tensor) {
            return "tensor(" + tensor.type.toString().toLowerCase() + ")" + shapeText(tensor.getShape());
        }
        if (info instanceof SequenceInfo sequence) {
            if (sequence.isSequenceOfMaps()) {
                return "seq(map(" + sequence.mapInfo.keyType.toString().toLowerCase() + ","
                        + sequence.mapInfo.valueType.toString().toLowerCase() + "))";
            }
            return "seq(" + sequence.sequenceType.toString().toLowerCase() + ")";
        }
        if (info instanceof MapInfo map) {
            return "map(" + map.keyType.toString().toLowerCase() + "," + map.valueType.toString().toLowerCase() + ")";
        }
        return String.valueOf(info);
    }

    static String shapeText(long[] shape) {
        StringBuilder text = new StringBuilder("[");
        for (int i = 0; i < shape.length; i++) {
            if (i > 0) {
                text.append(',');
            }
            text.append(shape[i] < 0 ? "N" : Long.toString(shape[i]));
        }
        return text.append(']').toString();
    }

    // ---- sessions ----

    private static OrtSession createSession(OrtEnvironment env, byte[] model, Options options) throws ScoringException {
        try (OrtSession.SessionOptions sessionOptions = sessionOptions(options)) {
            return env.createSession(model, sessionOptions);
        } catch (OrtException e) {
            throw ScoringException.model("ONNX Runtime could not load the model: " + e.getMessage(), e);
        }
    }

    /** A session of a rewritten graph, or null when ONNX Runtime refuses it (the caller keeps the model as it is). */
    private static OrtSession tryCreateSession(OrtEnvironment env, byte[] model, Options options) {
        try (OrtSession.SessionOptions sessionOptions = sessionOptions(options)) {
            return env.createSession(model, sessionOptions);
        } catch (OrtException e) {
            return null;
        }
    }

    private static OrtSession.SessionOptions sessionOptions(Options options) throws OrtException {
        OrtSession.SessionOptions sessionOptions = new OrtSession.SessionOptions();
        sessionOptions.setIntraOpNumThreads(options.intraOpThreads());
        sessionOptions.setInterOpNumThreads(options.interOpThreads());
        sessionOptions.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
        // run failures reach the caller in the ScoringException; do not also print them to stderr
        sessionOptions.setSessionLogLevel(OrtLoggingLevel.ORT_LOGGING_LEVEL_FATAL);
        return sessionOptions;
    }

    private static void closeQuietly(OrtSession session) {
        try {
            session.close();
        } catch (OrtException ignored) {
            // closing a session only fails when it is already closed
        }
    }
}
