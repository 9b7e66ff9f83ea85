/**
 * Runnel's benchmarks: the HTTP {@link io.runnel.benchmarks.LoadGenerator load generator}
 * ({@code io.runnel.benchmarks.loadgen}) and JMH micro-benchmarks ({@code io.runnel.benchmarks.micro}).
 */
package io.runnel.benchmarks;
