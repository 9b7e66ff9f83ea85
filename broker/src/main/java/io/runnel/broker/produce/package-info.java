/**
 * The write path: {@link io.runnel.broker.produce.ProducerApi} (HTTP), body validation
 * ({@link io.runnel.broker.produce.EventBodyParser}), partition choice
 * ({@link io.runnel.broker.produce.PartitionChooser}) and the append of one chunk per request
 * ({@link io.runnel.broker.produce.ProduceService}).
 */
package io.runnel.broker.produce;
