/** The broker's Micrometer meters and their Prometheus exposition ({@link io.runnel.broker.metrics.BrokerMetrics}). */
package io.runnel.broker.metrics;
