package io.runnel.benchmarks.loadgen;

import java.util.ArrayList;
import java.util.List;

/**
 * A broker endpoint the load generator connects to.
 *
 * @param host host name or address
 * @param port TCP port
 */
public record Endpoint(String host, int port) {
    public Endpoint {
        if (host == null || host.isBlank()) {
            throw new IllegalArgumentException("endpoint host must not be empty");
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("endpoint port must be 1-65535, not " + port);
        }
    }

    /** Parses {@code host:port}. */
    public static Endpoint parse(String text) {
        String s = text.trim();
        int colon = s.lastIndexOf(':');
        if (colon <= 0 || colon == s.length() - 1) {
            throw new IllegalArgumentException("endpoint must be host:port, not '" + text + "'");
        }
        try {
            return new Endpoint(s.substring(0, colon), Integer.parseInt(s.substring(colon + 1)));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("endpoint port must be a number in '" + text + "'");
        }
    }

    /** Parses a comma-separated list of {@code host:port}. */
    public static List<Endpoint> parseList(String text) {
        List<Endpoint> list = new ArrayList<>();
        for (String part : text.split(",")) {
            if (!part.isBlank()) {
                list.add(parse(part));
            }
        }
        if (list.isEmpty()) {
            throw new IllegalArgumentException("at least one host:port is needed");
        }
        return List.copyOf(list);
    }

    /** The value of the HTTP {@code Host} header. */
    public String hostHeader() {
        return host + ":" + port;
    }

    @Override
    public String toString() {
        return hostHeader();
    }
}
