package io.portmesh.agent.control;

import static io.portmesh.agent.control.ScriptedController.WAIT_SECONDS;
import static io.portmesh.agent.control.ScriptedController.role;
import static org.assertj.core.api.Assertions.assertThat;

import io.portmesh.openflow.OfConnection;
import io.portmesh.sim.Await;
import io.portmesh.sim.FrameStream;
import io.portmesh.sim.SimulatedVm;
import io.portmesh.sim.StreamStats;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.projectfloodlight.openflow.protocol.OFControllerRole;

/**
 * Agents given a controller name (as a Kubernetes headless Service lists the controller pods) over real TCP and
 * OpenFlow on loopback: the test changes what the name resolves to while the agents run and forward, and they connect
 * to an added node, drop removed ones (the master among them) and keep every other session, with no frame lost.
 * The nodes are {@link ScriptedController}s on 127.0.0.31, .32 and .33, one port for all, as pods share theirs.
 */
class AgentsFindEveryNodeTest {
    private static final String NAME = "portmesh-controller.portmesh.test";
    private static final String N1 = "127.0.0.31";
    private static final String N2 = "127.0.0.32";
    private static final String N3 = "127.0.0.33";
    private static final int RATE = 500;
    private static final Duration STREAM_LIMIT = Duration.ofSeconds(25);

    /** What the name resolves to; the test changes it. */
    private static final class MutableResolver implements ControllerResolver {
        private volatile List<InetAddress> addresses = List.of();
        private volatile boolean failing;

        void set(String... ips) {
            addresses = Arrays.stream(ips).map(MutableResolver::literal).toList();
        }

        void fail(boolean fail) {
            failing = fail;
        }

        @Override
        public List<InetAddress> resolve(String name) throws UnknownHostException {
            if (!NAME.equals(name) || failing) {
                throw new UnknownHostException(name + ": not found (test resolver)");
            }
            return addresses;
        }

        private static InetAddress literal(String ip) {
            try {
                return InetAddress.getByName(ip);
            } catch (UnknownHostException e) {
                throw new IllegalArgumentException(ip, e);
            }
        }
    }

    private final MutableResolver resolver = new MutableResolver();
    private final List<AutoCloseable> closeables = new ArrayList<>();

    @AfterEach
    void stop() {
        for (int i = closeables.size() - 1; i >= 0; i--) {
            try {
                closeables.get(i).close();
            } catch (Exception e) {
                // closing the rest matters more
            }
        }
    }

    private <T extends AutoCloseable> T track(T c) {
        closeables.add(c);
        return c;
    }

