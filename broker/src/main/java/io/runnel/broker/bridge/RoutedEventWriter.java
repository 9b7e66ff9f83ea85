package io.runnel.broker.bridge;

import io.runnel.broker.common.Errors;
import io.runnel.broker.produce.BodyFormat;
import io.runnel.broker.produce.EventBodyParser;
import io.runnel.broker.produce.ProduceRouter;
import io.runnel.broker.produce.ProduceService;
import java.util.concurrent.CompletableFuture;

/*
 * The same decision the producer API makes for an HTTP request: store here when this broker leads the
 * key's partition, relay to the leader otherwise (which validates and answers as for any producer), or
 * refuse while the partition has no leader. Anything but a 200 fails the write, so the import does not
 * commit its Kafka offset and reads the records again.
 */

/** An {@link EventWriter} over this broker's produce path and {@link ProduceRouter}. */
public final class RoutedEventWriter implements EventWriter {
    private final ProduceService produce;
    private final EventBodyParser parser;
    private final ProduceRouter router;

    /** @param router {@link ProduceRouter#LOCAL} on a single broker */
    public RoutedEventWriter(ProduceService produce, EventBodyParser parser, ProduceRouter router) {
        this.produce = produce;
        this.parser = parser;
        this.router = router;
    }

    @Override
    public CompletableFuture<Void> write(String topic, String partitionKey, byte[] ndjson) {
        ProduceRouter.Route route = router.route(partitionKey);
        return switch (route) {
            case ProduceRouter.Route.Local l ->
                    produce.produce(topic, partitionKey, parser.parse(BodyFormat.NDJSON, ndjson)).thenApply(p -> null);
            case ProduceRouter.Route.Forward(int broker) ->
                    router.forward(broker, topic, partitionKey, BodyFormat.NDJSON, ndjson).thenApply(p -> null);
            case ProduceRouter.Route.Unavailable(Errors error, String message) ->
                    CompletableFuture.failedFuture(error.exception(message));
        };
    }
}
