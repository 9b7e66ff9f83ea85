/**
 * The side-by-side benchmark ({@code benchmarks/bin/side-by-side}): a producer benchmark for Apache
 * Kafka that mirrors the Runnel load generator's workload ({@link io.runnel.benchmarks.sidebyside.KafkaBench}),
 * and the report that puts both systems' results into one markdown table and one PNG chart
 * ({@link io.runnel.benchmarks.sidebyside.SideBySideReport}).
 */
package io.runnel.benchmarks.sidebyside;
