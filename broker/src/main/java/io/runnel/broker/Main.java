package io.runnel.broker;

import io.runnel.broker.security.AuthTool;
import io.runnel.broker.config.BrokerConfig;
import io.runnel.broker.config.ConfigException;
import io.runnel.broker.config.ConfigLoader;
import io.runnel.broker.config.Option;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The broker process: {@code java -jar runnel-broker.jar [--option value]...}.
 *
 * <p>Exit codes: 0 after {@code --help}, 2 for invalid settings (the message says what to fix),
 * 1 when the broker cannot start (store or port), 70 when storage fails while running: the process
 * halts at once rather than acknowledge writes it cannot store (fail-stop).
 */
public final class Main {
    private static final Logger log = LoggerFactory.getLogger(Main.class);

    static final int EXIT_CONFIG = 2;
    static final int EXIT_START = 1;
    static final int EXIT_STORAGE_FAILED = 70;

    private Main() {
    }

    public static void main(String[] args) {
        if (args.length > 0 && args[0].equals("auth")) {
            AuthTool.main(java.util.Arrays.copyOfRange(args, 1, args.length));
            return;
        }
        if (ConfigLoader.wantsHelp(args)) {
            System.out.print(Option.helpText());
            System.exit(0);
        }
        BrokerConfig config;
        try {
            config = ConfigLoader.load(args, System.getenv());
        } catch (ConfigException e) {
            System.err.println("runnel: invalid configuration:");
            for (String problem : e.problems()) {
                System.err.println("  - " + problem);
            }
            System.err.println("Run with --help to see every option.");
            System.exit(EXIT_CONFIG);
            return;
        }
        Broker broker;
        try {
            broker = Broker.builder(config).onStorageFailure(t -> {
                System.err.println("runnel: FATAL: storage failed (" + t + "); halting");
                Runtime.getRuntime().halt(EXIT_STORAGE_FAILED);
            }).start();
        } catch (RuntimeException e) {
            log.error("the broker could not start", e);
            System.err.println("runnel: the broker could not start: " + e.getMessage());
            System.exit(EXIT_START);
            return;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            log.info("shutting down");
            broker.close();
            log.info("stopped");
        }, "runnel-shutdown"));
        String host = config.hostname();
        log.info("Runnel broker '{}' started ({} transport); data in {}, fsync={}", host,
                broker.epoll() ? "epoll" : "nio", config.dataDir().toAbsolutePath(), config.fsync().name().toLowerCase());
        log.info("discovery API: http://{}:{}/v1/brokers  (metrics: /metrics)", config.bindAddress(), broker.discoveryPort());
        log.info("producer API:  http://{}:{}/v1/topic/{topic}/messages", config.bindAddress(), broker.producerPort());
        log.info("consumer API:  http://{}:{}/v1/consumer/...", config.bindAddress(), broker.consumerPort());
        if (config.clustered()) {
            log.info("cluster: broker {} of {} {}; inter-broker channel on port {}, membership on port {}; /status answers 503 until"
                    + " every range has a generation", config.ordinal(), config.brokers().size(), config.brokers(),
                    config.clusterPort(), config.gossipPort());
        }
    }
}
