package io.runnel.benchmarks.sidebyside;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.runnel.benchmarks.loadgen.LoadRun;
import io.runnel.benchmarks.loadgen.RunResult;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartitionInfo;

/**
 * Command line of the Kafka side of the side-by-side benchmark:
 * <ul>
 *   <li>{@code wait-cluster --bootstrap B --brokers N} waits until the cluster reports N brokers;</li>
 *   <li>{@code create-topic --bootstrap B --topic T --partitions P --replication-factor R --config k=v ...}
 *       creates a topic and waits until every partition has a leader and a full ISR;</li>
 *   <li>{@code produce [options]} runs {@link KafkaProduceRun} and prints (and with {@code --json}
 *       writes) the same results as the Runnel load generator; with {@code --consumers C} a group reads what
 *       is produced, for the end-to-end latency;</li>
 *   <li>{@code consume --events N --consumers C --group G} reads N records from the start of the topic with C
 *       consumers of a new group ({@link KafkaConsumeRun}), as {@code loadgen consume --events N}.</li>
 * </ul>
 */
public final class KafkaBench {
    private static final long WAIT_NANOS = TimeUnit.SECONDS.toNanos(90);

    private KafkaBench() {
    }

    public static void main(String[] args) throws Exception {
        System.exit(run(args));
    }

    /** Runs one command; returns the exit code (0 ok, 1 failed, 2 bad arguments). */
    public static int run(String... args) throws Exception {
        if (args.length == 0) {
            System.err.println("usage: KafkaBench wait-cluster|create-topic|produce --option value ...");
            return 2;
        }
        KafkaBenchOptions options;
        try {
            options = KafkaBenchOptions.parse(args, 1);
        } catch (IllegalArgumentException e) {
            System.err.println("kafka-bench: " + e.getMessage());
            return 2;
        }
        return switch (args[0]) {
            case "wait-cluster" -> waitCluster(options, Integer.parseInt(System.getProperty("brokers", "3")));
            case "create-topic" -> createTopic(options);
            case "produce" -> produce(options);
            case "consume" -> consume(options);
            default -> {
                System.err.println("kafka-bench: unknown command " + args[0]);
                yield 2;
            }
        };
    }

    private static Admin admin(KafkaBenchOptions o) {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, o.bootstrap());
        p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5000);
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 10000);
        return Admin.create(p);
    }

    private static int waitCluster(KafkaBenchOptions o, int brokers) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT_NANOS;
        try (Admin admin = admin(o)) {
            while (System.nanoTime() < deadline) {
                try {
                    int n = admin.describeCluster().nodes().get(5, TimeUnit.SECONDS).size();
                    if (n >= brokers) {
                        System.out.println("kafka-bench: cluster has " + n + " brokers");
                        return 0;
                    }
                } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
                    // not up yet
                }
                Thread.sleep(200);
            }
        }
        System.err.println("kafka-bench: the cluster did not report " + brokers + " brokers in time");
        return 1;
    }

    private static int createTopic(KafkaBenchOptions o) throws Exception {
        try (Admin admin = admin(o)) {
            NewTopic topic = new NewTopic(o.topic(), o.partitions(), o.replicationFactor()).configs(o.topicConfigs());
            admin.createTopics(java.util.List.of(topic)).all().get(30, TimeUnit.SECONDS);
            long deadline = System.nanoTime() + WAIT_NANOS;
            while (System.nanoTime() < deadline) {
                try {
                    TopicDescription d = admin.describeTopics(java.util.List.of(o.topic())).allTopicNames()
                            .get(5, TimeUnit.SECONDS).get(o.topic());
                    if (d.partitions().size() == o.partitions() && d.partitions().stream().allMatch(KafkaBench::complete)) {
                        System.out.println("kafka-bench: topic " + o.topic() + " ready: " + o.partitions()
                                + " partitions, RF " + o.replicationFactor() + ", configs " + o.topicConfigs());
                        return 0;
                    }
                } catch (ExecutionException e) {
                    // metadata not propagated yet
                }
                Thread.sleep(100);
            }
        }
        System.err.println("kafka-bench: topic " + o.topic() + " did not get leaders and full ISRs in time");
        return 1;
    }

    private static boolean complete(TopicPartitionInfo p) {
        return p.leader() != null && p.isr().size() == p.replicas().size();
    }

    private static int consume(KafkaBenchOptions o) throws Exception {
        if (o.events() < 1 || o.consumers() < 1) {
            System.err.println("kafka-bench: consume needs --events and --consumers of at least 1");
            return 2;
        }
        return report(o, new KafkaConsumeRun(o, System.out).run());
    }

    private static int produce(KafkaBenchOptions o) throws Exception {
        return report(o, new KafkaProduceRun(o, System.out).run());
    }

    private static int report(KafkaBenchOptions o, RunResult result) throws Exception {
        LoadRun.printTable(result, System.out);
        if (o.json() != null) {
            new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(o.json().toFile(), result);
            System.out.println("results written to " + o.json());
        }
        return result.anySuccess() ? 0 : 1;
    }

    /** The settings recorded with a result, like the load generator's. */
    static Map<String, Object> settings(KafkaBenchOptions o) {
        Map<String, Object> s = new java.util.LinkedHashMap<>();
        s.put("system", "kafka");
        s.put("bootstrap", o.bootstrap());
        s.put("topic", o.topic());
        s.put("connections", o.connections());
        s.put("producers", o.producers());
        s.put("batch", o.batch());
        s.put("size", o.eventSize());
        s.put("keys", o.keys());
        s.put("rate", o.rate());
        s.put("durationSeconds", o.duration().toNanos() / 1e9);
        s.put("warmupSeconds", o.warmup().toNanos() / 1e9);
        s.put("acks", "all");
        s.put("lingerMs", o.lingerMs());
        s.put("batchBytes", o.batchBytes());
        s.put("consumers", o.consumers());
        s.put("group", o.group());
        s.put("events", o.events());
        return s;
    }
}
