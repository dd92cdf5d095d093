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
 * <p>The ports come from outside the kernel's ephemeral range ({@code net.ipv4.ip_local_port_range}: below it from
 * 10000, and above it), never from it; only when there is no such port (a range tuned to span them all) from the
 * kernel's choice. A port is chosen, released, and bound by the node some seconds later (and bound again when a test
 * restarts the cluster on the same ports); a port of the ephemeral range can meanwhile become the local port of any
 * outgoing connection (a Cassandra driver, an agent, an HTTP client), and the node's bind then fails with "Address
 * already in use" (seen in CI: LiveMoveIntegrationTest, artery on 127.0.0.1:36537). The kernel never hands out a port
 * outside the range to a connect, so only another process choosing the same port could collide there; the start is
 * random so two JVMs on one machine rarely probe the same ports.
 */
public final class LocalPorts {
    /** The lowest port chosen: above the well-known and most registered service ports. */
    static final int LOWEST = 10_000;

    /** When the kernel's range cannot be read: Linux's default. */
    static final int DEFAULT_EPHEMERAL_LOW = 32_768;

    static final int DEFAULT_EPHEMERAL_HIGH = 60_999;

    private LocalPorts() {}

    public static int[] freeTcpPorts(int n) {
        int[] range = ephemeralRange(Path.of("/proc/sys/net/ipv4/ip_local_port_range"));
        List<Integer> candidates = safePorts(range[0], range[1]);
        int[] ports = new int[n];
        List<ServerSocket> held = new ArrayList<>();
        try {
            int found = 0;
            if (!candidates.isEmpty()) {
                int from = ThreadLocalRandom.current().nextInt(candidates.size());
                for (int tried = 0; tried < candidates.size() && found < n; tried++) {
                    int port = candidates.get((from + tried) % candidates.size());
                    ServerSocket s = tryBind(port);
                    if (s != null) {
                        held.add(s);
                        ports[found++] = port;
                    }
                }
            }
            // no safe range (the ephemeral range spans every port): the kernel's choice, as before this class
            // kept out of the ephemeral range, with the race that brings
            while (found < n) {
                ServerSocket s = tryBind(0);
                if (s == null) {
                    throw new IllegalStateException("no free TCP port (" + found + " of " + n + " found)");
                }
                held.add(s);
                ports[found++] = s.getLocalPort();
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

    /** The ports outside the ephemeral range {@code [low, high]}: from {@link #LOWEST} below it, and above it. */
    static List<Integer> safePorts(int low, int high) {
        List<Integer> ports = new ArrayList<>();
        for (int p = LOWEST; p < low; p++) {
            ports.add(p);
        }
        for (int p = Math.max(high + 1, LOWEST); p <= 65_535; p++) {
            ports.add(p);
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

    /** The kernel's ephemeral range, read from {@code ip_local_port_range} ("32768\t60999"); Linux's default if unread. */
    static int[] ephemeralRange(Path rangeFile) {
        try {
            // readAllLines, not readString: on procfs readString returned the first byte only ("3")
            String[] bounds = Files.readAllLines(rangeFile).get(0).trim().split("\\s+");
            return new int[] {Integer.parseInt(bounds[0]), Integer.parseInt(bounds[1])};
        } catch (IOException | RuntimeException e) {
            return new int[] {DEFAULT_EPHEMERAL_LOW, DEFAULT_EPHEMERAL_HIGH};
        }
    }
}
