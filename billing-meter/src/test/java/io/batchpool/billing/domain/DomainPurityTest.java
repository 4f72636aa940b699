package io.batchpool.billing.domain;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

/** The domain decides with plain Java: no framework, broker or persistence types. */
class DomainPurityTest {

    @Test
    void domainHasNoFrameworkImports() {
        JavaClasses classes = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("io.batchpool.billing");
        ArchRule rule = noClasses().that().resideInAPackage("..billing.domain..")
                .should().dependOnClassesThat().resideInAnyPackage(
                        "jakarta..", "javax..", "io.quarkus..", "io.smallrye..", "org.apache.kafka..",
                        "org.eclipse..", "org.hibernate..", "io.vertx..", "io.micrometer..", "com.fasterxml..",
                        "io.batchpool.billing.store..", "io.batchpool.billing.rest..",
                        "io.batchpool.billing.consumer..");
        rule.check(classes);
    }
}
