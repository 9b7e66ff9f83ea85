package io.runnel.broker.http;

/** Told about every response status a server writes (metrics). Must be cheap and thread-safe. */
@FunctionalInterface
public interface ResponseObserver {
    ResponseObserver NONE = (api, status) -> { };

    void responded(String api, int status);
}
