package io.batchpool.dispatch;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

/** The domain decides with plain Java and the contracts: no framework, no Kafka client. */
@AnalyzeClasses(packages = "io.batchpool.dispatch", importOptions = ImportOption.DoNotIncludeTests.class)
class DomainPurityTest {
    @ArchTest
    static final ArchRule domainHasNoFrameworkImports = noClasses()
            .that().resideInAPackage("io.batchpool.dispatch.domain..")
            .should().dependOnClassesThat().resideInAnyPackage(
                    "jakarta..", "javax..", "io.quarkus..", "io.smallrye..", "org.apache.kafka..", "org.eclipse..",
                    "org.jboss..", "io.micrometer..", "io.vertx..", "io.batchpool.kit..",
                    "io.batchpool.dispatch.consumer..", "io.batchpool.dispatch.publisher..", "io.batchpool.dispatch.rest..",
                    "io.batchpool.dispatch.service..", "io.batchpool.dispatch.config..", "io.batchpool.dispatch.health..");
}
