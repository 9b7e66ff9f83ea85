package io.runnel.broker;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import org.junit.jupiter.api.Test;

/**
 * The module and package rules of docs/architecture.md, checked on the compiled main classes of storage,
 * discovery and the broker. A rule that breaks fails here with the offending dependencies.
 */
class ArchitectureTest {
    private static final JavaClasses CLASSES = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.runnel"); // from target/classes or, in a packaged build, the modules' jars

    /** A class of the HTTP edge: the http package, a {@code *Api} class (or one nested in it), or the wiring. */
    private static final DescribedPredicate<JavaClass> HTTP_EDGE = new DescribedPredicate<>(
            "in io.runnel.broker.http, a *Api class, or the broker's wiring (io.runnel.broker)") {
        @Override
        public boolean test(JavaClass c) {
            JavaClass top = c;
            while (top.getEnclosingClass().isPresent()) {
                top = top.getEnclosingClass().get();
            }
            String pkg = c.getPackageName();
            return pkg.equals("io.runnel.broker") || pkg.startsWith("io.runnel.broker.http")
                    || top.getSimpleName().endsWith("Api");
        }
    };

    @Test
    void classesWereImported() {
        // Guards the rules below against passing on an empty import (a wrong package or class path).
        org.assertj.core.api.Assertions.assertThat(CLASSES.containPackage("io.runnel.storage")).isTrue();
        org.assertj.core.api.Assertions.assertThat(CLASSES.containPackage("io.runnel.discovery")).isTrue();
        org.assertj.core.api.Assertions.assertThat(CLASSES.containPackage("io.runnel.broker.replication")).isTrue();
    }

    @Test
    void storageImportsNeitherNettyNorJacksonNorDiscoveryNorBroker() {
        check(noClasses().that().resideInAPackage("io.runnel.storage..")
                .should().dependOnClassesThat().resideInAnyPackage("io.netty..", "com.fasterxml.jackson..",
                        "io.runnel.discovery..", "io.runnel.broker.."));
    }

    @Test
    void discoveryImportsNeitherNettyNorJacksonNorStorageNorBroker() {
        check(noClasses().that().resideInAPackage("io.runnel.discovery..")
                .should().dependOnClassesThat().resideInAnyPackage("io.netty..", "com.fasterxml.jackson..",
                        "io.runnel.storage..", "io.runnel.broker.."));
    }

    @Test
    void theBrokersPackagesHaveNoCycles() {
        check(slices().matching("io.runnel.broker.(**)").should().beFreeOfCycles());
    }

    @Test
    void onlyTheHttpEdgeUsesNettysHttpCodecOrTheHttpPackage() {
        check(noClasses().that(DescribedPredicate.not(HTTP_EDGE)).and().resideInAPackage("io.runnel.broker..")
                .should().dependOnClassesThat().resideInAnyPackage("io.netty.handler.codec.http..", "io.runnel.broker.http.."));
    }

    @Test
    void replicationAndTheErrorCatalogKnowNoNettyChannel() {
        // The replication core sends through PeerChannel and answers through ReplyChannel, so tests drive it
        // without sockets; the error catalog is plain Java.
        check(noClasses().that().resideInAnyPackage("io.runnel.broker.replication..", "io.runnel.broker.common..")
                .should().dependOnClassesThat().resideInAPackage("io.netty.."));
    }

    @Test
    void lowerLayersDoNotReachUp() {
        check(noClasses().that().resideInAnyPackage("io.runnel.broker.common..", "io.runnel.broker.config..")
                .should().dependOnClassesThat(JavaClass.Predicates.resideInAPackage("io.runnel.broker..")
                        .and(DescribedPredicate.not(JavaClass.Predicates.resideInAnyPackage("io.runnel.broker.common..",
                                "io.runnel.broker.config..")))));
        check(noClasses().that().resideInAnyPackage("io.runnel.broker.produce..", "io.runnel.broker.consume..",
                        "io.runnel.broker.replication..", "io.runnel.broker.cluster.transport..")
                .should().dependOnClassesThat().resideInAnyPackage("io.runnel.broker.cluster", "io.runnel.broker.node..",
                        "io.runnel.broker.admin..", "io.runnel.broker.bridge.."));
    }

    private static void check(ArchRule rule) {
        rule.check(CLASSES);
    }
}
