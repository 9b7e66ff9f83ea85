package io.runnel.broker.process;

import static org.awaitility.Awaitility.await;

import io.runnel.broker.Main;
import io.runnel.broker.config.Option;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.awaitility.core.ConditionTimeoutException;

/**
 * A broker running in a child JVM, for tests that kill ({@code SIGKILL}), pause ({@code SIGSTOP}),
 * stop ({@code SIGTERM}) and restart brokers.
 *
 * <p>The child runs the test's own {@code java} with the test's class path and {@link Main}, so it
 * runs exactly the classes under test. Its address and ports are fixed when the handle is built and
 * kept across restarts, as a broker in a StatefulSet keeps its name: the data directory, address
 * and ports of a restarted broker are those of the one that was killed. Each start writes stdout
 * and stderr to its own log file ({@code <name>-<start>.log}); {@link #logTail} returns the end of
 * it for failure messages.
 *
 * <p>Not thread-safe: one test thread drives the process.
 */
public final class BrokerProcess implements AutoCloseable {
    private static final int TAIL_LINES = 60;

    private final String name;
    private final String address;
    private final int discoveryPort;
    private final int producerPort;
    private final int consumerPort;
    private final Path dataDir;
    private final Path logDir;
    private final List<String> command;
    private final HttpClient http;

    private Process process;
    private Path log;
    private int starts;
    private boolean paused;

