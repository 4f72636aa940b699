package io.batchpool.scoring;

import static org.assertj.core.api.Assertions.assertThat;

import io.batchpool.scoring.fixtures.AdultCensusModel;
import io.batchpool.scoring.fixtures.AdultCensusModel.Variant;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

class ModelSchemaTest {

    @Test
    void readsTheZipMapVariant() throws Exception {
        try (OnnxModel model = OnnxModel.load(AdultCensusModel.build(Variant.ZIPMAP))) {
            ModelSchema schema = model.schema();
            assertThat(schema.columnNames()).containsExactlyElementsOf(AdultCensusModel.FEATURES);
            assertThat(schema.inputs()).filteredOn(c -> c.kind() == ColumnKind.NUMERIC)
                    .extracting(InputColumn::name).containsExactlyElementsOf(AdultCensusModel.NUMERIC);
            assertThat(schema.inputs()).filteredOn(c -> c.kind() == ColumnKind.CATEGORICAL)
                    .extracting(InputColumn::name)
                    .containsExactlyElementsOf(AdultCensusModel.CATEGORIES.keySet());
            assertThat(schema.labelOutput()).isEqualTo("output_label");
            assertThat(schema.labelType()).isEqualTo(ModelSchema.LabelType.STRING);
            assertThat(schema.probabilityOutput()).isEqualTo("output_probability");
            assertThat(schema.probabilityKind()).isEqualTo(ModelSchema.ProbabilityKind.ZIPMAP);
            assertThat(schema.classLabels()).containsExactly("<=50K", ">50K");
            assertThat(schema.positiveClass()).contains(">50K");
            assertThat(schema.outputKind()).isEqualTo(ModelSchema.OutputKind.BINARY_CLASSIFICATION);
        }
    }

    @Test
    void readsTheTensorVariant() throws Exception {
        try (OnnxModel model = OnnxModel.load(AdultCensusModel.build(Variant.TENSOR))) {
            ModelSchema schema = model.schema();
            assertThat(schema.columnNames()).containsExactlyElementsOf(AdultCensusModel.FEATURES);
            assertThat(schema.probabilityKind()).isEqualTo(ModelSchema.ProbabilityKind.TENSOR);
            assertThat(schema.labelType()).isEqualTo(ModelSchema.LabelType.STRING);
            assertThat(schema.classLabels()).containsExactly("<=50K", ">50K");
        }
    }

    @Test
    void readsTheInt64LabelVariant() throws Exception {
        try (OnnxModel model = OnnxModel.load(AdultCensusModel.build(Variant.INT64_LABELS))) {
            ModelSchema schema = model.schema();
            assertThat(schema.labelType()).isEqualTo(ModelSchema.LabelType.INT64);
            assertThat(schema.probabilityKind()).isEqualTo(ModelSchema.ProbabilityKind.ZIPMAP);
            assertThat(schema.classLabels()).containsExactly("0", "1");
        }
    }

    @Test
    void loadsAModelWrittenToAFile(@TempDir Path dir) throws Exception {
        Path file = AdultCensusModel.writeTo(dir.resolve("models/adult.onnx"));
        assertThat(Files.size(file)).isPositive();
        try (OnnxModel model = OnnxModel.load(file)) {
            assertThat(model.schema().columnNames()).hasSize(14);
            model.validate();
        }
    }
}
