package io.runnel.broker.http;

import io.runnel.broker.common.Errors;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The decoded query string of a request, with strict accessors: an unknown parameter, a repeated
 * single-valued one or a value that does not parse is a 400, never silently ignored.
 */
public final class QueryParams {
    private final Map<String, List<String>> params;

    private QueryParams(Map<String, List<String>> params) {
        this.params = params;
    }

    /**
     * Decodes the query part of {@code uri}.
     *
     * @throws io.runnel.broker.common.RunnelException 400 {@code bad_query} when the percent-encoding is malformed
     */
    public static QueryParams parse(String uri) {
        try {
            return new QueryParams(new QueryStringDecoder(uri).parameters());
        } catch (IllegalArgumentException e) {
            throw Errors.BAD_QUERY.exception("the query string is not valid percent-encoding: " + e.getMessage());
        }
    }

    /** Rejects any parameter not in {@code allowed}. */
    public QueryParams allowOnly(String... allowed) {
        Set<String> ok = Set.of(allowed);
        for (String name : params.keySet()) {
            if (!ok.contains(name)) {
                throw Errors.BAD_QUERY.exception("unknown query parameter '" + name + "'"
                        + (allowed.length == 0 ? "; this endpoint takes none" : "; allowed: " + String.join(", ", new TreeSet<>(ok))));
            }
        }
        return this;
    }

    /** A parameter that may appear at most once. */
    public Optional<String> optional(String name) {
        List<String> values = params.get(name);
        if (values == null || values.isEmpty()) {
            return Optional.empty();
        }
        if (values.size() > 1) {
            throw Errors.BAD_QUERY.exception("query parameter '" + name + "' must appear at most once");
        }
        return Optional.of(values.get(0));
    }

    /** A parameter that must appear exactly once and not be empty. */
    public String required(String name) {
        String value = optional(name).orElseThrow(
                () -> Errors.BAD_QUERY.exception("query parameter '" + name + "' is required"));
        if (value.isEmpty()) {
            throw Errors.BAD_QUERY.exception("query parameter '" + name + "' must not be empty");
        }
        return value;
    }

    /** Every value of a repeatable parameter, in order. */
    public List<String> all(String name) {
        return params.getOrDefault(name, List.of());
    }

    /** An optional whole number in {@code [min, max]}. */
    public Optional<Long> optionalLong(String name, long min, long max) {
        return optional(name).map(text -> {
            long value;
            try {
                value = Long.parseLong(text);
            } catch (NumberFormatException e) {
                throw Errors.BAD_QUERY.exception("query parameter '" + name + "' must be a whole number, not '" + text + "'");
            }
            if (value < min || value > max) {
                throw Errors.BAD_QUERY.exception("query parameter '" + name + "' must be between " + min + " and " + max + ", not " + value);
            }
            return value;
        });
    }
}
