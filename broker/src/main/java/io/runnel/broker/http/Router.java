package io.runnel.broker.http;

import io.runnel.broker.common.Errors;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The routes of one port: method plus a path pattern whose {@code {name}} segments match any one
 * segment. An unknown path is a 404; a known path with another method is a 405 with {@code Allow}.
 * A route needs an authenticated principal when client authentication is on, unless it was added with
 * {@link Builder#open} (probes). Immutable once built; shared by every connection of the port.
 */
public final class Router {
    private final String api;
    private final List<Route> routes;

    private Router(String api, List<Route> routes) {
        this.api = api;
        this.routes = List.copyOf(routes);
    }

    /** Starts a router for the API named {@code api} (used in metrics and logs). */
    public static Builder builder(String api) {
        return new Builder(api);
    }

    public String api() {
        return api;
    }

    /**
     * A route that matched: its handler and path parameters.
     *
     * @param open whether it answers without credentials
     */
    public record Match(RouteHandler handler, Map<String, String> pathParams, boolean open) {
    }

    /**
     * Finds the route of a request.
     *
     * @param path the raw path (without query), still percent-encoded
     * @throws io.runnel.broker.common.RunnelException 404 or 405
     */
    public Match match(HttpMethod method, String path) {
        String[] segments = split(path);
        Set<String> allowed = new LinkedHashSet<>();
        for (Route route : routes) {
            Map<String, String> params = route.match(segments);
            if (params == null) {
                continue;
            }
            if (route.method.equals(method)) {
                return new Match(route.handler, params, route.open);
            }
            allowed.add(route.method.name());
        }
        if (allowed.isEmpty()) {
            throw Errors.NOT_FOUND.exception("no " + api + " endpoint at " + path);
        }
        String allow = String.join(", ", allowed);
        throw Errors.METHOD_NOT_ALLOWED.exception(path + " does not accept " + method.name() + "; use " + allow).allowing(allow);
    }

    private static String[] split(String path) {
        if (path.equals("/") || path.isEmpty()) {
            return new String[0];
        }
        String p = path.startsWith("/") ? path.substring(1) : path;
        return p.split("/", -1);
    }

    private record Route(HttpMethod method, String[] pattern, RouteHandler handler, boolean open) {
        /** The path parameters when {@code segments} fit the pattern, else {@code null}. */
        Map<String, String> match(String[] segments) {
            if (segments.length != pattern.length) {
                return null;
            }
            Map<String, String> params = Map.of();
            for (int i = 0; i < pattern.length; i++) {
                String p = pattern[i];
                if (p.startsWith("{") && p.endsWith("}")) {
                    if (segments[i].isEmpty()) {
                        return null;
                    }
                    if (params.isEmpty()) {
                        params = new LinkedHashMap<>();
                    }
                    params.put(p.substring(1, p.length() - 1), decode(segments[i]));
                } else if (!p.equals(segments[i])) {
                    return null;
                }
            }
            return params;
        }

        private static String decode(String segment) {
            try {
                return QueryStringDecoder.decodeComponent(segment.replace("+", "%2B"), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                throw Errors.BAD_PATH.exception("path segment '" + segment + "' is not valid percent-encoding");
            }
        }
    }

    /** Collects routes; the first route that matches a request wins. */
    public static final class Builder {
        private final String api;
        private final List<Route> routes = new ArrayList<>();

        private Builder(String api) {
            this.api = api;
        }

        public Builder route(HttpMethod method, String pattern, RouteHandler handler) {
            routes.add(new Route(method, split(pattern), handler, false));
            return this;
        }

        /** A route that answers without credentials even when client authentication is on (probes). */
        public Builder open(HttpMethod method, String pattern, RouteHandler handler) {
            routes.add(new Route(method, split(pattern), handler, true));
            return this;
        }

        public Builder get(String pattern, RouteHandler handler) {
            return route(HttpMethod.GET, pattern, handler);
        }

        public Builder post(String pattern, RouteHandler handler) {
            return route(HttpMethod.POST, pattern, handler);
        }

        public Builder put(String pattern, RouteHandler handler) {
            return route(HttpMethod.PUT, pattern, handler);
        }

        public Router build() {
            return new Router(api, routes);
        }
    }
}
