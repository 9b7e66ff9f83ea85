package io.runnel.broker.config;

import java.util.Locale;
import java.util.Optional;

/**
 * Every broker setting, in one place: its flag name, environment variable, default and
 * description. {@code --help}, the environment lookup, properties files and the README table are
 * all rendered from this enum, so they cannot drift apart.
 *
 * <p>A setting {@code data-dir} is the flag {@code --data-dir} (or {@code --data-dir=...}), the
 * environment variable {@code RUNNEL_DATA_DIR} and the properties key {@code data-dir}.
 */
public enum Option {
    CONFIG("config", "", "Properties file with more settings (keys are the option names, e.g. `data-dir=/var/lib/runnel`). Flags and environment variables override it."),
    BIND_ADDRESS("bind-address", "0.0.0.0", "Address the HTTP servers listen on. `bin/runnel dev` uses 127.0.0.1."),
    HOSTNAME("hostname", "", "Name advertised in `GET /v1/brokers`. Empty: the bind address, or the machine's host name when binding to all addresses."),
    DISCOVERY_PORT("discovery-port", "9250", "Port of the discovery and admin API and `/metrics` (0 picks a free port)."),
    PRODUCER_PORT("producer-port", "9251", "Port of the producer API (0 picks a free port)."),
    CONSUMER_PORT("consumer-port", "9252", "Port of the consumer API (0 picks a free port)."),
    DATA_DIR("data-dir", "./data", "Directory of this broker's RocksDB store (created if missing)."),
    ORDINAL("ordinal", "", "This broker's ordinal in the cluster, 0..N-1 (its entry in --brokers). Empty: the number ending the machine's host name (`runnel-2` in a StatefulSet is 2), else 0."),
    RANGES("ranges", "4", "Partitions per broker range (1..1024); every topic has brokers x ranges partitions."),
    BROKERS("brokers", "", "Comma-separated host names or addresses of ALL brokers, in ordinal order (the same list on every broker). Empty: a single broker without a cluster."),
    CLUSTER_PORT("cluster-port", "9254", "Port of the inter-broker channel (replication, forwarding), the same on every broker."),
    GOSSIP_PORT("gossip-port", "7800", "Port of the cluster membership (JGroups), the same on every broker."),
    REPLICA_LAG_MS("replica-lag-ms", "2000", "A follower that leaves a chunk unacknowledged this long is taken out of the in-sync replicas (100..600000 ms)."),
    FAILURE_TIMEOUT_MS("failure-timeout-ms", "1500", "How long a silent broker stays a cluster member before it is considered down (100..600000 ms)."),
    FSYNC("fsync", "always", "`always`: a 200 means the events are fsynced. `interval`: a 200 means they are in RocksDB's memtable and the log is fsynced every fsync-interval-ms."),
    FSYNC_INTERVAL_MS("fsync-interval-ms", "100", "With fsync=interval, how often the write-ahead log is fsynced (1..60000 ms)."),
    MAX_BODY_BYTES("max-body-bytes", "1048576", "Largest request body accepted (1 KiB..64 MiB); larger requests get 413."),
    MAX_HEADER_BYTES("max-header-bytes", "8192", "Largest total size of a request's headers (1 KiB..1 MiB); larger get 431."),
    MAX_INITIAL_LINE_BYTES("max-initial-line-bytes", "4096", "Longest request line (method, URI, version; 256 B..1 MiB); longer gets 414."),
    READ_TIMEOUT_MS("read-timeout-ms", "30000", "An idle connection, or a request that does not arrive completely within this time, is closed (100..3600000 ms)."),
    CONSUMER_TIMEOUT_MS("consumer-timeout-ms", "120000", "A consumer that does not poll for this long leaves its group (1000..86400000 ms)."),
    MAX_POLL_WAIT_MS("max-poll-wait-ms", "30000", "Longest time a poll waits for data (its `timeout` parameter is capped at this; 0..300000 ms)."),
    MAX_POLL_BYTES("max-poll-bytes", "1048576", "Most bytes one poll returns (its `maxBytes` parameter is capped at this; 1 KiB..64 MiB)."),
    BLOCK_CACHE_MB("block-cache-mb", "64", "RocksDB block cache (MiB, at least 1)."),
    WRITE_BUFFER_MB("write-buffer-mb", "32", "RocksDB memtable size of the log (MiB, at least 1)."),
    RETENTION_HOURS("retention-hours", "168", "Default retention of new topics, in hours (at least 1)."),
    RETENTION_BYTES("retention-bytes", "-1", "Default most bytes kept per partition of new topics; -1 for no limit."),
    IO_THREADS("io-threads", "0", "Netty event-loop threads for all HTTP ports; 0 = number of CPU cores."),
    WORKER_THREADS("worker-threads", "0", "Threads that validate and encode requests off the event loops; 0 = number of CPU cores."),
    BRIDGES_FILE("bridges-file", "", "JSON file with an array of Kafka bridge definitions (as for `PUT /v1/bridges/{name}`, with `name`), applied at start. Empty: none; bridges can also be defined through the admin API."),
    CLUSTER_SECRET_FILE("cluster-secret-file", "", "File holding the secret every broker of the cluster shares (at least 16 bytes; e.g. `head -c 32 /dev/urandom | base64 > cluster.secret`). Brokers authenticate each other with it on the cluster port and JGroups encrypts with it. Required with --brokers; `bin/runnel dev` makes one in its data root."),
    AUTH_FILE("auth-file", "", "Credentials file (principals, hashed API keys and passwords, grants; see `bin/runnel auth`). Set: every API but /status needs credentials. Reloaded when it changes. Empty: no client authentication (a local broker)."),
    TLS_CERT("tls-cert", "", "PEM certificate chain: every HTTP port speaks TLS, and so does the cluster port. Reloaded when it changes. Needs --tls-key."),
    TLS_KEY("tls-key", "", "PEM private key (PKCS#8) of --tls-cert."),
    TLS_CLIENT_CA("tls-client-ca", "", "PEM CA certificates: HTTP clients must present a certificate they signed (its CN is the principal), and brokers check each other's on the cluster port. Needs --tls-cert."),
    METRICS_OPEN("metrics-open", "false", "`true`: GET /metrics needs no credentials even with --auth-file (for a scraper inside a trusted network)."),
    MAX_IN_FLIGHT_MB("max-in-flight-mb", "0", "Budget of request bodies and answers held at once (MiB); a produce request that does not fit gets 429 before its body is read. 0: half of the JVM's direct memory."),
    MAX_CONNECTIONS("max-connections", "4096", "Most HTTP connections of the broker (all ports); more are answered 503 and closed (1..1000000)."),
    MAX_CONNECTIONS_PER_CLIENT("max-connections-per-client", "1024", "Most HTTP connections from one client address; more are answered 429 and closed (1..1000000)."),
    MAX_TOPICS("max-topics", "1000", "Most topics in the cluster; creating another (its first write) gets 409 limit_exceeded (1..1000000)."),
    MAX_GROUPS("max-groups", "1000", "Most consumer groups in the cluster; registering into another gets 409 limit_exceeded (1..1000000)."),
    MAX_CONSUMERS_PER_GROUP("max-consumers-per-group", "1000", "Most consumers registered in one group; another gets 409 limit_exceeded (1..1000000)."),
    MAX_PARKED_POLLS("max-parked-polls", "1000", "Most long polls waiting for data on this broker; a poll past it is answered at once (1..1000000)."),
    MAX_PARTITION_KEY_BYTES("max-partition-key-bytes", "1024", "Longest partitionKey (UTF-8 bytes); longer gets 400 (1..65536)."),
    MAX_PENDING_MB("max-pending-mb", "0", "Most produced bytes waiting for the disk or for replicas at once (MiB); a write past it gets 503 overloaded, unstored. 0: a quarter of the JVM's heap.");

