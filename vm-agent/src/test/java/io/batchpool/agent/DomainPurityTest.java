package io.batchpool.agent;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

/** The domain decides with plain Java and the contracts: no framework, no Kafka client. */
@AnalyzeClasses(packages = "io.batchpool.agent", importOptions = ImportOption.DoNotIncludeTests.class)
class DomainPurityTest {
    @ArchTest
    static final ArchRule domainHasNoFrameworkImports = noClasses()
            .that().resideInAPackage("io.batchpool.agent.domain..")
            .should().dependOnClassesThat().resideInAnyPackage(
                    "jakarta..", "javax..", "io.quarkus..", "io.smallrye..", "org.apache.kafka..", "org.eclipse..",
                    "org.jboss..", "io.micrometer..", "io.vertx..", "io.batchpool.kit..",
                    "io.batchpool.agent.consumer..", "io.batchpool.agent.publisher..", "io.batchpool.agent.rest..",
                    "io.batchpool.agent.service..", "io.batchpool.agent.config..", "io.batchpool.agent.health..");
}
