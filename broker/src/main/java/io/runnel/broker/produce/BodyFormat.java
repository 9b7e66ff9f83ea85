package io.runnel.broker.produce;

import io.runnel.broker.common.Errors;
import java.util.Locale;

/** How a produce request's body holds its events, from its {@code Content-Type}. */
public enum BodyFormat {
    /** One JSON value, one event ({@code application/json}, also when no type is given). */
    JSON,
    /** One JSON value per line ({@code application/x-ndjson}). */
    NDJSON;

    /**
     * Reads a {@code Content-Type} header. Parameters other than {@code charset} are ignored; a
     * charset other than UTF-8 is refused, since events are stored and served as UTF-8 JSON.
     *
     * @param contentType the header, or {@code null}
     * @throws io.runnel.broker.common.RunnelException 415 for any other media type or charset
     */
    public static BodyFormat of(String contentType) {
        if (contentType == null || contentType.isBlank()) {
            return JSON;
        }
        String[] parts = contentType.split(";");
        String mime = parts[0].trim().toLowerCase(Locale.ROOT);
        BodyFormat format = switch (mime) {
            case "application/json" -> JSON;
            case "application/x-ndjson", "application/ndjson" -> NDJSON;
            default -> throw Errors.UNSUPPORTED_MEDIA_TYPE.exception("content type '" + parts[0].trim()
                    + "' is not supported: send application/json (one event) or application/x-ndjson (one event per line)");
        };
        for (int i = 1; i < parts.length; i++) {
            String p = parts[i].trim();
            int eq = p.indexOf('=');
            if (eq > 0 && p.substring(0, eq).trim().equalsIgnoreCase("charset")) {
                String charset = p.substring(eq + 1).trim().replace("\"", "").toLowerCase(Locale.ROOT);
                if (!charset.equals("utf-8") && !charset.equals("utf8")) {
                    throw Errors.UNSUPPORTED_MEDIA_TYPE.exception("charset '" + charset + "' is not supported: events must be UTF-8");
                }
            }
        }
        return format;
    }
}
