package io.batchpool.scoring;

import ai.onnx.proto.OnnxMl;
import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The parts of an ONNX graph that ONNX Runtime's session metadata does not tell: the class order of a classifier
 * (ZipMap maps come back from ONNX Runtime keyed, not ordered), which tensor feeds a ZipMap, and which categories
 * the encoders know (to generate sample rows for the model check).
 */
final class ModelGraph {

    private static final String[] STRING_LABEL_ATTRIBUTES = {"classlabels_strings"};
    private static final String[] INT_LABEL_ATTRIBUTES = {"classlabels_ints", "classlabels_int64s"};

    private final OnnxMl.ModelProto model;

    ModelGraph(OnnxMl.ModelProto model) {
        this.model = model;
    }

    OnnxMl.ModelProto proto() {
        return model;
    }

    byte[] bytes() {
        return model.toByteArray();
    }

    static ModelGraph parse(byte[] bytes) throws ScoringException {
        try {
            return new ModelGraph(OnnxMl.ModelProto.parseFrom(bytes));
        } catch (InvalidProtocolBufferException e) {
            throw ScoringException.model("the file is not an ONNX model (it is not a valid ONNX protobuf): "
                    + e.getMessage(), e);
        }
    }

    Optional<OnnxMl.NodeProto> producerOf(String tensor) {
        for (OnnxMl.NodeProto node : model.getGraph().getNodeList()) {
            if (node.getOutputList().contains(tensor)) {
                return Optional.of(node);
            }
        }
        return Optional.empty();
    }

    /** The nodes of the main graph that read {@code tensor}. */
    List<OnnxMl.NodeProto> consumersOf(String tensor) {
        List<OnnxMl.NodeProto> consumers = new ArrayList<>();
        for (OnnxMl.NodeProto node : model.getGraph().getNodeList()) {
            if (node.getInputList().contains(tensor)) {
                consumers.add(node);
            }
        }
        return consumers;
    }

    /** True when a node has a subgraph (If, Loop, Scan), which may read the main graph's tensors by name. */
    boolean hasSubgraphs() {
        for (OnnxMl.NodeProto node : model.getGraph().getNodeList()) {
            for (OnnxMl.AttributeProto attribute : node.getAttributeList()) {
                if (attribute.hasG() || attribute.getGraphsCount() > 0) {
                    return true;
                }
            }
        }
        return false;
    }

    /** The ZipMap node producing {@code output}, if that is how the output is made. */
    Optional<OnnxMl.NodeProto> zipMapProducing(String output) {
        return producerOf(output).filter(node -> node.getOpType().equals("ZipMap") && node.getInputCount() == 1);
    }

    /** Class labels in the model's order, from the node making the label or the ZipMap; empty when unnamed. */
    List<String> classLabels(String labelOutput, String probabilityOutput) {
        for (String output : new String[] {labelOutput, probabilityOutput}) {
            Optional<OnnxMl.NodeProto> node = producerOf(output);
            if (node.isPresent()) {
                List<String> labels = labelsOf(node.get());
                if (!labels.isEmpty()) {
                    return labels;
                }
            }
        }
        return List.of();
    }

    private static List<String> labelsOf(OnnxMl.NodeProto node) {
        for (OnnxMl.AttributeProto attribute : node.getAttributeList()) {
            for (String name : STRING_LABEL_ATTRIBUTES) {
                if (attribute.getName().equals(name) && attribute.getStringsCount() > 0) {
                    List<String> labels = new ArrayList<>();
                    for (ByteString label : attribute.getStringsList()) {
                        labels.add(label.toString(StandardCharsets.UTF_8));
                    }
                    return labels;
                }
            }
            for (String name : INT_LABEL_ATTRIBUTES) {
                if (attribute.getName().equals(name) && attribute.getIntsCount() > 0) {
                    List<String> labels = new ArrayList<>();
                    for (long label : attribute.getIntsList()) {
                        labels.add(Long.toString(label));
                    }
                    return labels;
                }
            }
        }
        return List.of();
    }

    /**
     * The categories the model's own encoders know for a categorical input: the strings of the ai.onnx.ml
     * OneHotEncoder, LabelEncoder or CategoryMapper nodes that read it ({@code cats_strings}, {@code keys_strings});
     * empty when none does.
     */
    List<String> knownCategories(String input) {
        List<String> categories = new ArrayList<>();
        for (OnnxMl.NodeProto node : model.getGraph().getNodeList()) {
            if (!node.getInputList().contains(input)) {
                continue;
            }
            for (OnnxMl.AttributeProto attribute : node.getAttributeList()) {
                if (attribute.getName().equals("cats_strings") || attribute.getName().equals("keys_strings")) {
                    for (ByteString category : attribute.getStringsList()) {
                        categories.add(category.toString(StandardCharsets.UTF_8));
                    }
                }
            }
        }
        return categories;
    }

    boolean isGraphOutput(String tensor) {
        return model.getGraph().getOutputList().stream().anyMatch(v -> v.getName().equals(tensor));
    }

    /**
     * The same model returning the float tensor that feeds the ZipMap making {@code output}, instead of the maps:
     * the ZipMap node and its output are dropped when nothing else reads them, else the tensor is added as an output.
     */
    ModelGraph withZipMapInputAsOutput(OnnxMl.NodeProto zipMap, String output) {
        String tensor = zipMap.getInput(0);
        OnnxMl.TypeProto type = OnnxMl.TypeProto.newBuilder()
                .setTensorType(OnnxMl.TypeProto.Tensor.newBuilder().setElemType(OnnxMl.TensorProto.DataType.FLOAT.getNumber()))
                .build();
        OnnxMl.GraphProto.Builder graph = model.getGraph().toBuilder();
        boolean readElsewhere = model.getGraph().getNodeList().stream().anyMatch(node -> node.getInputList().contains(output));
        if (!readElsewhere) {
            for (int i = graph.getNodeCount() - 1; i >= 0; i--) {
                if (graph.getNode(i).equals(zipMap)) {
                    graph.removeNode(i);
                }
            }
            for (int i = graph.getOutputCount() - 1; i >= 0; i--) {
                if (graph.getOutput(i).getName().equals(output)) {
                    graph.removeOutput(i);
                }
            }
        }
        graph.addOutput(OnnxMl.ValueInfoProto.newBuilder().setName(tensor).setType(type));
        return new ModelGraph(model.toBuilder().setGraph(graph).build());
    }
}
