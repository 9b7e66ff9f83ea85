/**
 * The broker process: {@link io.runnel.broker.Main} parses the settings
 * ({@link io.runnel.broker.config}) and starts a {@link io.runnel.broker.Broker}, which owns the
 * store, the consumer groups ({@link io.runnel.broker.consume}), the write path
 * ({@link io.runnel.broker.produce}), the metrics ({@link io.runnel.broker.metrics}) and one Netty
 * HTTP server per API ({@link io.runnel.broker.http}): discovery and admin on 9250, producer on
 * 9251, consumer on 9252.
 */
package io.runnel.broker;
