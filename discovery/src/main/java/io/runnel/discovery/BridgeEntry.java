package io.runnel.discovery;

import java.util.Objects;

/**
 * A Kafka bridge as the cluster metadata keeps it, so that every broker sees the same set of bridges. The
 * metadata replaces an entry by name as a whole and never looks inside the definition.
 *
 * <p>Both strings are stored as UTF-8 in the raft log and snapshots, so they must be well-formed Unicode (no
 * unpaired surrogates). The definition is capped at {@link #MAX_DEFINITION_BYTES} bytes of UTF-8: the whole
 * entry travels in one raft log entry and sits in every snapshot, and a bridge definition (a few topic names and
 * Kafka client properties) is a few hundred bytes in practice. The name is capped at {@link #MAX_NAME_BYTES}.
 *
 * @param name       the bridge's name, unique in the cluster; not empty
 * @param definition what the bridge does, opaque to the metadata (the broker stores its JSON here)
 * @param paused     whether the bridge is paused; the broker decides what that means
 */
public record BridgeEntry(String name, String definition, boolean paused) {
    /** The largest definition, in bytes of UTF-8 (64 KiB). */
    public static final int MAX_DEFINITION_BYTES = 64 * 1024;
    /** The longest name, in bytes of UTF-8. */
    public static final int MAX_NAME_BYTES = 1024;

    /** @throws IllegalArgumentException if the name is empty, a string is too long or not well-formed Unicode */
    public BridgeEntry {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(definition, "definition");
        if (name.isEmpty()) {
            throw new IllegalArgumentException("a bridge name must not be empty");
        }
        checkText("bridge name", name, MAX_NAME_BYTES);
        checkText("definition of bridge '" + name + "'", definition, MAX_DEFINITION_BYTES);
    }

    /** A copy with another paused flag. */
    public BridgeEntry withPaused(boolean newPaused) {
        return new BridgeEntry(name, definition, newPaused);
    }

    private static void checkText(String what, String text, int maxBytes) {
        int bytes = utf8Length(text);
        if (bytes < 0) {
            throw new IllegalArgumentException("the " + what + " is not well-formed Unicode (unpaired surrogate)");
        }
        if (bytes > maxBytes) {
            throw new IllegalArgumentException("the " + what + " has " + bytes + " bytes of UTF-8, more than "
                    + maxBytes);
        }
    }

    /** The length of {@code s} in UTF-8, or -1 if it has an unpaired surrogate (which UTF-8 cannot hold). */
    static int utf8Length(String s) {
        int n = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                n += 1;
            } else if (c < 0x800) {
                n += 2;
            } else if (Character.isHighSurrogate(c)) {
                if (i + 1 >= s.length() || !Character.isLowSurrogate(s.charAt(i + 1))) {
                    return -1;
                }
                n += 4;
                i++;
            } else if (Character.isLowSurrogate(c)) {
                return -1;
            } else {
                n += 3;
            }
        }
        return n;
    }
}
