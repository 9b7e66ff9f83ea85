package io.runnel.broker.common;

import java.util.HashMap;
import java.util.Map;

/**
 * Every error a broker answers, in one catalog (as Kafka's {@code Errors}): a stable numeric code that
 * cluster frames carry, the {@code kind} string of the JSON body {@code {"error": kind, "message": ...}},
 * the HTTP status the edge answers with, whether a client may retry, and the {@code Retry-After} seconds
 * to suggest when it may.
 *
 * <p>Code outside the HTTP layer fails with {@link RunnelException}s made by {@link #exception}; only the
 * HTTP edge turns a code into a status and body. Codes are part of the cluster protocol: never renumber
 * one, only add.
 */
public enum Errors {
    /** No error (frames that answer with a code use it for success). */
    NONE(0, "none", 200, false, 0),

    // ------------------------------------------------------------------ 400: fix the request
    BAD_REQUEST(1, "bad_request", 400, false, 0),
    BAD_QUERY(2, "bad_query", 400, false, 0),
    BAD_PATH(3, "bad_path", 400, false, 0),
    INVALID_TOPIC(4, "invalid_topic", 400, false, 0),
    INVALID_PARTITION_KEY(5, "invalid_partition_key", 400, false, 0),
    MALFORMED_JSON(6, "malformed_json", 400, false, 0),
    MALFORMED_NDJSON(7, "malformed_ndjson", 400, false, 0),
    NO_EVENTS(8, "no_events", 400, false, 0),
    INVALID_BRIDGE(9, "invalid_bridge", 400, false, 0),
    BAD_SEEK(10, "bad_seek", 400, false, 0),

    // ------------------------------------------------------------------ 401, 403: who are you, may you
    /** No credentials, or credentials that are not valid (the answer carries {@code WWW-Authenticate}). */
    UNAUTHORIZED(11, "unauthorized", 401, false, 0),
    /** Valid credentials without the grant the request needs. */
    FORBIDDEN(12, "forbidden", 403, false, 0),

    // ------------------------------------------------------------------ 404, 405, 408, 409
    NOT_FOUND(20, "not_found", 404, false, 0),
    UNKNOWN_GROUP(21, "unknown_group", 404, false, 0),
    UNKNOWN_BRIDGE(22, "unknown_bridge", 404, false, 0),
    UNKNOWN_TOPIC(23, "unknown_topic", 404, false, 0),
    METHOD_NOT_ALLOWED(30, "method_not_allowed", 405, false, 0),
    REQUEST_TIMEOUT(31, "request_timeout", 408, true, 0),
    /** The consumer is not (or no longer) registered: register it and retry. */
    NOT_REGISTERED(32, "not_registered", 409, false, 0),

    /** A configured limit (topics, groups, consumers per group) would be exceeded; the message names it. */
    LIMIT_EXCEEDED(33, "limit_exceeded", 409, false, 0),

    // ------------------------------------------------------------------ 413, 414, 415, 429, 431
    REQUEST_TOO_LARGE(40, "request_too_large", 413, false, 0),
    URI_TOO_LONG(41, "uri_too_long", 414, false, 0),
    UNSUPPORTED_MEDIA_TYPE(42, "unsupported_media_type", 415, false, 0),
    HEADERS_TOO_LARGE(43, "headers_too_large", 431, false, 0),
    /** The broker's budget of bytes in flight, or a client's share of its connections, is used up: retry later. */
    TOO_MANY_REQUESTS(44, "too_many_requests", 429, true, 1),

    // ------------------------------------------------------------------ 500: a bug or a broken store
    INTERNAL_ERROR(50, "internal_error", 500, false, 0),
    BRIDGE_STORE_FAILED(51, "bridge_store_failed", 500, false, 0),

    // ------------------------------------------------------------------ 503: retry (with Retry-After)
    /** This broker does not lead the partition (any more): the client retries, any broker forwards keyed writes. */
    NOT_LEADER(60, "not_leader", 503, true, 1),
    /** Fewer than a majority of the partition's replicas are in sync or reachable. */
    NOT_ENOUGH_REPLICAS(61, "not_enough_replicas", 503, true, 2),
    /** The write was not acknowledged by enough replicas in time; it may or may not be stored. */
    REPLICATION_TIMEOUT(62, "replication_timeout", 503, true, 1),
    /** The partition has no leader yet. */
    NO_LEADER(63, "no_leader", 503, true, 1),
    /** The partition's leader is known but this broker cannot reach it. */
    LEADER_UNAVAILABLE(64, "leader_unavailable", 503, true, 1),
    /** A forwarded request reached the leader, but its answer did not come back. */
    LEADER_UNREACHABLE(65, "leader_unreachable", 503, true, 1),
    /** The broker is starting (the cluster is forming). */
    NOT_READY(66, "not_ready", 503, true, 1),
    /** The cluster metadata has no majority to record a change. */
    NO_QUORUM(67, "no_quorum", 503, true, 2),
    SHUTTING_DOWN(68, "shutting_down", 503, true, 1),
    OVERLOADED(69, "overloaded", 503, true, 1),
    /** The broker's storage failed: it stops acknowledging writes. */
    STORAGE_UNAVAILABLE(70, "storage_unavailable", 503, true, 5),
    /** Another broker that had to answer part of the request could not be reached. */
    BROKER_UNAVAILABLE(71, "broker_unavailable", 503, true, 1);

    private static final Map<Integer, Errors> BY_CODE = new HashMap<>();

    static {
        for (Errors e : values()) {
            if (BY_CODE.put(e.code, e) != null) {
                throw new ExceptionInInitializerError("two errors with code " + e.code);
            }
        }
    }

    private final int code;
    private final String kind;
    private final int httpStatus;
    private final boolean retriable;
    private final int retryAfterSeconds;

    Errors(int code, String kind, int httpStatus, boolean retriable, int retryAfterSeconds) {
        this.code = code;
        this.kind = kind;
        this.httpStatus = httpStatus;
        this.retriable = retriable;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    /** The stable code cluster frames carry. */
    public int code() {
        return code;
    }

    /** The {@code error} field of the JSON body. */
    public String kind() {
        return kind;
    }

    /** The status the HTTP edge answers with. */
    public int httpStatus() {
        return httpStatus;
    }

    /** Whether the same request may succeed later (the answer then has a {@code Retry-After}). */
    public boolean retriable() {
        return retriable;
    }

    /** The {@code Retry-After} seconds suggested by default; 0 for none. */
    public int retryAfterSeconds() {
        return retryAfterSeconds;
    }

    /** The exception for this error. */
    public RunnelException exception(String message) {
        return new RunnelException(this, message, retryAfterSeconds);
    }

    /** The error of a code from a frame; {@link #INTERNAL_ERROR} for a code this broker does not know. */
    public static Errors forCode(int code) {
        return BY_CODE.getOrDefault(code, INTERNAL_ERROR);
    }

    /**
     * The error a failure stands for: a {@link RunnelException}'s own, else {@link #INTERNAL_ERROR} (the edge logs
     * those). Unwraps {@code CompletionException}s.
     */
    public static Errors forException(Throwable t) {
        return Futures.unwrap(t) instanceof RunnelException r ? r.error() : INTERNAL_ERROR;
    }
}
