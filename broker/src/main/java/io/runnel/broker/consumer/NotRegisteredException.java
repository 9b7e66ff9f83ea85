package io.runnel.broker.consumer;

/**
 * The consumer is not (or no longer) registered on this broker, for example after it timed out.
 * The HTTP API answers {@code 409}; the client should register again and retry.
 */
public final class NotRegisteredException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final String consumerId;

    public NotRegisteredException(String consumerId) {
        super("consumer '" + consumerId + "' is not registered: register it with PUT /v1/consumer/register and retry");
        this.consumerId = consumerId;
    }

    public String consumerId() {
        return consumerId;
    }
}
