package io.runnel.broker.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.runnel.broker.config.Option;
import java.nio.file.Files;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The harness itself: every signal does to the child JVM what the cluster tests will rely on. */
class BrokerProcessIT {
    private static final Duration READY = Duration.ofSeconds(30);

    @RegisterExtension
    final BrokerProcesses processes = new BrokerProcesses();

    @Test
    void pauseResumeStopRestartAndKill() throws Exception {
        BrokerProcess broker = processes.broker("b0").address("127.0.0.4").build();
        broker.start().awaitReady(READY);
        long first = broker.pid();
        assertThat(Files.readString(broker.log())).contains("producer API:  http://127.0.0.4:" + broker.producerPort());

        // SIGSTOP: connections are accepted by the kernel, but nothing answers.
        broker.pause();
        assertThat(broker.paused()).isTrue();
        assertThat(broker.isAlive()).isTrue();
        assertThat(broker.answersStatus(Duration.ofMillis(500))).isFalse();
        broker.resume();
        broker.awaitReady(READY);

        // SIGTERM (also from paused): graceful shutdown through the shutdown hook.
        broker.pause();
        assertThat(broker.stop()).isEqualTo(143);
        assertThat(broker.isAlive()).isFalse();
        assertThat(Files.readString(broker.log())).contains("shutting down").contains("stopped");

        // Restart: same address, ports and data, a new process and log.
        broker.start().awaitReady(READY);
        assertThat(broker.pid()).isNotEqualTo(first);
        assertThat(broker.starts()).isEqualTo(2);
        assertThat(broker.log().getFileName().toString()).isEqualTo("b0-2.log");

        // SIGKILL: gone at once, no shutdown hook.
        broker.kill();
        assertThat(broker.isAlive()).isFalse();
        assertThat(broker.exitCode()).isEqualTo(137);
        assertThat(Files.readString(broker.log())).doesNotContain("shutting down");
    }

    @Test
    void awaitReadyFailsFastWithTheLogWhenTheBrokerCannotStart() {
        BrokerProcess broker = processes.broker("bad").option(Option.FSYNC, "never").build();
        broker.start();
        assertThatThrownBy(() -> broker.awaitReady(READY))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("exited with code 2 before it was ready")
                .hasMessageContaining("--fsync / RUNNEL_FSYNC must be 'always' or 'interval'");
    }
}
