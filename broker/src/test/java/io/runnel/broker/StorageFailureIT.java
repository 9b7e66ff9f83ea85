package io.runnel.broker;

import io.runnel.broker.testing.TestBroker;
import static io.runnel.broker.ApiAssertions.assertError;
import static org.assertj.core.api.Assertions.assertThat;

import io.runnel.storage.LogStore;
import io.runnel.storage.StorageException;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A failed append is never acknowledged, and a failed store takes the broker out of service. */
class StorageFailureIT {
    @TempDir
    Path dir;

    @Test
    void aFailedAppendIs503WithRetryAfterAndTheStoreFailureMarksTheBrokerDown() throws Exception {
        AtomicReference<FaultyLogStore> store = new AtomicReference<>();
        AtomicReference<Consumer<Throwable>> storeFailureHandler = new AtomicReference<>();
        CompletableFuture<Throwable> reported = new CompletableFuture<>();
        try (TestBroker t = TestBroker.start(() -> Broker.builder(TestBroker.config(dir, Map.of()))
                .storeOpener(config -> {
                    storeFailureHandler.set(config.failureHandler());
                    FaultyLogStore s = new FaultyLogStore(LogStore.open(config));
                    store.set(s);
                    return s;
                })
                .onStorageFailure(reported::complete)
                .start())) {
            assertThat(t.produce("fragile", "k", "application/json", "{}").statusCode()).isEqualTo(200);

            store.get().failAppends = true;
            HttpResponse<String> failed = t.produce("fragile", "k", "application/json", "{\"lost\":true}");
            assertError(failed, 503, "storage_unavailable");
            assertThat(failed.headers().firstValue("retry-after")).isPresent();

            // The store reports its failure: every port's /status says so, for readiness probes.
            storeFailureHandler.get().accept(new StorageException("injected: fsync failed"));
            assertThat(reported.get(5, TimeUnit.SECONDS)).hasMessageContaining("fsync failed");
            assertThat(t.broker().healthy()).isFalse();
            for (var uri : new java.net.URI[] {t.discovery("/status"), t.producer("/status"), t.consumer("/status")}) {
                HttpResponse<String> status = t.get(uri);
                assertThat(status.statusCode()).isEqualTo(503);
                assertThat(TestBroker.json(status).path("status").asText()).isEqualTo("failed");
            }
        }
    }
}