    private BrokerProcess(Builder b, int[] ports) {
        this.name = b.name;
        this.address = b.address;
        this.discoveryPort = ports[0];
        this.producerPort = ports[1];
        this.consumerPort = ports[2];
        this.dataDir = b.dataDir != null ? b.dataDir : b.dir.resolve(b.name).resolve("data");
        this.logDir = b.dir;
        this.command = command(b, ports, dataDir);
        this.http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(1))
                .build();
    }

    /**
     * A builder for a broker named {@code name} whose data and logs go under {@code dir}
     * ({@code dir/<name>/data}, {@code dir/<name>-<start>.log}).
     */
    public static Builder builder(String name, Path dir) {
        return new Builder(name, dir);
    }

    /** Settings of a {@link BrokerProcess}; nothing starts until {@link BrokerProcess#start}. */
    public static final class Builder {
        private final String name;
        private final Path dir;
        private String address = "127.0.0.1";
        private int discoveryPort;
        private int producerPort;
        private int consumerPort;
        private Path dataDir;
        private final Map<Option, String> options = new EnumMap<>(Option.class);
        private final List<String> extraArgs = new ArrayList<>();
        private final List<String> jvmArgs = new ArrayList<>();
        private Consumer<BrokerProcess> onBuild = p -> { };

        private Builder(String name, Path dir) {
            if (name == null || !name.matches("[A-Za-z0-9._-]+")) {
                throw new IllegalArgumentException("a broker name is [A-Za-z0-9._-]+ (it names files): " + name);
            }
            this.name = name;
            this.dir = Objects.requireNonNull(dir, "dir");
            // Small caches and few threads: several brokers share two cores and the test JVM.
            options.put(Option.IO_THREADS, "2");
            options.put(Option.WORKER_THREADS, "2");
            options.put(Option.BLOCK_CACHE_MB, "8");
            options.put(Option.WRITE_BUFFER_MB, "4");
        }

        /** The loopback address the broker binds, e.g. {@code 127.0.0.2} (default {@code 127.0.0.1}). */
        public Builder address(String address) {
            this.address = Objects.requireNonNull(address, "address");
            return this;
        }

        /** Fixed ports; any left at 0 are picked free on the broker's address when built. */
        public Builder ports(int discovery, int producer, int consumer) {
            this.discoveryPort = discovery;
            this.producerPort = producer;
            this.consumerPort = consumer;
            return this;
        }

        /** The data directory (default {@code dir/<name>/data}). */
        public Builder dataDir(Path dataDir) {
            this.dataDir = dataDir;
            return this;
        }

        /** A broker option ({@code --key value}); overrides the defaults of this builder. */
        public Builder option(Option option, String value) {
            if (option == Option.BIND_ADDRESS || option == Option.DATA_DIR || option == Option.DISCOVERY_PORT
                    || option == Option.PRODUCER_PORT || option == Option.CONSUMER_PORT) {
                throw new IllegalArgumentException("set " + option.flag() + " with address(), dataDir() or ports()");
            }
            options.put(option, Objects.requireNonNull(value, "value"));
            return this;
        }

        /** {@code --fsync always|interval}. */
        public Builder fsync(String mode) {
            return option(Option.FSYNC, mode);
        }

        /** Raw arguments appended after the options (flags this class has no method for yet). */
        public Builder args(String... args) {
            extraArgs.addAll(List.of(args));
            return this;
        }

        /** More JVM flags for the child (e.g. {@code -Dio.netty.leakDetection.level=paranoid}). */
        public Builder jvmArgs(String... args) {
            jvmArgs.addAll(List.of(args));
            return this;
        }

        /** Called with every process built (a test's registry closes them all afterwards). */
        Builder onBuild(Consumer<BrokerProcess> onBuild) {
            this.onBuild = Objects.requireNonNull(onBuild);
            return this;
        }

        /** Fixes the ports (picking free ones for those not set); does not start the process. */
        public BrokerProcess build() {
            int[] ports = freePorts(address, discoveryPort, producerPort, consumerPort);
            BrokerProcess p = new BrokerProcess(this, ports);
            onBuild.accept(p);
            return p;
        }
    }

    private static List<String> command(Builder b, int[] ports, Path dataDir) {
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElseThrow(
                () -> new IllegalStateException("cannot tell which java runs this test")));
        cmd.add("--enable-native-access=ALL-UNNAMED");
        cmd.add("-Xmx256m");
        cmd.addAll(b.jvmArgs);
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(Main.class.getName());
        cmd.addAll(List.of(Option.BIND_ADDRESS.flag(), b.address,
                Option.DISCOVERY_PORT.flag(), Integer.toString(ports[0]),
                Option.PRODUCER_PORT.flag(), Integer.toString(ports[1]),
                Option.CONSUMER_PORT.flag(), Integer.toString(ports[2]),
                Option.DATA_DIR.flag(), dataDir.toAbsolutePath().toString()));
        b.options.forEach((o, v) -> {
            cmd.add(o.flag());
            cmd.add(v);
        });
        cmd.addAll(b.extraArgs);
        return List.copyOf(cmd);
    }

    /** Ports given, or free ones on {@code address} ({@link TestPorts}); the ports differ. */
    static int[] freePorts(String address, int... wanted) {
        int[] ports = wanted.clone();
        int missing = 0;
        for (int p : ports) {
            if (p == 0) {
                missing++;
            }
        }
        int[] free = TestPorts.free(List.of(address), missing);
        for (int i = 0, next = 0; i < ports.length; i++) {
            if (ports[i] == 0) {
                ports[i] = free[next++];
            }
        }
        return ports;
    }

    // ------------------------------------------------------------------ lifecycle

    /** Starts the broker JVM (a new log file per start). Does not wait: see {@link #awaitReady}. */
    public BrokerProcess start() {
        if (isAlive()) {
            throw new IllegalStateException("broker " + name + " is already running (pid " + process.pid() + ")");
        }
        starts++;
        log = logDir.resolve(name + "-" + starts + ".log");
        ProcessBuilder pb = new ProcessBuilder(command);
        // Only the flags configure the child: RUNNEL_* variables of the build machine must not leak in.
        pb.environment().keySet().removeIf(k -> k.startsWith("RUNNEL_"));
        try {
            Files.createDirectories(logDir);
            Files.writeString(log, "# " + String.join(" ", command) + System.lineSeparator());
            pb.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
            process = pb.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start broker " + name, e);
        }
        paused = false;
        return this;
    }

    /**
     * Waits until {@code GET /status} answers 200 on the discovery, producer and consumer ports.
     *
     * @throws AssertionError with the end of the log if the process exits first or time runs out
     */
    public BrokerProcess awaitReady(Duration timeout) {
        requireStarted();
        try {
            await("broker " + name + " ready")
                    .atMost(timeout)
                    .pollDelay(Duration.ofMillis(50))
                    .pollInterval(Duration.ofMillis(100))
                    .until(() -> {
                        if (!process.isAlive()) {
                            throw new AssertionError("broker " + name + " exited with code " + process.exitValue()
                                    + " before it was ready\n" + logTail());
                        }
                        return answersStatus(Duration.ofSeconds(2));
                    });
        } catch (ConditionTimeoutException e) {
            throw new AssertionError("broker " + name + " was not ready within " + timeout + "\n" + logTail(), e);
        }
        return this;
    }

    /**
     * Whether {@code GET /status} answers 200 on all three ports, each within {@code timeout}
     * (false for a paused broker: the kernel accepts the connection, nobody answers).
     */
    public boolean answersStatus(Duration timeout) {
        return ok(discoveryPort, timeout) && ok(producerPort, timeout) && ok(consumerPort, timeout);
    }

    private boolean ok(int port, Duration timeout) {
        HttpRequest request = HttpRequest.newBuilder(uri(port, "/status")).timeout(timeout).GET().build();
        try {
            return http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        } catch (IOException e) {
            return false; // not listening (yet), or no answer in time
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** {@code kill -9}: the process dies at once, no shutdown hook runs. Waits until it is gone. */
    public void kill() {
        if (process == null) {
            return;
        }
        process.destroyForcibly();
        waitForExit(Duration.ofSeconds(30), "SIGKILL");
        paused = false;
    }

    /**
     * {@code SIGTERM} and waits for the graceful shutdown (resuming the process first if paused).
     *
     * @return the exit code (143 after a JVM's normal reaction to SIGTERM)
     */
    public int stop(Duration timeout) {
        requireStarted();
        if (paused) {
            resume();
        }
        // Through the handle: Process.destroy would also close our side of its (unused) pipes.
        process.toHandle().destroy();
        return waitForExit(timeout, "SIGTERM");
    }

    /**
     * {@code SIGTERM} without waiting (resuming the process first if paused), so that several brokers
     * can shut down at once; {@link #awaitExit} waits for it.
     */
    public void terminate() {
        requireStarted();
        if (!process.isAlive()) {
            return;
        }
        if (paused) {
            resume();
        }
        process.toHandle().destroy();
    }

    /**
     * Waits until the process exited (killing it if it takes longer than {@code timeout}).
     *
     * @return the exit code
     * @throws AssertionError with the end of the log if it did not exit in time
     */
    public int awaitExit(Duration timeout) {
        requireStarted();
        return waitForExit(timeout, "waiting for its exit");
    }

    /** {@link #stop(Duration)} with 30 s. */
    public int stop() {
        return stop(Duration.ofSeconds(30));
    }

    /** {@code SIGSTOP}: freezes the JVM (connections stay open, nothing answers). Returns once stopped. */
    public void pause() {
        requireAlive();
        signal("STOP");
        paused = true;
        // Delivery is asynchronous: wait until the kernel shows the process stopped ('T').
        await("broker " + name + " stopped by SIGSTOP").atMost(Duration.ofSeconds(10))
                .pollInterval(Duration.ofMillis(10)).until(() -> !process.isAlive() || state() == 'T');
    }

    /** {@code SIGCONT}: resumes a paused JVM. */
    public void resume() {
        requireAlive();
        signal("CONT");
        paused = false;
    }

    /** Whether {@link #pause} froze the process and it was not resumed since. */
    public boolean paused() {
        return paused;
    }

    private void signal(String signal) {
        try {
            Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid()))
                    .redirectErrorStream(true).start();
            String out = new String(kill.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
                throw new IllegalStateException("kill -" + signal + " " + process.pid() + " failed: " + out);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run kill -" + signal, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The state letter of {@code /proc/<pid>/stat} ('R', 'S', 'T', ...), '?' if unreadable. */
    private char state() {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(process.pid()), "stat"));
            int close = stat.lastIndexOf(')'); // the command name may contain spaces
            return stat.charAt(close + 2);
        } catch (IOException | RuntimeException e) {
            return '?';
        }
    }

    private int waitForExit(Duration timeout, String what) {
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                process.waitFor(30, TimeUnit.SECONDS);
                throw new AssertionError("broker " + name + " did not exit within " + timeout + " after " + what
                        + " (killed)\n" + logTail());
            }
            return process.exitValue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private void requireStarted() {
        if (process == null) {
            throw new IllegalStateException("broker " + name + " was never started");
        }
    }

    private void requireAlive() {
        if (!isAlive()) {
            throw new IllegalStateException("broker " + name + " is not running");
        }
    }

    /** Kills the process if it still runs (SIGKILL, no graceful stop: tests clean up fast). */
    @Override
    public void close() {
        if (isAlive()) {
            kill();
        }
        http.close();
    }

    // ------------------------------------------------------------------ state

    public String name() {
        return name;
    }

    public boolean isAlive() {
        return process != null && process.isAlive();
    }

    /** The pid of the current (or last) process. */
    public long pid() {
        requireStarted();
        return process.pid();
    }

    /** Exit code of the last process; throws while it runs. */
    public int exitCode() {
        requireStarted();
        return process.exitValue();
    }

    /** How many times {@link #start} ran. */
    public int starts() {
        return starts;
    }

    public String address() {
        return address;
    }

    public int discoveryPort() {
        return discoveryPort;
    }

    public int producerPort() {
        return producerPort;
    }

    public int consumerPort() {
        return consumerPort;
    }

    public Path dataDir() {
        return dataDir;
    }

    /** The full command line of the child. */
    public List<String> command() {
        return command;
    }

    /** {@code http://address:port} of the producer API (no trailing slash). */
    public URI producerUri() {
        return uri(producerPort, "");
    }

    /** {@code http://address:port} of the consumer API. */
    public URI consumerUri() {
        return uri(consumerPort, "");
    }

    /** {@code http://address:port} of the discovery API. */
    public URI discoveryUri() {
        return uri(discoveryPort, "");
    }

    private URI uri(int port, String path) {
        return URI.create("http://" + address + ":" + port + path);
    }

    /** Log file of the current (or last) start. */
    public Path log() {
        return log;
    }

    /** The last lines of the current log, labelled with the broker's name, for failure messages. */
    public String logTail() {
        return logTail(TAIL_LINES);
    }

    public String logTail(int lines) {
        if (log == null) {
            return "--- broker " + name + ": never started";
        }
        try {
            List<String> all = Files.readAllLines(log, StandardCharsets.UTF_8);
            List<String> tail = all.subList(Math.max(0, all.size() - lines), all.size());
            return "--- last " + tail.size() + " lines of " + log + "\n" + String.join("\n", tail) + "\n---";
        } catch (IOException | UncheckedIOException e) {
            return "--- cannot read " + log + ": " + e;
        }
    }

    @Override
    public String toString() {
        return "broker " + name + " at " + address + " (" + discoveryPort + "/" + producerPort + "/" + consumerPort
                + (isAlive() ? ", pid " + process.pid() + (paused ? ", paused" : "") : ", not running") + ")";
    }
}
