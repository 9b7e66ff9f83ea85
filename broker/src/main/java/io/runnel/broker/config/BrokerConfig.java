package io.runnel.broker.config;

import io.runnel.storage.FsyncMode;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The settings of one broker, validated. Every field corresponds to an {@link Option}; build one
 * with {@link ConfigLoader} (flags, environment, file) or {@link #of(Map)} (tests).
 *
 * <p>Derived defaults are resolved here, so the record holds what the broker really uses: an
 * empty {@code hostname} becomes the bind address (or the machine's host name on a wildcard
 * address), and {@code 0} I/O or worker threads become the number of CPU cores. An empty
 * {@code bridges-file} becomes a {@code null} {@link #bridgesFile()}; the security files likewise
 * ({@link SecurityConfig}).
 */
public record BrokerConfig(
        String bindAddress,
        String hostname,
        int discoveryPort,
        int producerPort,
        int consumerPort,
        Path dataDir,
        int ordinal,
        int ranges,
        FsyncMode fsync,
        Duration fsyncInterval,
        int maxBodyBytes,
        int maxHeaderBytes,
        int maxInitialLineBytes,
        Duration readTimeout,
        Duration consumerTimeout,
        Duration maxPollWait,
        int maxPollBytes,
        int blockCacheMb,
        int writeBufferMb,
        Duration retention,
        long retentionBytes,
        int ioThreads,
        int workerThreads,
        Path bridgesFile,
        List<String> brokers,
        int clusterPort,
        int gossipPort,
        Duration replicaLag,
        Duration failureTimeout,
        SecurityConfig security,
        LimitsConfig limits) {

    private static final int KIB = 1024;
    private static final int MIB = 1024 * 1024;

    public BrokerConfig {
        List<String> problems = new ArrayList<>();
        Objects.requireNonNull(fsync, "fsync");
        Objects.requireNonNull(dataDir, "dataDir");
        if (bindAddress == null || bindAddress.isBlank()) {
            problems.add(Option.BIND_ADDRESS.names() + " must be an IP address or host name");
        } else {
            try {
                InetAddress.getByName(bindAddress);
            } catch (UnknownHostException e) {
                problems.add(Option.BIND_ADDRESS.names() + " '" + bindAddress + "' is not an address of this machine");
            }
        }
        port(problems, Option.DISCOVERY_PORT, discoveryPort);
        port(problems, Option.PRODUCER_PORT, producerPort);
        port(problems, Option.CONSUMER_PORT, consumerPort);
        if (discoveryPort != 0 && (discoveryPort == producerPort || discoveryPort == consumerPort)
                || producerPort != 0 && producerPort == consumerPort) {
            problems.add("the discovery, producer and consumer ports must differ (" + discoveryPort + ", "
                    + producerPort + ", " + consumerPort + ")");
        }
        range(problems, Option.ORDINAL, ordinal, 0, 100_000);
        range(problems, Option.RANGES, ranges, 1, 1024);
        range(problems, Option.FSYNC_INTERVAL_MS, fsyncInterval.toMillis(), 1, 60_000);
        range(problems, Option.MAX_BODY_BYTES, maxBodyBytes, KIB, 64 * MIB);
        range(problems, Option.MAX_HEADER_BYTES, maxHeaderBytes, KIB, MIB);
        range(problems, Option.MAX_INITIAL_LINE_BYTES, maxInitialLineBytes, 256, MIB);
        range(problems, Option.READ_TIMEOUT_MS, readTimeout.toMillis(), 100, 3_600_000);
        range(problems, Option.CONSUMER_TIMEOUT_MS, consumerTimeout.toMillis(), 1000, 86_400_000);
        range(problems, Option.MAX_POLL_WAIT_MS, maxPollWait.toMillis(), 0, 300_000);
        range(problems, Option.MAX_POLL_BYTES, maxPollBytes, KIB, 64 * MIB);
        range(problems, Option.BLOCK_CACHE_MB, blockCacheMb, 1, 1 << 20);
        range(problems, Option.WRITE_BUFFER_MB, writeBufferMb, 1, 1 << 16);
        range(problems, Option.RETENTION_HOURS, retention.toHours(), 1, 24L * 365 * 100);
        if (retentionBytes < -1 || retentionBytes == 0) {
            problems.add(Option.RETENTION_BYTES.names() + " must be positive or -1 (no limit), not " + retentionBytes);
        }
        brokers = brokers == null ? List.of() : List.copyOf(brokers);
        Objects.requireNonNull(replicaLag, "replicaLag");
        Objects.requireNonNull(failureTimeout, "failureTimeout");
        port(problems, Option.CLUSTER_PORT, clusterPort);
        port(problems, Option.GOSSIP_PORT, gossipPort);
        range(problems, Option.REPLICA_LAG_MS, replicaLag.toMillis(), 100, 600_000);
        range(problems, Option.FAILURE_TIMEOUT_MS, failureTimeout.toMillis(), 100, 600_000);
        if (!brokers.isEmpty()) {
            if (brokers.stream().anyMatch(String::isBlank)) {
                problems.add(Option.BROKERS.names() + " has an empty entry: " + brokers);
            }
            if (brokers.stream().distinct().count() != brokers.size()) {
                problems.add(Option.BROKERS.names() + " lists a broker twice: " + brokers);
            }
            if (ordinal >= brokers.size()) {
                problems.add(Option.ORDINAL.names() + " is " + ordinal + " but " + Option.BROKERS.names() + " lists only "
                        + brokers.size() + " brokers (ordinals 0.." + (brokers.size() - 1) + ")");
            }
            if (clusterPort == 0 || gossipPort == 0 || clusterPort == gossipPort) {
                problems.add(Option.CLUSTER_PORT.names() + " and " + Option.GOSSIP_PORT.names()
                        + " must be two different fixed ports (every broker uses the same), not " + clusterPort + " and " + gossipPort);
            }
            for (int httpPort : new int[] {discoveryPort, producerPort, consumerPort}) {
                if (httpPort != 0 && (httpPort == clusterPort || httpPort == gossipPort)) {
                    problems.add("the HTTP port " + httpPort + " is also the cluster or gossip port");
                }
            }
        }
        Objects.requireNonNull(security, "security");
        if (!brokers.isEmpty() && security.clusterSecretFile() == null) {
            problems.add(Option.CLUSTER_SECRET_FILE.names() + " is required with " + Option.BROKERS.names()
                    + ": brokers authenticate each other with a shared secret. Make one, e.g. "
                    + "`head -c 32 /dev/urandom | base64 > cluster.secret`, and give every broker the same file"
                    + " (bin/runnel dev makes one by itself)");
        }
        if ((security.tlsCert() == null) != (security.tlsKey() == null)) {
            problems.add(Option.TLS_CERT.names() + " and " + Option.TLS_KEY.names() + " go together: set both or neither");
        }
        if (security.tlsClientCa() != null && security.tlsCert() == null) {
            problems.add(Option.TLS_CLIENT_CA.names() + " needs " + Option.TLS_CERT.names() + " and " + Option.TLS_KEY.names());
        }
        Objects.requireNonNull(limits, "limits");
        range(problems, Option.MAX_IN_FLIGHT_MB, limits.maxInFlightBytes() / MIB, 0, 1 << 20);
        range(problems, Option.MAX_CONNECTIONS, limits.maxConnections(), 1, 1_000_000);
        range(problems, Option.MAX_CONNECTIONS_PER_CLIENT, limits.maxConnectionsPerClient(), 1, 1_000_000);
        range(problems, Option.MAX_TOPICS, limits.maxTopics(), 1, 1_000_000);
        range(problems, Option.MAX_GROUPS, limits.maxGroups(), 1, 1_000_000);
        range(problems, Option.MAX_CONSUMERS_PER_GROUP, limits.maxConsumersPerGroup(), 1, 1_000_000);
        range(problems, Option.MAX_PARKED_POLLS, limits.maxParkedPolls(), 1, 1_000_000);
        range(problems, Option.MAX_PARTITION_KEY_BYTES, limits.maxPartitionKeyBytes(), 1, 65_536);
        range(problems, Option.MAX_PENDING_MB, limits.maxPendingBytes() / MIB, 0, 1 << 20);
        if (limits.maxInFlightBytes() > 0 && limits.maxInFlightBytes() < maxBodyBytes) {
            problems.add(Option.MAX_IN_FLIGHT_MB.names() + " (" + limits.maxInFlightBytes() / MIB + " MiB) must hold at least one"
                    + " body of " + Option.MAX_BODY_BYTES.names() + " (" + maxBodyBytes + " bytes)");
        }
        range(problems, Option.IO_THREADS, ioThreads, 0, 1024);
        range(problems, Option.WORKER_THREADS, workerThreads, 0, 1024);
        if (!problems.isEmpty()) {
            throw new ConfigException(problems);
        }
        int cores = Runtime.getRuntime().availableProcessors();
        ioThreads = ioThreads == 0 ? cores : ioThreads;
        workerThreads = workerThreads == 0 ? cores : workerThreads;
        hostname = hostname == null || hostname.isBlank() ? defaultHostname(bindAddress) : hostname.trim();
    }

    /** All defaults (data in {@code ./data}). */
    public static BrokerConfig defaults() {
        return of(Map.of());
    }

    /**
     * Builds a config from option values as text (missing ones take their defaults).
     *
     * @throws ConfigException listing every value that does not parse or is out of range
     */
    public static BrokerConfig of(Map<Option, String> values) {
        Map<Option, String> v = new EnumMap<>(Option.class);
        for (Option o : Option.values()) {
            v.put(o, values.getOrDefault(o, o.defaultValue()).trim());
        }
        Parser p = new Parser(v);
        String bindAddress = v.get(Option.BIND_ADDRESS);
        String hostname = v.get(Option.HOSTNAME);
        int discoveryPort = p.integer(Option.DISCOVERY_PORT);
        int producerPort = p.integer(Option.PRODUCER_PORT);
        int consumerPort = p.integer(Option.CONSUMER_PORT);
        Path dataDir = p.path(Option.DATA_DIR);
        int ordinal = v.get(Option.ORDINAL).isEmpty() ? ordinalFromHostName() : p.integer(Option.ORDINAL);
        int ranges = p.integer(Option.RANGES);
        FsyncMode fsync = p.fsync();
        Duration fsyncInterval = Duration.ofMillis(p.longValue(Option.FSYNC_INTERVAL_MS));
        int maxBodyBytes = p.integer(Option.MAX_BODY_BYTES);
        int maxHeaderBytes = p.integer(Option.MAX_HEADER_BYTES);
        int maxInitialLineBytes = p.integer(Option.MAX_INITIAL_LINE_BYTES);
        Duration readTimeout = Duration.ofMillis(p.longValue(Option.READ_TIMEOUT_MS));
        Duration consumerTimeout = Duration.ofMillis(p.longValue(Option.CONSUMER_TIMEOUT_MS));
        Duration maxPollWait = Duration.ofMillis(p.longValue(Option.MAX_POLL_WAIT_MS));
        int maxPollBytes = p.integer(Option.MAX_POLL_BYTES);
        int blockCacheMb = p.integer(Option.BLOCK_CACHE_MB);
        int writeBufferMb = p.integer(Option.WRITE_BUFFER_MB);
        Duration retention = p.hours(Option.RETENTION_HOURS);
        long retentionBytes = p.longValue(Option.RETENTION_BYTES);
        int ioThreads = p.integer(Option.IO_THREADS);
        int workerThreads = p.integer(Option.WORKER_THREADS);
        Path bridgesFile = p.optionalPath(Option.BRIDGES_FILE);
        List<String> brokers = v.get(Option.BROKERS).isEmpty() ? List.of()
                : Arrays.stream(v.get(Option.BROKERS).split(",", -1)).map(String::trim).toList();
        int clusterPort = p.integer(Option.CLUSTER_PORT);
        int gossipPort = p.integer(Option.GOSSIP_PORT);
        Duration replicaLag = Duration.ofMillis(p.longValue(Option.REPLICA_LAG_MS));
        Duration failureTimeout = Duration.ofMillis(p.longValue(Option.FAILURE_TIMEOUT_MS));
        SecurityConfig security = new SecurityConfig(p.optionalPath(Option.CLUSTER_SECRET_FILE),
                p.optionalPath(Option.AUTH_FILE), p.optionalPath(Option.TLS_CERT), p.optionalPath(Option.TLS_KEY),
                p.optionalPath(Option.TLS_CLIENT_CA), p.bool(Option.METRICS_OPEN));
        LimitsConfig limits = new LimitsConfig(p.longValue(Option.MAX_IN_FLIGHT_MB) * MIB, p.integer(Option.MAX_CONNECTIONS),
                p.integer(Option.MAX_CONNECTIONS_PER_CLIENT), p.integer(Option.MAX_TOPICS), p.integer(Option.MAX_GROUPS),
                p.integer(Option.MAX_CONSUMERS_PER_GROUP), p.integer(Option.MAX_PARKED_POLLS),
                p.integer(Option.MAX_PARTITION_KEY_BYTES), p.longValue(Option.MAX_PENDING_MB) * MIB);
        // Values that did not parse fell back to their defaults above, so the range checks below
        // still run: one start of the broker reports everything that needs fixing.
        List<String> problems = new ArrayList<>(p.problems);
        BrokerConfig config = null;
        try {
            config = new BrokerConfig(bindAddress, hostname, discoveryPort, producerPort, consumerPort, dataDir,
                    ordinal, ranges, fsync, fsyncInterval, maxBodyBytes, maxHeaderBytes, maxInitialLineBytes,
                    readTimeout, consumerTimeout, maxPollWait, maxPollBytes, blockCacheMb, writeBufferMb, retention,
                    retentionBytes, ioThreads, workerThreads, bridgesFile, brokers, clusterPort, gossipPort, replicaLag,
                    failureTimeout, security, limits);
        } catch (ConfigException e) {
            problems.addAll(e.problems());
        }
        if (!problems.isEmpty()) {
            throw new ConfigException(problems);
        }
        return config;
    }

    /** Whether this broker is one of a cluster ({@code --brokers} set), not a single broker. */
    public boolean clustered() {
        return !brokers.isEmpty();
    }

    /**
     * The ordinal a StatefulSet gives away in the host name ({@code runnel-2} → 2): the digits after
     * the last '-' of the first label of {@code HOSTNAME} or the machine's host name; 0 if none.
     */
    static int ordinalFromHostName() {
        String host = System.getenv("HOSTNAME");
        if (host == null || host.isBlank()) {
            try {
                host = InetAddress.getLocalHost().getHostName();
            } catch (UnknownHostException e) {
                return 0;
            }
        }
        return ordinalOf(host);
    }

    /** The number after the last '-' of the first label of {@code host} ({@code runnel-2.svc} → 2), or 0. */
    public static int ordinalOf(String host) {
        String label = host.trim();
        int dot = label.indexOf('.');
        if (dot >= 0) {
            label = label.substring(0, dot);
        }
        int dash = label.lastIndexOf('-');
        if (dash < 0 || dash == label.length() - 1) {
            return 0;
        }
        String digits = label.substring(dash + 1);
        if (digits.length() > 5 || !digits.chars().allMatch(Character::isDigit)) {
            return 0;
        }
        return Integer.parseInt(digits);
    }

    public long blockCacheBytes() {
        return (long) blockCacheMb << 20;
    }

    public long writeBufferBytes() {
        return (long) writeBufferMb << 20;
    }

    private static void port(List<String> problems, Option option, int port) {
        range(problems, option, port, 0, 65_535);
    }

    private static void range(List<String> problems, Option option, long value, long min, long max) {
        if (value < min || value > max) {
            problems.add(option.names() + " must be between " + min + " and " + max + ", not " + value);
        }
    }

    private static String defaultHostname(String bindAddress) {
        try {
            InetAddress address = InetAddress.getByName(bindAddress);
            if (!address.isAnyLocalAddress()) {
                return bindAddress;
            }
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "localhost";
        }
    }

    /** Turns text into typed values, collecting errors instead of stopping at the first. */
    private static final class Parser {
        private final Map<Option, String> values;
        private final List<String> problems = new ArrayList<>();

        Parser(Map<Option, String> values) {
            this.values = values;
        }

        int integer(Option o) {
            long v = longValue(o);
            if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
                problems.add(o.names() + " is out of range: " + v);
                return Integer.parseInt(o.defaultValue());
            }
            return (int) v;
        }

        long longValue(Option o) {
            String text = values.get(o);
            try {
                return Long.parseLong(text);
            } catch (NumberFormatException e) {
                problems.add(o.names() + " must be a whole number, not '" + text + "'");
                return Long.parseLong(o.defaultValue());
            }
        }

        /** A path, or {@code null} when the value is empty. */
        Path optionalPath(Option o) {
            return values.get(o).isEmpty() ? null : path(o);
        }

        Path path(Option o) {
            String text = values.get(o);
            if (text.isEmpty()) {
                problems.add(o.names() + " must not be empty");
                return Path.of(o.defaultValue());
            }
            try {
                return Path.of(text);
            } catch (InvalidPathException e) {
                problems.add(o.names() + " is not a valid path: " + e.getMessage());
                return Path.of(o.defaultValue());
            }
        }

        Duration hours(Option o) {
            long v = longValue(o);
            if (v < 0 || v > 24L * 365 * 100) {
                problems.add(o.names() + " must be between 1 and " + 24L * 365 * 100 + ", not " + v);
                return Duration.ofHours(Long.parseLong(o.defaultValue()));
            }
            return Duration.ofHours(v);
        }

        boolean bool(Option o) {
            String text = values.get(o);
            if (text.equalsIgnoreCase("true") || text.equalsIgnoreCase("false")) {
                return Boolean.parseBoolean(text);
            }
            problems.add(o.names() + " must be true or false, not '" + text + "'");
            return Boolean.parseBoolean(o.defaultValue());
        }

        FsyncMode fsync() {
            try {
                return FsyncMode.parse(values.get(Option.FSYNC));
            } catch (IllegalArgumentException e) {
                problems.add(Option.FSYNC.names() + " must be 'always' or 'interval', not '" + values.get(Option.FSYNC) + "'");
                return FsyncMode.ALWAYS;
            }
        }
    }
}
