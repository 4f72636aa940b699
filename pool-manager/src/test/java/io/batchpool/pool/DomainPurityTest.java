package io.batchpool.pool;

import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

/** House rule: the domain decides with plain Java; frameworks stay in the glue around it. */
class DomainPurityTest {
    @Test
    void domain_has_no_framework_imports() {
        noClasses().that().resideInAPackage("io.batchpool.pool.domain..")
                .should().dependOnClassesThat().resideInAnyPackage("jakarta..", "io.quarkus..", "io.smallrye..",
                        "org.apache.kafka..", "org.eclipse..", "io.micrometer..")
                .check(new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                        .importPackages("io.batchpool.pool"));
    }
}
