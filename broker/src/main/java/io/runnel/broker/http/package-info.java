/**
 * The HTTP/1.1 servers on Netty, independent of any one API: the per-connection pipeline
 * ({@link io.runnel.broker.http.HttpServerInitializer}: timeouts, size limits, aggregation,
 * dispatch), routing ({@link io.runnel.broker.http.Router}) and the JSON error contract
 * ({@link ErrorResponse} maps the error catalog, {@link io.runnel.broker.common.Errors}). Event loops only do I/O; routes answer with
 * completion stages.
 */
package io.runnel.broker.http;
