/**
 * The Kafka-protocol bridge: mirrors Runnel topics into Apache Kafka or Redpanda topics (export) and
 * Kafka topics into Runnel topics (import), with the official Kafka client.
 *
 * <ul>
 *   <li>{@link io.runnel.broker.bridge.BridgeDefinition}: what a bridge moves, validated;</li>
 *   <li>{@link io.runnel.broker.bridge.BridgeManager}: runs the bridges placed on this broker, one
 *       thread each, and keeps their definitions in a {@link io.runnel.broker.bridge.BridgeRegistry};</li>
 *   <li>{@link io.runnel.broker.bridge.BridgeApi}: {@code /v1/bridges} on the admin port (9250).</li>
 * </ul>
 *
 * <h2>Delivery</h2>
 * At least once in both directions, in order per key. An export bridge reads the Runnel topic as the
 * consumer group {@code bridge-<name>} and commits a poll's position only once Kafka acknowledged
 * every record of it (idempotent producer, {@code acks=all}); an import bridge commits its Kafka
 * consumer group only once Runnel acknowledged (stored durably) every record of a poll. After a
 * failure or a stop in the middle of a batch, the unacknowledged part of it is sent again, so the
 * other side may see duplicates, never gaps. Exported records carry the headers {@code runnel.topic},
 * {@code runnel.partition} and {@code runnel.offset} (decimal text), which identify duplicates.
 */
package io.runnel.broker.bridge;