    @Test
    void agentsConnectToAnAddedNodeAndDropRemovedOnesWhileForwardingEveryFrame() throws Exception {
        List<ScriptedController> nodes = ScriptedController.onOnePort(N1, N2, N3);
        ScriptedController ctl1 = nodes.get(0);
        ScriptedController ctl2 = nodes.get(1);
        ScriptedController ctl3 = track(nodes.get(2));
        int port = ctl1.address().getPort();
        resolver.set(N1, N2);
        TwoHostNetwork net = track(TwoHostNetwork.running(new TwoHostNetwork(
                ctl1, ctl2, List.of(NAME + ":" + port), resolver, "controllers-resolve-interval = 100ms")));
        // ctl1 is MASTER of both agents and installed their flows; ctl2's connections are EQUAL
        long modsA = net.agentA.flowModsApplied();
        long modsB = net.agentB.flowModsApplied();
        FrameStream ab = track(stream(net.vm1, net.vm2));
        FrameStream ba = track(stream(net.vm4, net.vm3));
        awaitMoreSent(ab, ba);

        // a node added to the name: both agents connect to it, the others' sessions untouched
        resolver.set(N1, N2, N3);
        OfConnection n3first = ctl3.awaitConnection();
        OfConnection n3second = ctl3.awaitConnection();
        for (DatapathAgent agent : List.of(net.agentA, net.agentB)) {
            Await.until(
                    () -> agent.connectedControllers() == 3,
                    () -> agent.description() + " connected to " + agent.controllerNodes());
        }
        assertThat(List.of(net.toA, net.toB, net.toA2, net.toB2)).allMatch(OfConnection::isActive);
        awaitMoreSent(ab, ba);

        // an EQUAL node removed: dropped; the master keeps its sessions and its role
        resolver.set(N1, N3);
        awaitNodes(net, N1, N3);
        Await.until(() -> !net.toA2.isActive() && !net.toB2.isActive(), () -> "node 2 still connected");
        assertThat(net.toA.isActive() && net.toB.isActive())
                .as("node 1's connections")
                .isTrue();
        assertThat(role(net.toA, OFControllerRole.ROLE_NOCHANGE, 0).getRole()).isEqualTo(OFControllerRole.ROLE_MASTER);
        assertThat(role(net.toB, OFControllerRole.ROLE_NOCHANGE, 0).getRole()).isEqualTo(OFControllerRole.ROLE_MASTER);
        assertThat(n3first.isActive() && n3second.isActive())
                .as("node 3's connections")
                .isTrue();
        awaitMoreSent(ab, ba);

        // the master's node removed: dropped; node 3 takes mastership over the connections it has had all along
        resolver.set(N3);
        awaitNodes(net, N3);
        Await.until(() -> !net.toA.isActive() && !net.toB.isActive(), () -> "node 1 still connected");
        for (OfConnection c : List.of(n3first, n3second)) {
            assertThat(c.isActive()).isTrue();
            assertThat(role(c, OFControllerRole.ROLE_MASTER, 2).getRole()).isEqualTo(OFControllerRole.ROLE_MASTER);
        }
        awaitMoreSent(ab, ba);

        ab.stop();
        ba.stop();
        for (FrameStream s : List.of(ab, ba)) {
            StreamStats stats = s.awaitReceived(Duration.ofSeconds(WAIT_SECONDS));
            assertThat(stats.sent()).as("%s sent", s).isGreaterThan(4L * RATE / 10);
            assertThat(stats)
                    .as("%s through the node changes, missing %s%s", s, missing(s), net.counters())
                    .isEqualTo(new StreamStats(stats.sent(), stats.sent(), 0, 0, 0, 0));
        }
        // the flows were never touched: forwarding went on on the flows node 1 installed
        assertThat(net.agentA.flowModsApplied()).isEqualTo(modsA);
        assertThat(net.agentB.flowModsApplied()).isEqualTo(modsB);
        assertThat(TwoHostNetwork.installedPlan(net.agentA)).isEqualTo(net.planA);
        assertThat(TwoHostNetwork.installedPlan(net.agentB)).isEqualTo(net.planB);
        for (DatapathAgent agent : List.of(net.agentA, net.agentB)) {
            ControllerNodes.Stats stats = agent.controllerNodes();
            assertThat(stats.nodesAdded())
                    .as("%s nodes added", agent.description())
                    .isEqualTo(3);
            assertThat(stats.nodesRemoved())
                    .as("%s nodes removed", agent.description())
                    .isEqualTo(2);
            assertThat(stats.lookupFailures()).isZero();
            assertThat(stats.nodes()).isEqualTo(1);
        }
    }

    @Test
    void aLostConnectionLooksTheNameUpAgainWithoutWaitingForTheInterval() throws Exception {
        // the interval is out of reach: only the lost connection can make the agent look again
        OneAgent one = oneAgentOnNode1("controllers-resolve-interval = 1h");
        DatapathAgent agent = one.agent();
        OfConnection first = one.toNode1();
        assertThat(agent.controllerNodes().lookups()).isEqualTo(1);

        resolver.set(N1, N2); // the node set grew (or node 1 moved to a new address: the same lookup finds it)
        first.close(); // the agent loses its connection
        one.nodes().get(1).awaitConnection();
        one.nodes().get(0).awaitConnection(); // and reconnects to node 1
        assertThat(agent.controllerAddresses()).isEqualTo(addresses(one.port(), N1, N2));
        assertThat(agent.controllerNodes().lookups()).isEqualTo(2);
    }

    @Test
    void connectionsLostInALoopLookTheNameUpAtMostOncePerMinimumGap() throws Exception {
        // reconnecting within 10-20 ms, the agent loses its connection many times per gap
        OneAgent one = oneAgentOnNode1(
                "controllers-resolve-interval = 1h, openflow.reconnect-min = 10ms, openflow.reconnect-max = 20ms");
        long start = System.nanoTime();
        int losses = 20;
        one.toNode1().close();
        for (int i = 1; i < losses; i++) {
            one.nodes().get(0).awaitConnection().close(); // node 1 drops the agent as soon as it is back
        }
        // the first lookup after a loss waits for the gap after the one at start
        Await.until(() -> one.agent().controllerNodes().lookups() >= 2, () -> "no lookup after the losses");
        // each lookup after a loss comes at least a gap after the one before: at most this many since the first loss
        long gaps = (System.nanoTime() - start) / ControllerNodes.MIN_GAP.toNanos() + 1;
        long lookups = one.agent().controllerNodes().lookups() - 1; // the one at start
        assertThat(lookups)
                .as("lookups after %d lost connections in %d gaps", losses, gaps)
                .isBetween(1L, gaps);
        assertThat(lookups).as("fewer lookups than lost connections").isLessThan(losses);
    }

