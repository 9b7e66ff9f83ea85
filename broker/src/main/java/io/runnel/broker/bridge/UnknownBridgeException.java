package io.runnel.broker.bridge;

/** No bridge of that name exists. The admin API answers {@code 404}. */
public final class UnknownBridgeException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public UnknownBridgeException(String name) {
        super("no bridge named '" + name + "': list them with GET /v1/bridges, or create it with PUT /v1/bridges/" + name);
    }
}
