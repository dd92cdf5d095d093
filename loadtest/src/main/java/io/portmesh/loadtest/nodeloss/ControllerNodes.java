package io.portmesh.loadtest.nodeloss;

import io.portmesh.cluster.LocalPorts;
import io.portmesh.loadtest.bind.Sleep;
import io.portmesh.loadtest.demo.NodeProcess;
import io.portmesh.loadtest.demo.RestClient;
import io.portmesh.loadtest.faults.LoopbackPartition;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

/**
 * Three controller nodes, each in its own JVM ({@link NodeProcess}), on ports fixed for the whole run: a node started
 * again after a kill or a stop listens where the agents and the clients already look for it. Node {@code i} (0-based)
 * is "node i+1" in logs and messages. The first start seeds everyone with node 1; a node started again is seeded with
 * the nodes running then, never with itself.
 */
public final class ControllerNodes implements AutoCloseable {
    public static final int SIZE = 3;
    private static final Duration POLL = Duration.ofMillis(200);
    private static final int START_TRIES = 3;

    private final String cassandra;
    private final Path logs;
    /** Each node in a group of its own ({@link NodeProcess.Extras#ownGroup}), so that a partition can cut it off. */
    private final boolean ownGroups;

    private final List<String> jvmOptions;
    private final int[] remote = new int[SIZE];
    private final int[] http = new int[SIZE];
    private final int[] openflow = new int[SIZE];
    private final NodeProcess[] current = new NodeProcess[SIZE];
    private final List<NodeProcess> started = new ArrayList<>();
    private final List<RestClient> apis = new ArrayList<>();
    private Boolean hasReadyEndpoint;

    private ControllerNodes(String cassandra, Path logs, boolean ownGroups, List<String> jvmOptions) {
        this.cassandra = cassandra;
        this.logs = logs;
        this.ownGroups = ownGroups;
        this.jvmOptions = List.copyOf(jvmOptions);
        int[] p = LocalPorts.freeTcpPorts(3 * SIZE);
        for (int i = 0; i < SIZE; i++) {
            remote[i] = p[i];
            http[i] = p[SIZE + i];
            openflow[i] = p[2 * SIZE + i];
            apis.add(new RestClient("http://127.0.0.1:" + http[i], Duration.ofSeconds(30)));
        }
    }

    /**
     * Starts the three nodes and waits until each sees all three Up (and ready, where /ready exists). The ports are
     * picked free but bound only when the node JVMs get there, seconds later: on a shared machine another process may
     * take one meanwhile. A node that exits because it could not bind its ports is no failure of the cluster: all three
     * start again on fresh ports (at most {@value #START_TRIES} times).
     */
    public static ControllerNodes start(String cassandra, Path logs, Duration timeout) throws IOException {
        return start(cassandra, logs, timeout, false, List.of());
    }

    /**
     * As {@link #start(String, Path, Duration)}; with {@code ownGroups} each node runs in a group of its own ({@link
     * NodeProcess.Extras#ownGroup}, across its restarts too), which {@link #partition} needs.
     */
    public static ControllerNodes start(String cassandra, Path logs, Duration timeout, boolean ownGroups)
            throws IOException {
        return start(cassandra, logs, timeout, ownGroups, List.of());
    }

    /** As above, each node's JVM given {@code jvmOptions} too (after its own: a {@code -Xmx} there wins). */
    public static ControllerNodes start(String cassandra, Path logs, Duration timeout, List<String> jvmOptions)
            throws IOException {
        return start(cassandra, logs, timeout, false, jvmOptions);
    }

    private static ControllerNodes start(
            String cassandra, Path logs, Duration timeout, boolean ownGroups, List<String> jvmOptions)
            throws IOException {
        for (int attempt = 1; ; attempt++) {
            ControllerNodes n = new ControllerNodes(cassandra, logs, ownGroups, jvmOptions);
            try {
                for (int i = 0; i < SIZE; i++) {
                    n.launch(i, List.of(n.remote[0]));
                }
                n.requireUp(timeout, "the cluster did not come up");
                return n;
            } catch (IOException | RuntimeException e) {
                n.close();
                if (attempt >= START_TRIES || !n.portTaken()) {
                    throw e;
                }
                System.err.println("a controller node could not bind its ports (taken meanwhile): starting again on "
                        + "other ports");
            }
        }
    }

    /** Whether a node of this start exited because one of its ports was taken (its log says so). */
    private boolean portTaken() {
        for (NodeProcess p : started) {
            try {
                String log = p.isAlive() ? "" : Files.readString(p.log);
                if (log.contains("could not bind its ports") || log.contains("Address already in use")) {
                    return true;
                }
            } catch (IOException e) {
                // no log to read: not known to be a taken port
            }
        }
        return false;
    }

    private void launch(int i, List<Integer> seeds) throws IOException {
        current[i] = NodeProcess.launch(
                i + 1,
                remote[i],
                seeds,
                http[i],
                openflow[i],
                cassandra,
                logs,
                new NodeProcess.Extras(
                        ownGroups ? NodeProcess.Extras.ownGroup(i + 1).group() : java.util.OptionalInt.empty(),
                        jvmOptions));
        started.add(current[i]);
    }