    @Test
    void aNameThatStopsResolvingKeepsItsNodesUntilItResolvesAgain() throws Exception {
        OneAgent one = oneAgentOnNode1("controllers-resolve-interval = 50ms");
        DatapathAgent agent = one.agent();
        OfConnection toN1 = one.toNode1();

        resolver.fail(true);
        long failuresBefore = agent.controllerNodes().lookupFailures();
        Await.until(
                () -> agent.controllerNodes().lookupFailures() - failuresBefore >= 3,
                () -> "lookups: " + agent.controllerNodes());
        assertThat(toN1.isActive())
                .as("the connection to node 1 survives failed lookups")
                .isTrue();
        assertThat(agent.controllerAddresses()).isEqualTo(addresses(one.port(), N1));

        resolver.set(N2);
        resolver.fail(false);
        one.nodes().get(1).awaitConnection();
        Await.until(() -> !toN1.isActive(), () -> "node 1 still connected");
        assertThat(agent.controllerAddresses()).isEqualTo(addresses(one.port(), N2));
        assertThat(agent.connectedControllers()).isEqualTo(1);
    }

    @Test
    void anAgentWithIpEntriesOnlyLooksNothingUp() throws Exception {
        ScriptedController ctl = track(new ScriptedController());
        DatapathAgent agent = track(DatapathAgent.start(
                TestAgents.settings("h1", 0, List.of(ctl.hostPort()), "127.0.0.1", 0, 4789), name -> {
                    throw new AssertionError("looked up " + name);
                }));
        ctl.awaitConnection();
        assertThat(agent.controllerNodes().lookups()).isZero();
        assertThat(agent.controllerAddresses()).containsExactly(ctl.address());
    }

    /** Nodes 1 and 2 on one port, the name resolving to node 1, and an agent connected to it. */
    private record OneAgent(List<ScriptedController> nodes, int port, DatapathAgent agent, OfConnection toNode1) {}

    /** {@link OneAgent} whose agent has {@code moreHocon} and looks the name up with the test's resolver. */
    private OneAgent oneAgentOnNode1(String moreHocon) throws Exception {
        List<ScriptedController> nodes = ScriptedController.onOnePort(N1, N2);
        nodes.forEach(this::track);
        int port = nodes.get(0).address().getPort();
        resolver.set(N1);
        DatapathAgent agent = track(DatapathAgent.start(
                TestAgents.settings("h1", 0, List.of(NAME + ":" + port), "127.0.0.1", 0, 4789, moreHocon), resolver));
        return new OneAgent(nodes, port, agent, nodes.get(0).awaitConnection());
    }

    private static FrameStream stream(SimulatedVm from, SimulatedVm to) {
        return FrameStream.from(from)
                .to(to)
                .rate(RATE)
                .count(RATE * STREAM_LIMIT.toSeconds())
                .maxDuration(STREAM_LIMIT)
                .start();
    }

    /** Waits until each stream has sent a tenth of a second's frames more: traffic runs across every step. */
    private static void awaitMoreSent(FrameStream... streams) {
        for (FrameStream s : streams) {
            long before = s.sent();
            Await.until(() -> s.sent() - before >= RATE / 10, () -> s + " stalled at " + s.sent());
        }
    }

    private static void awaitNodes(TwoHostNetwork net, String... ips) {
        Set<InetSocketAddress> want = addresses(net.ctl1.address().getPort(), ips);
        for (DatapathAgent agent : List.of(net.agentA, net.agentB)) {
            Await.until(
                    () -> agent.controllerAddresses().equals(want) && agent.connectedControllers() == ips.length,
                    () -> agent.description() + " has " + agent.controllerAddresses() + ", " + agent.controllerNodes()
                            + "; want " + want);
        }
    }

    private static Set<InetSocketAddress> addresses(int port, String... ips) {
        return Arrays.stream(ips).map(ip -> new InetSocketAddress(ip, port)).collect(Collectors.toSet());
    }

    private static String missing(FrameStream s) {
        return s.missingRuns(10).stream().map(r -> r[0] + ".." + r[1]).collect(Collectors.joining(", ", "[", "]"));
    }
}
