package io.runnel.broker.security;

import io.runnel.broker.common.Errors;
import java.util.List;
import java.util.Objects;

/**
 * Who sent a request, and what it may do. With client authentication off every request is {@link #ANONYMOUS},
 * which may do everything.
 *
 * @param name   the principal's name in the credentials file (or a client certificate's CN); {@code null} for
 *               {@link #ANONYMOUS}
 * @param grants what it may do
 */
public record Principal(String name, List<Grant> grants) {
    /** Every request when client authentication is off. */
    public static final Principal ANONYMOUS = new Principal(null, List.of(new Grant(Grant.Kind.ADMIN, "")));
    /** A request to an open route (such as {@code /status}) when client authentication is on: it may do nothing. */
    public static final Principal NONE = new Principal(null, List.of());

    public Principal {
        grants = List.copyOf(Objects.requireNonNull(grants, "grants"));
    }

    /** Whether one of the grants allows {@code kind} on {@code name}. */
    public boolean allows(Grant.Kind kind, String name) {
        for (Grant g : grants) {
            if (g.allows(kind, name)) {
                return true;
            }
        }
        return false;
    }

    /** @throws io.runnel.broker.common.RunnelException {@code forbidden} (403) unless allowed */
    public void require(Grant.Kind kind, String name) {
        if (!allows(kind, name)) {
            Grant needed = new Grant(kind, name == null ? "" : name);
            throw Errors.FORBIDDEN.exception("principal '" + this.name + "' has no grant for this: it needs " + needed
                    + (kind == Grant.Kind.ADMIN ? "" : " (or a prefix* grant that covers it, or admin)"));
        }
    }

    /** The name consumer registrations record, {@code null} for {@link #ANONYMOUS}. */
    public String owner() {
        return name;
    }

    /** Whether this principal may act as a consumer registered by {@code owner} ({@code null}: by nobody). */
    public boolean owns(String owner) {
        return name == null || owner == null || owner.equals(name);
    }

    @Override
    public String toString() {
        return name == null ? "anonymous" : name;
    }
}
