package io.runnel.broker.http;

/**
 * Limits every HTTP server enforces on its connections.
 *
 * @param maxInitialLineBytes longest request line (414 beyond)
 * @param maxHeaderBytes      largest header block (431 beyond)
 * @param maxBodyBytes        largest body (413 beyond)
 * @param readTimeoutMillis   idle connections, and requests that do not arrive completely within
 *                            this time, are closed
 */
public record HttpLimits(int maxInitialLineBytes, int maxHeaderBytes, int maxBodyBytes, long readTimeoutMillis) {
    public HttpLimits {
        if (maxInitialLineBytes <= 0 || maxHeaderBytes <= 0 || maxBodyBytes <= 0 || readTimeoutMillis <= 0) {
            throw new IllegalArgumentException("HTTP limits must be positive: " + maxInitialLineBytes + ", "
                    + maxHeaderBytes + ", " + maxBodyBytes + ", " + readTimeoutMillis);
        }
    }
}
