package io.runnel.broker.bridge;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import io.runnel.broker.common.TopicNames;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What one bridge moves, validated: the JSON object
 * {@code {"name","direction","topic","kafkaTopic","bootstrapServers","group","properties"}} of the
 * admin API, the {@code --bridges-file} and {@code bridges.json}.
 *
 * @param name             1-128 characters of {@code [a-zA-Z0-9._-]}, not {@code .} or {@code ..}
 * @param direction        export (Runnel to Kafka) or import (Kafka to Runnel)
 * @param topic            the Runnel topic
 * @param kafkaTopic       the Kafka topic
 * @param bootstrapServers comma-separated {@code host:port} list of Kafka brokers
 * @param group            import only: the Kafka consumer group (default {@code runnel-bridge-<name>});
 *                         {@code null} for export, whose progress is the Runnel group {@link #runnelGroup()}
 * @param properties       Kafka client properties passed through (security.protocol, ssl.*, sasl.*,
 *                         tuning), sorted by key; see {@link KafkaSettings} for the ones the bridge owns
 */
public record BridgeDefinition(
        String name,
        BridgeDirection direction,
        String topic,
        String kafkaTopic,
        String bootstrapServers,
        String group,
        Map<String, String> properties) {

    static final int MAX_NAME_LENGTH = 128;
    private static final Set<String> FIELDS =
            Set.of("name", "direction", "topic", "kafkaTopic", "bootstrapServers", "group", "properties");

    /** @throws InvalidBridgeException naming every problem */
    public BridgeDefinition {
        List<String> problems = new ArrayList<>();
        if (!validName(name)) {
            problems.add(nameProblem(name));
        }
        if (direction == null) {
            problems.add("direction is required: 'export' (Runnel to Kafka) or 'import' (Kafka to Runnel)");
        }
        if (topic == null || topic.isEmpty()) {
            problems.add("topic (the Runnel topic) is required");
        } else if (!TopicNames.isValid(topic)) {
            problems.add("topic: " + TopicNames.problem(topic));
        } else if (TopicNames.isInternal(topic)) {
            problems.add("topic '" + topic + "' is internal (names starting with '__' are reserved): a bridge can "
                    + "neither write into it nor read it");
        }
        if (kafkaTopic == null || kafkaTopic.isEmpty()) {
            problems.add("kafkaTopic is required");
        } else if (!TopicNames.isValid(kafkaTopic)) {
            problems.add("kafkaTopic: Kafka's t" + TopicNames.problem(kafkaTopic).substring(1));
        }
        String servers = bootstrapProblem(bootstrapServers);
        if (servers != null) {
            problems.add(servers);
        }
        if (direction == BridgeDirection.EXPORT && group != null) {
            problems.add("group applies to import bridges only: an export bridge keeps its progress in the Runnel consumer group bridge-" + name);
        }
        if (direction == BridgeDirection.IMPORT) {
            if (group == null) {
                group = KafkaSettings.clientId(name);
            } else if (group.isBlank() || group.length() > 255) {
                problems.add("group must be 1-255 characters, or left out for runnel-bridge-" + name);
            }
        }
        properties = properties == null ? Map.of() : Collections.unmodifiableMap(new TreeMap<>(properties));
        for (Map.Entry<String, String> e : properties.entrySet()) {
            if (e.getKey() == null || e.getKey().isBlank() || e.getValue() == null) {
                problems.add("properties must map names to values, not '" + e.getKey() + "' to " + e.getValue());
            }
        }
        if (direction != null && problems.isEmpty()) {
            problems.addAll(KafkaSettings.problems(direction, properties));
        }
        if (!problems.isEmpty()) {
            throw new InvalidBridgeException(problems);
        }
    }

    /** The Runnel consumer group that holds an export bridge's progress. */
    public String runnelGroup() {
        return "bridge-" + name;
    }

    /**
     * Reads a definition from its JSON object. Unknown fields are errors (a typo must not be
     * silently ignored); {@code properties} values may be strings, numbers or booleans.
     *
     * @param nameFromPath the name in the URL, which a {@code name} field must repeat; {@code null} if none
     * @throws InvalidBridgeException naming every problem
     */
    public static BridgeDefinition fromJson(JsonNode json, String nameFromPath) {
        if (json == null || !json.isObject()) {
            throw new InvalidBridgeException("a bridge definition is a JSON object {\"name\",\"direction\",\"topic\",\"kafkaTopic\",\"bootstrapServers\",\"group\",\"properties\"}");
        }
        List<String> problems = new ArrayList<>();
        for (Iterator<String> it = json.fieldNames(); it.hasNext(); ) {
            String field = it.next();
            if (!FIELDS.contains(field)) {
                problems.add("unknown field '" + field + "'; the fields are " + String.join(", ", new TreeSet<>(FIELDS)));
            }
        }
        String name = text(json, "name", problems);
        if (nameFromPath != null) {
            if (name == null) {
                name = nameFromPath;
            } else if (!name.equals(nameFromPath)) {
                problems.add("the name in the body ('" + name + "') differs from the name in the path ('" + nameFromPath + "')");
            }
        }
        String directionText = text(json, "direction", problems);
        BridgeDirection direction = null;
        if (directionText != null) {
            try {
                direction = BridgeDirection.parse(directionText);
            } catch (IllegalArgumentException e) {
                problems.add(e.getMessage());
            }
        }
        String topic = text(json, "topic", problems);
        String kafkaTopic = text(json, "kafkaTopic", problems);
        String bootstrap = text(json, "bootstrapServers", problems);
        String group = text(json, "group", problems);
        Map<String, String> properties = new TreeMap<>();
        JsonNode props = json.get("properties");
        if (props != null && !props.isNull()) {
            if (!props.isObject()) {
                problems.add("properties must be a JSON object of Kafka client settings, e.g. {\"security.protocol\":\"SASL_SSL\"}");
            } else {
                props.properties().forEach(e -> {
                    JsonNode v = e.getValue();
                    if (v.isTextual() || v.isNumber() || v.isBoolean()) {
                        properties.put(e.getKey(), v.asText());
                    } else {
                        problems.add("property '" + e.getKey() + "' must be a string, number or boolean");
                    }
                });
            }
        }
        if (!problems.isEmpty()) {
            throw new InvalidBridgeException(problems);
        }
        return new BridgeDefinition(name, direction, topic, kafkaTopic, bootstrap, group, properties);
    }

    /**
     * Writes the definition's fields (not the enclosing braces) to {@code json}.
     *
     * @param hideSecrets show only the values of allowed, non-secret properties: every other value (passwords, PEM
     *                    keys, JAAS configurations) is {@code [hidden]}
     */
    public void writeFields(JsonGenerator json, boolean hideSecrets) throws IOException {
        json.writeStringField("name", name);
        json.writeStringField("direction", direction.wireName());
        json.writeStringField("topic", topic);
        json.writeStringField("kafkaTopic", kafkaTopic);
        json.writeStringField("bootstrapServers", bootstrapServers);
        if (group != null) {
            json.writeStringField("group", group);
        }
        json.writeObjectFieldStart("properties");
        for (Map.Entry<String, String> e : properties.entrySet()) {
            json.writeStringField(e.getKey(), hideSecrets && !KafkaSettings.shown(e.getKey()) ? KafkaSettings.HIDDEN : e.getValue());
        }
        json.writeEndObject();
    }

    static boolean validName(String name) {
        return name != null && name.length() <= MAX_NAME_LENGTH && TopicNames.isValid(name);
    }

    static String nameProblem(String name) {
        return "bridge name '" + name + "' is invalid: use 1 to " + MAX_NAME_LENGTH
                + " characters of a-z, A-Z, 0-9, '.', '_' and '-', other than '.' and '..'";
    }

    private static String text(JsonNode json, String field, List<String> problems) {
        JsonNode v = json.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isTextual()) {
            problems.add(field + " must be a string");
            return null;
        }
        return v.asText();
    }

    /** What is wrong with a {@code host:port[,host:port]} list, or {@code null}. */
    private static String bootstrapProblem(String servers) {
        String usage = "bootstrapServers must list Kafka brokers as host:port[,host:port...], e.g. 'localhost:9092'";
        if (servers == null || servers.isBlank()) {
            return usage;
        }
        for (String s : servers.split(",", -1)) {
            String server = s.trim();
            int colon = server.lastIndexOf(':');
            if (colon <= 0 || colon == server.length() - 1) {
                return usage + "; '" + server + "' has no port";
            }
            String host = server.substring(0, colon);
            if (host.startsWith("[") != host.endsWith("]") || host.isBlank()) {
                return usage + "; '" + server + "' has no valid host";
            }
            int port;
            try {
                port = Integer.parseInt(server.substring(colon + 1));
            } catch (NumberFormatException e) {
                return usage + "; '" + server + "' has no valid port";
            }
            if (port < 1 || port > 65_535) {
                return usage + "; port " + port + " of '" + server + "' is out of range";
            }
        }
        return null;
    }

    @Override
    public String toString() {
        return direction.wireName() + " bridge " + name + " (" + (direction == BridgeDirection.EXPORT
                ? "runnel:" + topic + " -> kafka:" + kafkaTopic : "kafka:" + kafkaTopic + " -> runnel:" + topic)
                + " at " + bootstrapServers + ")";
    }
}
