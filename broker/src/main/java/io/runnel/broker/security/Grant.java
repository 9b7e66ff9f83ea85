package io.runnel.broker.security;

import java.util.Locale;
import java.util.Objects;

/**
 * One permission of a principal, written as in the credentials file: {@code produce:<topic>},
 * {@code consume:<topic>}, {@code group:<group>} (a name, or a prefix ending in {@code *}; {@code *} alone is every
 * name), {@code admin} (topic, group, seek and bridge administration, and everything else), or {@code metrics}
 * ({@code GET /metrics}).
 *
 * @param pattern the name or {@code prefix*}; empty for {@code admin} and {@code metrics}
 */
public record Grant(Kind kind, String pattern) {

    /** What a grant allows. */
    public enum Kind {
        PRODUCE, CONSUME, GROUP, ADMIN, METRICS;

        String wireName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public Grant {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(pattern, "pattern");
    }

    /**
     * Parses a grant.
     *
     * @throws IllegalArgumentException naming what is wrong
     */
    public static Grant parse(String text) {
        String t = text == null ? "" : text.strip();
        int colon = t.indexOf(':');
        String kind = colon < 0 ? t : t.substring(0, colon);
        String pattern = colon < 0 ? "" : t.substring(colon + 1);
        Kind k;
        try {
            k = Kind.valueOf(kind.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("grant '" + text + "' is not one of produce:<topic>, consume:<topic>, "
                    + "group:<group>, admin, metrics");
        }
        boolean named = k == Kind.PRODUCE || k == Kind.CONSUME || k == Kind.GROUP;
        if (named && pattern.isEmpty()) {
            throw new IllegalArgumentException("grant '" + text + "' needs a name or prefix*, e.g. " + k.wireName() + ":orders*");
        }
        if (!named && colon >= 0) {
            throw new IllegalArgumentException("grant '" + text + "' takes no name: write '" + k.wireName() + "'");
        }
        if (pattern.indexOf('*') >= 0 && pattern.indexOf('*') != pattern.length() - 1) {
            throw new IllegalArgumentException("grant '" + text + "': '*' may only end a prefix");
        }
        return new Grant(k, pattern);
    }

    /** Whether this grant allows {@code kind} on {@code name} ({@code null} for kinds without a name). */
    public boolean allows(Kind wanted, String name) {
        if (kind == Kind.ADMIN) {
            return true;
        }
        if (kind != wanted) {
            return false;
        }
        if (pattern.isEmpty()) {
            return true;
        }
        if (name == null) {
            return false;
        }
        return pattern.endsWith("*") ? name.startsWith(pattern.substring(0, pattern.length() - 1)) : name.equals(pattern);
    }

    @Override
    public String toString() {
        return pattern.isEmpty() ? kind.wireName() : kind.wireName() + ":" + pattern;
    }
}
