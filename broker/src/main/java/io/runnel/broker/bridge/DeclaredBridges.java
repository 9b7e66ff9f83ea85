package io.runnel.broker.bridge;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Reads the bridges declared in the broker's configuration ({@code --bridges-file}): a JSON array
 * of definitions, in the format of {@code PUT /v1/bridges/{name}} with {@code name} required.
 */
public final class DeclaredBridges {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private DeclaredBridges() {
    }

    /**
     * @throws InvalidBridgeException naming the file, the position of each bad definition and every
     *                                problem (the broker does not start with a bad file)
     */
    public static List<BridgeDefinition> read(Path file) {
        JsonNode root;
        try {
            root = MAPPER.readTree(Files.readAllBytes(file));
        } catch (NoSuchFileException e) {
            throw new InvalidBridgeException("bridges file " + file + " does not exist");
        } catch (IOException e) {
            throw new InvalidBridgeException("bridges file " + file + " is not valid JSON: " + e.getMessage());
        }
        if (root == null || !root.isArray()) {
            throw new InvalidBridgeException("bridges file " + file + " must hold a JSON array of bridge definitions");
        }
        List<BridgeDefinition> out = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (int i = 0; i < root.size(); i++) {
            String where = "bridges file " + file + ", definition " + (i + 1) + ": ";
            JsonNode node = root.get(i);
            if (node.isObject() && !node.hasNonNull("name")) {
                problems.add(where + "name is required");
                continue;
            }
            try {
                BridgeDefinition d = BridgeDefinition.fromJson(node, null);
                if (!names.add(d.name())) {
                    problems.add(where + "another definition is also named '" + d.name() + "'");
                }
                out.add(d);
            } catch (InvalidBridgeException e) {
                for (String p : e.problems()) {
                    problems.add(where + p);
                }
            }
        }
        if (!problems.isEmpty()) {
            throw new InvalidBridgeException(problems);
        }
        return out;
    }
}
