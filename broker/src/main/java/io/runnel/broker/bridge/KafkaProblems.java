package io.runnel.broker.bridge;

import io.runnel.storage.StorageException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DescribeTopicsOptions;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/**
 * Turns Kafka client failures into messages an operator can act on (they become a bridge's
 * {@code lastError}), and checks a cluster and topic before a bridge starts moving events: the Kafka
 * clients themselves report an unreachable cluster and a missing topic alike, as a timeout.
 */
final class KafkaProblems {
    private static final Duration CHECK_TIMEOUT = Duration.ofSeconds(10);

    private KafkaProblems() {
    }

    /**
     * Whether {@code kafkaTopic} exists, asked with an admin client.
     *
     * @throws BridgeFailure if the cluster cannot be reached, refuses the credentials or the request
     * @throws InterruptedException if the thread is interrupted (the bridge is stopping)
     */
    static boolean topicExists(BridgeDefinition d) throws InterruptedException {
        Admin admin;
        try {
            admin = Admin.create(KafkaSettings.admin(d));
        } catch (KafkaException e) {
            throw new BridgeFailure(describe(d, e), e);
        }
        try {
            admin.describeTopics(List.of(d.kafkaTopic()), new DescribeTopicsOptions().timeoutMs((int) CHECK_TIMEOUT.toMillis()))
                    .allTopicNames().get(CHECK_TIMEOUT.toMillis() + 2_000, TimeUnit.MILLISECONDS);
            return true;
        } catch (ExecutionException e) {
            if (e.getCause() instanceof UnknownTopicOrPartitionException) {
                return false;
            }
            throw new BridgeFailure(describe(d, e.getCause()), e.getCause());
        } catch (java.util.concurrent.TimeoutException e) {
            throw new BridgeFailure(unreachable(d, "no answer within " + CHECK_TIMEOUT.toSeconds() + " s"), e);
        } finally {
            admin.close(Duration.ofSeconds(2));
        }
    }

    /** The message for {@code lastError} of a failure while bridging {@code d}. */
    static String describe(BridgeDefinition d, Throwable failure) {
        Throwable t = unwrap(failure);
        String at = " at " + d.bootstrapServers();
        if (t instanceof BridgeFailure) {
            return t.getMessage();
        }
        if (t instanceof AuthenticationException) {
            return "authentication with Kafka" + at + " failed: " + t.getMessage()
                    + " (check the properties security.protocol, sasl.mechanism, sasl.jaas.config and ssl.*)";
        }
        if (t instanceof AuthorizationException) {
            return "Kafka" + at + " refused access: " + t.getMessage() + " (grant the bridge's principal "
                    + (d.direction() == BridgeDirection.EXPORT
                    ? "WRITE and DESCRIBE on topic '" + d.kafkaTopic() + "'"
                    : "READ and DESCRIBE on topic '" + d.kafkaTopic() + "' and READ on group '" + d.group() + "'") + ")";
        }
        if (t instanceof UnknownTopicOrPartitionException) {
            return missingTopic(d);
        }
        if (t instanceof TimeoutException) {
            return unreachable(d, t.getMessage());
        }
        if (t instanceof ConfigException) {
            String message = String.valueOf(t.getMessage());
            return message.contains("bootstrap") ? unreachable(d, message) : "invalid Kafka client settings: " + message;
        }
        if (t instanceof StorageException) {
            return "Runnel could not store the events: " + t.getMessage();
        }
        String message = t.getMessage() == null ? "" : ": " + t.getMessage();
        return t.getClass().getSimpleName() + message;
    }

    static String unreachable(BridgeDefinition d, String detail) {
        return "cannot reach Kafka at " + d.bootstrapServers() + " (" + detail + "): check bootstrapServers, that the brokers run"
                + " and advertise listeners this broker can reach, and that security.protocol matches the listener";
    }

    static String missingTopic(BridgeDefinition d) {
        return "Kafka topic '" + d.kafkaTopic() + "' does not exist at " + d.bootstrapServers()
                + ": create it (or let the brokers auto-create topics), or fix kafkaTopic";
    }

    private static Throwable unwrap(Throwable t) {
        Throwable cur = t;
        while ((cur instanceof ExecutionException || cur instanceof CompletionException
                || cur.getClass() == KafkaException.class) && cur.getCause() != null) {
            cur = cur.getCause();
        }
        return cur;
    }
}
