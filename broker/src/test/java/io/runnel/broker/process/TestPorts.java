package io.runnel.broker.process;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Ports for brokers a test starts later, in another JVM. A port the kernel handed out as "free" (bind to
 * port 0) comes from the ephemeral range, where the kernel also picks the local ports of outgoing
 * connections: between the probe and the broker's bind, one of the many loopback connections of a test
 * (the brokers' own peer links among them) may take it, and the broker then fails with "address already
 * in use". So candidates are drawn below the ephemeral range (Linux default 32768–60999), which the
 * kernel never assigns by itself, and each is checked by binding it on every address.
 */
public final class TestPorts {
    private static final int LOW = 10_000;
    private static final int HIGH = 32_000;

    private TestPorts() {
    }

    /**
     * {@code count} different ports, each free on every one of {@code addresses} when probed (all probe
     * sockets are held until every port is found, so the ports differ).
     */
    public static int[] free(List<String> addresses, int count) {
        List<ServerSocket> held = new ArrayList<>();
        int[] out = new int[count];
        int found = 0;
        try {
            for (int attempt = 0; found < count; attempt++) {
                if (attempt > 1000) {
                    throw new IllegalStateException("no port in " + LOW + ".." + HIGH + " free on all of " + addresses);
                }
                int port = ThreadLocalRandom.current().nextInt(LOW, HIGH);
                if (bindAll(addresses, port, held)) {
                    out[found++] = port;
                }
            }
            return out;
        } finally {
            for (ServerSocket s : held) {
                try {
                    s.close();
                } catch (IOException ignored) {
                    // only a probe
                }
            }
        }
    }

    private static boolean bindAll(List<String> addresses, int port, List<ServerSocket> held) {
        for (String a : addresses) {
            try {
                ServerSocket s = new ServerSocket();
                held.add(s);
                s.bind(new InetSocketAddress(a, port));
            } catch (IOException taken) {
                return false;
            }
        }
        return true;
    }
}
