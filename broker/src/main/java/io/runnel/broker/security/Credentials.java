package io.runnel.broker.security;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The credentials file ({@code --auth-file}): principals, their grants, and the hashes of their API keys and
 * password. JSON:
 * <pre>{"principals": [
 *   {"name": "orders-app", "grants": ["produce:orders*", "consume:orders", "group:orders-*"],
 *    "keys": [{"id": "k7f3a9c2e1b0", "hash": "pbkdf2-sha256$600000$...$..."}],
 *    "password": "pbkdf2-sha256$600000$...$..."}]}</pre>
 * An API key is {@code rnl_<id>_<secret>}: the id finds its entry, the secret is checked against the hash. No
 * secret is ever written in clear. The same file serves every broker. Immutable.
 */
public record Credentials(Map<String, Entry> principals) {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final SecureRandom RANDOM = new SecureRandom();
    /** The prefix of every API key. */
    public static final String KEY_PREFIX = "rnl_";

    public Credentials {
        principals = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(principals));
    }

    /** One principal. */
    public record Entry(String name, List<Grant> grants, List<Key> keys, String passwordHash) {
        public Entry {
            Objects.requireNonNull(name, "name");
            grants = List.copyOf(grants);
            keys = List.copyOf(keys);
        }

        Principal principal() {
            return new Principal(name, grants);
        }
    }

    /** An API key's id and the hash of its secret. */
    public record Key(String id, String hash) {
    }

    /** A new API key: what to hand the user once ({@link #text}), and what to store ({@link #key}). */
    public record IssuedKey(String text, Key key) {
    }

    public static Credentials empty() {
        return new Credentials(Map.of());
    }

    public Optional<Entry> principal(String name) {
        return Optional.ofNullable(principals.get(name));
    }

    /** The principal and key of an API key's id. */
    Optional<Map.Entry<Entry, Key>> byKeyId(String id) {
        for (Entry e : principals.values()) {
            for (Key k : e.keys()) {
                if (k.id().equals(id)) {
                    return Optional.of(Map.entry(e, k));
                }
            }
        }
        return Optional.empty();
    }

    /** A new key for any principal: {@code rnl_<12 hex id>_<43 chars of Base64url secret>}. */
    public static IssuedKey newKey(int iterations) {
        byte[] id = new byte[6];
        byte[] secret = new byte[32];
        RANDOM.nextBytes(id);
        RANDOM.nextBytes(secret);
        String idText = java.util.HexFormat.of().formatHex(id);
        String secretText = Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
        return new IssuedKey(KEY_PREFIX + idText + "_" + secretText, new Key(idText, SecretHash.hash(secretText, iterations)));
    }

    /** The key's id and secret, or empty when {@code text} is not shaped like a key. */
    static Optional<String[]> splitKey(String text) {
        if (text == null || !text.startsWith(KEY_PREFIX)) {
            return Optional.empty();
        }
        String rest = text.substring(KEY_PREFIX.length());
        int underscore = rest.indexOf('_');
        if (underscore <= 0 || underscore == rest.length() - 1) {
            return Optional.empty();
        }
        return Optional.of(new String[] {rest.substring(0, underscore), rest.substring(underscore + 1)});
    }

    /** This file with {@code entry} added or replacing the principal of its name. */
    public Credentials with(Entry entry) {
        Map<String, Entry> next = new LinkedHashMap<>(principals);
        next.put(entry.name(), entry);
        return new Credentials(next);
    }

    /** This file without the principal {@code name}. */
    public Credentials without(String name) {
        Map<String, Entry> next = new LinkedHashMap<>(principals);
        next.remove(name);
        return new Credentials(next);
    }

    // ------------------------------------------------------------------ file

    /**
     * Reads a credentials file.
     *
     * @throws IllegalArgumentException naming what is wrong (never quoting a hash)
     */
    public static Credentials read(Path file) throws IOException {
        JsonNode root;
        try {
            root = JSON.readTree(Files.readString(file, StandardCharsets.UTF_8));
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(file + " is not valid JSON: " + e.getOriginalMessage());
        }
        if (root == null || !root.path("principals").isArray()) {
            throw new IllegalArgumentException(file + " must be a JSON object with a \"principals\" array");
        }
        Map<String, Entry> out = new LinkedHashMap<>();
        for (JsonNode p : root.path("principals")) {
            String name = p.path("name").asText("");
            if (name.isBlank()) {
                throw new IllegalArgumentException(file + ": a principal has no name");
            }
            List<Grant> grants = new ArrayList<>();
            for (JsonNode g : p.path("grants")) {
                try {
                    grants.add(Grant.parse(g.asText()));
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException(file + ": principal '" + name + "': " + e.getMessage());
                }
            }
            List<Key> keys = new ArrayList<>();
            for (JsonNode k : p.path("keys")) {
                String hash = k.path("hash").asText(null);
                if (k.path("id").asText("").isEmpty() || !SecretHash.wellFormed(hash)) {
                    throw new IllegalArgumentException(file + ": principal '" + name + "' has a key without an id or a "
                            + "pbkdf2-sha256 hash");
                }
                keys.add(new Key(k.path("id").asText(), hash));
            }
            String password = p.path("password").isTextual() ? p.path("password").asText() : null;
            if (password != null && !SecretHash.wellFormed(password)) {
                throw new IllegalArgumentException(file + ": principal '" + name + "' has a password that is not a"
                        + " pbkdf2-sha256 hash (passwords are never stored in clear: use bin/runnel auth add-user)");
            }
            if (out.put(name, new Entry(name, grants, keys, password)) != null) {
                throw new IllegalArgumentException(file + ": principal '" + name + "' is listed twice");
            }
        }
        return new Credentials(out);
    }

    /** Writes the file atomically (a temporary file moved over it), readable by its owner only where possible. */
    public void write(Path file) throws IOException {
        ObjectNode root = JSON.createObjectNode();
        ArrayNode list = root.putArray("principals");
        for (Entry e : principals.values()) {
            ObjectNode p = list.addObject().put("name", e.name());
            ArrayNode grants = p.putArray("grants");
            e.grants().forEach(g -> grants.add(g.toString()));
            ArrayNode keys = p.putArray("keys");
            e.keys().forEach(k -> keys.addObject().put("id", k.id()).put("hash", k.hash()));
            if (e.passwordHash() != null) {
                p.put("password", e.passwordHash());
            }
        }
        Path abs = file.toAbsolutePath();
        Files.createDirectories(abs.getParent());
        Path tmp = Files.createTempFile(abs.getParent(), ".auth", ".tmp");
        try {
            Files.writeString(tmp, JSON.writeValueAsString(root) + "\n", StandardCharsets.UTF_8);
            try {
                Files.setPosixFilePermissions(tmp, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException e) {
                // not a POSIX file system
            }
            try {
                Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
