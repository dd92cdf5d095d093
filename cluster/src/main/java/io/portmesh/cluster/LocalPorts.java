package io.portmesh.cluster;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Free loopback TCP ports for nodes started on one machine (tests, benchmarks): all held at once, so distinct.
 *
 * <p>The ports come from <em>below</em> the kernel's ephemeral range ({@code net.ipv4.ip_local_port_range}), never
 * from it. A port is chosen, released, and bound by the node some seconds later (and bound again when a test
 * restarts the cluster on the same ports); a port of the ephemeral range can meanwhile become the local port of any
 * outgoing connection (a Cassandra driver, an agent, an HTTP client), and the node's bind then fails with "Address
 * already in use" (seen in CI: LiveMoveIntegrationTest, artery on 127.0.0.1:36537). The kernel never hands out a port
 * below the range to a connect, so only another process choosing the same port could collide there; the start is
 * random so two JVMs on one machine rarely probe the same ports.
 */
public final class LocalPorts {
    /** The lowest port chosen: above the well-known and most registered service ports. */
    static final int LOWEST = 10_000;

    /** When the kernel's range cannot be read: Linux's default lower bound. */
    static final int DEFAULT_EPHEMERAL_LOW = 32_768;

    private LocalPorts() {}

    public static int[] freeTcpPorts(int n) {
        int ceiling = ephemeralLow(Path.of("/proc/sys/net/ipv4/ip_local_port_range"));
        int span = ceiling - LOWEST;
        if (span < n) {
            throw new IllegalStateException(
                    "only " + span + " ports below the ephemeral range (" + ceiling + "); " + n + " wanted");
        }
        int[] ports = new int[n];
        List<ServerSocket> held = new ArrayList<>();
        try {
            int next = LOWEST + ThreadLocalRandom.current().nextInt(span);
            int found = 0;
            for (int tried = 0; tried < span && found < n; tried++) {
                int port = LOWEST + (next - LOWEST + tried) % span;
                ServerSocket s = tryBind(port);
                if (s != null) {
                    held.add(s);
                    ports[found++] = port;
                }
            }
            if (found < n) {
                throw new IllegalStateException(
                        "no " + n + " free TCP ports between " + LOWEST + " and " + ceiling + " (found " + found + ")");
            }
        } finally {
            for (ServerSocket s : held) {
                try {
                    s.close();
                } catch (IOException ignored) {
                    // a probe socket that does not close leaves the port taken; nothing to do here
                }
            }
        }
        return ports;
    }

    /** Bound on the wildcard address: that fails too when a listener holds the port on any one address (loopback). */
    private static ServerSocket tryBind(int port) {
        ServerSocket s = null;
        try {
            s = new ServerSocket();
            s.setReuseAddress(false);
            s.bind(new InetSocketAddress(port), 1);
            return s;
        } catch (IOException e) {
            closeQuietly(s);
            return null;
        }
    }

    private static void closeQuietly(ServerSocket s) {
        if (s != null) {
            try {
                s.close();
            } catch (IOException ignored) {
                // never bound
            }
        }
    }

    /** The first port of the kernel's ephemeral range, read from {@code ip_local_port_range} ("32768\t60999"). */
    static int ephemeralLow(Path rangeFile) {
        try {
            // readAllLines, not readString: on procfs readString returned the first byte only ("3")
            String[] bounds = Files.readAllLines(rangeFile).get(0).trim().split("\\s+");
            int low = Integer.parseInt(bounds[0]);
            return Math.max(LOWEST + 1, low);
        } catch (IOException | RuntimeException e) {
            return DEFAULT_EPHEMERAL_LOW;
        }
    }
}
