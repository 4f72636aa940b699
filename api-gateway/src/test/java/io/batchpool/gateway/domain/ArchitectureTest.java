package io.batchpool.gateway.domain;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

/** The domain decides with plain Java: no framework, no Kafka, no persistence. */
@AnalyzeClasses(packages = "io.batchpool.gateway", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {

    @ArchTest
    static final ArchRule domainHasNoFrameworkImports = noClasses()
            .that().resideInAPackage("io.batchpool.gateway.domain..")
            .should().dependOnClassesThat().resideInAnyPackage(
                    "jakarta..", "javax.persistence..", "io.quarkus..", "io.smallrye..", "org.apache.kafka..",
                    "org.eclipse..", "org.hibernate..", "io.vertx..", "com.fasterxml..",
                    "io.batchpool.gateway.rest..", "io.batchpool.gateway.store..", "io.batchpool.gateway.service..");

    @ArchTest
    static final ArchRule restDoesNotTouchKafka = noClasses()
            .that().resideInAPackage("io.batchpool.gateway.rest..")
            .should().dependOnClassesThat().resideInAnyPackage("org.apache.kafka..");
}