    public NodeProcess node(int i) {
        return current[i];
    }

    /** The REST client of node {@code i}: the same address across its restarts. */
    public RestClient api(int i) {
        return apis.get(i);
    }

    public List<RestClient> apis() {
        return List.copyOf(apis);
    }

    public String address(int i) {
        return "pekko://portmesh@127.0.0.1:" + remote[i];
    }

    public List<String> addresses() {
        return IntStream.range(0, SIZE).mapToObj(this::address).toList();
    }

    /** The OpenFlow addresses the agents connect to, in node order. */
    public List<String> openflowAddresses() {
        return IntStream.range(0, SIZE)
                .mapToObj(i -> "127.0.0.1:" + openflow[i])
                .toList();
    }

    /** The node whose OpenFlow address is {@code hostPort} ({@code 127.0.0.1:6653}), -1 for none. */
    public int byOpenflow(String hostPort) {
        return openflowAddresses().indexOf(hostPort);
    }

    public boolean isAlive(int i) {
        return current[i].isAlive();
    }

    /** SIGKILL; returns once the process is gone, with the time the signal was sent (nanoTime). */
    public long kill(int i) {
        current[i].kill();
        return current[i].stoppedAtNanos();
    }

    /** SIGTERM and wait for the process to end (coordinated shutdown; SIGKILL after 20 s); when it was signalled. */
    public long stop(int i) {
        current[i].close();
        return current[i].stoppedAtNanos();
    }

    /**
     * Cuts node {@code i} off from the other two both ways (iptables on the Artery ports, {@link
     * LoopbackPartition#isolate}) until the partition is closed; its OpenFlow, REST and Cassandra connections stay.
     * Needs the nodes started with {@code ownGroups}.
     */
    public LoopbackPartition partition(int i) {
        if (!ownGroups) {
            throw new IllegalStateException("the nodes were not started in groups of their own: no partition");
        }
        List<Integer> peers = new ArrayList<>();
        for (int j = 0; j < SIZE; j++) {
            if (j != i) {
                peers.add(remote[j]);
            }
        }
        return LoopbackPartition.isolate(remote[i], current[i].group.getAsInt(), peers);
    }

    /** Starts node {@code i} again on its ports, seeded with the nodes running now. */
    public void restart(int i) throws IOException {
        if (current[i].isAlive()) {
            throw new IllegalStateException("node " + (i + 1) + " still runs");
        }
        List<Integer> seeds = new ArrayList<>();
        for (int j = 0; j < SIZE; j++) {
            if (j != i && current[j].isAlive()) {
                seeds.add(remote[j]);
            }
        }
        launch(i, seeds);
    }

    /**
     * Whether every node sees all three Up and reachable, and answers 200 on {@code /ready} where the nodes have that
     * endpoint (a 404 there means they do not).
     */
    public boolean allUp() {
        for (int i = 0; i < SIZE; i++) {
            if (!current[i].isAlive()) {
                return false;
            }
            try {
                RestClient.Response r = apis.get(i).get("/v1/cluster");
                if (!r.ok() || !ClusterView.parse(r.body()).allUp(addresses()) || !ready(i)) {
                    return false;
                }
            } catch (IOException e) {
                return false;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            }
        }
        return true;
    }

    private boolean ready(int i) throws IOException, InterruptedException {
        if (Boolean.FALSE.equals(hasReadyEndpoint)) {
            return true;
        }
        int status = apis.get(i).statusOf("/ready");
        if (status == 404 && hasReadyEndpoint == null) {
            hasReadyEndpoint = false;
            return true;
        }
        if (status == 200) {
            hasReadyEndpoint = true;
        }
        return status == 200;
    }

    /** Whether the nodes answer {@code GET /ready} (null: not asked yet). */
    public Boolean hasReadyEndpoint() {
        return hasReadyEndpoint;
    }

    /** Polls {@link #allUp} until it holds; when it first did (nanoTime), or -1 after {@code timeout}. */
    public long awaitUp(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() - deadline < 0) {
            if (allUp()) {
                return System.nanoTime();
            }
            for (int i = 0; i < SIZE; i++) {
                if (!current[i].isAlive()) {
                    throw new IllegalStateException("node " + (i + 1) + " exited; see " + current[i].log);
                }
            }
            Sleep.millis(POLL.toMillis());
        }
        return -1;
    }

    public void requireUp(Duration timeout, String what) {
        if (awaitUp(timeout) < 0) {
            throw new IllegalStateException(what + " within " + timeout.toSeconds() + " s; logs under " + logs);
        }
    }

    public Path logs() {
        return logs;
    }

    /** Every node process started in this run, the dead ones included: SIGTERM to those still running, all at once. */
    @Override
    public void close() {
        NodeProcess.closeAll(started);
    }
}
