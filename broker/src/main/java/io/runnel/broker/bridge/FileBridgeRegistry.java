package io.runnel.broker.bridge;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Keeps bridge definitions in {@code <data-dir>/bridges.json}:
 * {@code {"version":1,"bridges":[{<definition>,"paused":false},...]}}.
 *
 * <p>Every change rewrites the whole (small) file crash-safely: write a temporary file, fsync it,
 * rename it over the old one atomically, fsync the directory. A crash leaves either the old or the
 * new file, never a torn one. The file holds Kafka credentials as given, so it is created readable by
 * its owner only (where the file system has POSIX permissions).
 */
public final class FileBridgeRegistry implements BridgeRegistry {
    private static final JsonFactory JSON = new JsonFactory();
    static final String FILE_NAME = "bridges.json";
    private static final int VERSION = 1;
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final Path dir;
    private final Path file;
    private final Map<String, StoredBridge> bridges = new TreeMap<>();

    /**
     * Reads the file in {@code dir} if it exists.
     *
     * @throws BridgeStoreException if it exists but cannot be read or holds an invalid definition
     */
    public FileBridgeRegistry(Path dir) {
        this.dir = dir;
        this.file = dir.resolve(FILE_NAME);
        for (StoredBridge b : read(file)) {
            bridges.put(b.name(), b);
        }
    }

    @Override
    public synchronized List<StoredBridge> all() {
        return List.copyOf(bridges.values());
    }

    @Override
    public synchronized void put(StoredBridge bridge) {
        Map<String, StoredBridge> next = new TreeMap<>(bridges);
        next.put(bridge.name(), bridge);
        write(next);
        bridges.put(bridge.name(), bridge);
    }

    @Override
    public synchronized void remove(String name) {
        if (!bridges.containsKey(name)) {
            return;
        }
        Map<String, StoredBridge> next = new TreeMap<>(bridges);
        next.remove(name);
        write(next);
        bridges.remove(name);
    }

    private static List<StoredBridge> read(Path file) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return List.of();
        } catch (IOException e) {
            throw new BridgeStoreException("cannot read bridge definitions from " + file + ": " + e.getMessage(), e);
        }
        List<StoredBridge> out = new ArrayList<>();
        try {
            JsonNode root = MAPPER.readTree(bytes);
            if (root == null || root.path("version").asInt() != VERSION || !root.path("bridges").isArray()) {
                throw new BridgeStoreException(file + " is not a version " + VERSION + " bridge file {\"version\":1,\"bridges\":[...]}", null);
            }
            for (JsonNode node : root.get("bridges")) {
                boolean paused = node.path("paused").asBoolean(false);
                JsonNode definition = node.deepCopy();
                ((ObjectNode) definition).remove("paused");
                out.add(new StoredBridge(BridgeDefinition.fromJson(definition, null), paused));
            }
        } catch (IOException | InvalidBridgeException | ClassCastException e) {
            throw new BridgeStoreException("cannot read bridge definitions from " + file + ": " + e.getMessage()
                    + " (fix or remove the file)", e);
        }
        return out;
    }

    private void write(Map<String, StoredBridge> all) {
        byte[] bytes = encode(all);
        Path tmp = dir.resolve(FILE_NAME + ".tmp");
        try {
            Files.createDirectories(dir);
            Files.deleteIfExists(tmp);
            if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
                Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            }
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer buf = ByteBuffer.wrap(bytes);
                while (buf.hasRemaining()) {
                    ch.write(buf);
                }
                ch.force(true);
            }
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
            syncDirectory(dir);
        } catch (IOException e) {
            throw new BridgeStoreException("cannot store bridge definitions in " + file + ": " + e.getMessage(), e);
        }
    }

    /** Makes the rename durable; not every platform can open a directory, which is fine there. */
    private static void syncDirectory(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException | UnsupportedOperationException e) {
            // Windows cannot open directories; its rename is durable enough for this file.
        }
    }

    private static byte[] encode(Map<String, StoredBridge> all) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (JsonGenerator json = JSON.createGenerator(out, JsonEncoding.UTF8)) {
            json.useDefaultPrettyPrinter();
            json.writeStartObject();
            json.writeNumberField("version", VERSION);
            json.writeArrayFieldStart("bridges");
            for (StoredBridge b : all.values()) {
                json.writeStartObject();
                b.definition().writeFields(json, false);
                json.writeBooleanField("paused", b.paused());
                json.writeEndObject();
            }
            json.writeEndArray();
            json.writeEndObject();
        } catch (IOException e) {
            throw new BridgeStoreException("cannot encode bridge definitions: " + e.getMessage(), e);
        }
        return out.toByteArray();
    }
}