    private final String key;
    private final String defaultValue;
    private final String description;

    Option(String key, String defaultValue, String description) {
        this.key = key;
        this.defaultValue = defaultValue;
        this.description = description;
    }

    /** The option's name: properties key, and flag without its dashes. */
    public String key() {
        return key;
    }

    /** The command-line flag, e.g. {@code --data-dir}. */
    public String flag() {
        return "--" + key;
    }

    /** The environment variable, e.g. {@code RUNNEL_DATA_DIR}. */
    public String env() {
        return "RUNNEL_" + key.toUpperCase(Locale.ROOT).replace('-', '_');
    }

    /** The default as text; empty when the default is derived (see the description). */
    public String defaultValue() {
        return defaultValue;
    }

    public String description() {
        return description;
    }

    /** Both spellings for error messages: {@code --data-dir / RUNNEL_DATA_DIR}. */
    public String names() {
        return flag() + " / " + env();
    }

    /** The option named {@code key} (without dashes). */
    public static Optional<Option> byKey(String key) {
        for (Option o : values()) {
            if (o.key.equals(key)) {
                return Optional.of(o);
            }
        }
        return Optional.empty();
    }

    /** The {@code --help} text: usage and an aligned table of every option. */
    public static String helpText() {
        StringBuilder out = new StringBuilder();
        out.append("Usage: runnel broker [--option value | --option=value]...\n\n")
                .append("Each option can also be set by its environment variable or in a properties file\n")
                .append("(--config FILE). Precedence: flag > environment > file > default.\n\n");
        int flagWidth = "option".length();
        int envWidth = "environment".length();
        int defaultWidth = "default".length();
        for (Option o : values()) {
            flagWidth = Math.max(flagWidth, o.flag().length());
            envWidth = Math.max(envWidth, o.env().length());
            defaultWidth = Math.max(defaultWidth, o.defaultValue.length());
        }
        String format = "%-" + flagWidth + "s  %-" + envWidth + "s  %-" + defaultWidth + "s  %s%n";
        out.append(String.format(format, "option", "environment", "default", "description"));
        for (Option o : values()) {
            out.append(String.format(format, o.flag(), o.env(), o.defaultValue, o.description.replace("`", "")));
        }
        out.append(String.format("%-" + flagWidth + "s  %-" + envWidth + "s  %-" + defaultWidth + "s  %s%n",
                "--help", "", "", "Print this table and exit."));
        return out.toString();
    }

    /** The same table as Markdown, for the README. */
    public static String markdownTable() {
        StringBuilder out = new StringBuilder();
        out.append("| Flag | Environment | Default | Description |\n");
        out.append("|---|---|---|---|\n");
        for (Option o : values()) {
            out.append("| `").append(o.flag()).append("` | `").append(o.env()).append("` | ")
                    .append(o.defaultValue.isEmpty() ? "" : "`" + o.defaultValue + "`").append(" | ")
                    .append(o.description.replace("|", "\\|")).append(" |\n");
        }
        return out.toString();
    }
}
