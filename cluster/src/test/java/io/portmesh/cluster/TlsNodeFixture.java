package io.portmesh.cluster;

import io.portmesh.agent.control.AgentSettings;
import io.portmesh.agent.control.DatapathAgent;
import io.portmesh.cluster.pki.Pki;
import io.portmesh.model.AgentPin;
import io.portmesh.model.HostId;
import io.portmesh.model.Ipv4;
import io.portmesh.openflow.tls.OfTlsFiles;
import io.portmesh.persistence.testkit.TestCassandra;
import io.portmesh.sharding.service.HostInfo;
import io.portmesh.sharding.service.NetworkService;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A controller node on the suite's Cassandra with OpenFlow mutual TLS on, and the PKI it was made with (a new CA and
 * the node's certificate for 127.0.0.1, by the PKI tool's code): the set-up of the tests of who an OpenFlow TLS node
 * admits (OpenFlowTlsIntegrationTest, OpenFlowPinsIntegrationTest). Agents and clients started through it are closed
 * with it, before the node.
 */
final class TlsNodeFixture implements AutoCloseable {
    private static final String REFUSALS = "portmesh_openflow_refusals_total";

    /** A suffix for this run's host and switch names: the suite's Cassandra keeps every earlier run's entities. */
    final String run = Long.toHexString(System.nanoTime() & 0xFFFFFF);

    final Path pki;
    final OfTlsFiles node;
    final TestCluster cluster;
    final NetworkService api;
    /** The node's OpenFlow address, as an agent's {@code controllers}. */
    final List<String> controllers;

    /** The one VXLAN port every agent here binds, each on its own tunnel IP. */
    private final int vxlanPort;

    private final List<AutoCloseable> closing = new ArrayList<>();

    private TlsNodeFixture(Path pki, OfTlsFiles node, TestCluster cluster, int vxlanPort) {
        this.pki = pki;
        this.node = node;
        this.cluster = cluster;
        this.api = cluster.nodes.get(0).service();
        this.controllers = cluster.openflowAddresses();
        this.vxlanPort = vxlanPort;
    }

    /** A new CA in {@code pki}, the node's certificate ({@code node-node-1}), and the node started with them. */
    static TlsNodeFixture start(TestCassandra cassandra, Path pki) throws Exception {
        Pki.init(pki);
        OfTlsFiles node = Pki.issueNode(pki, "node-1", List.of("127.0.0.1"));
        int[] ports = TestCluster.freePorts(3);
        TestCluster cluster =
                TestCluster.start(cassandra, new int[] {ports[0]}, new int[] {ports[1]}, TlsPeers.controllerTls(node));
        return new TlsNodeFixture(pki, node, cluster, ports[2]);
    }

    /** {@code prefix-<run>}. */
    String name(String prefix) {
        return prefix + "-" + run;
    }

    HostInfo createHost(String host, String tunnelIp, Map<String, AgentPin> pins) throws Exception {
        return api.createHost(HostId.of(host), Ipv4.parse(tunnelIp), pins)
                .toCompletableFuture()
                .get(20, TimeUnit.SECONDS);
    }

    HostInfo host(String host) throws Exception {
        return api.getHost(HostId.of(host)).toCompletableFuture().get(20, TimeUnit.SECONDS);
    }

    /** Slot a of {@code host} on {@code tunnelIp}, connecting to the node; plain TCP until given TLS files. */
    AgentSettings agentSettings(String host, String tunnelIp) {
        return AgentSettings.local(host, "a", tunnelIp, vxlanPort, controllers);
    }

    DatapathAgent startAgent(AgentSettings settings) throws Exception {
        return closeLater(DatapathAgent.start(settings));
    }

    <T extends AutoCloseable> T closeLater(T closeable) {
        closing.add(closeable);
        return closeable;
    }

    /** Waits until the node counted at least {@code count} OpenFlow refusals with {@code reason}. */
    void awaitRefusals(String reason, int count) {
        SliceFixture.awaitTrue(
                count + " refusal(s) counted as " + reason,
                () -> NodeScrape.sumUnchecked(cluster.nodes, REFUSALS, "reason=\"" + reason + "\"") >= count);
    }

    /** The OpenFlow sessions the node holds (admitted agents). */
    double sessions() throws Exception {
        return NodeScrape.sum(cluster.nodes, "portmesh_openflow_sessions", "");
    }

    @Override
    public void close() throws Exception {
        try {
            for (int i = closing.size() - 1; i >= 0; i--) {
                closing.get(i).close();
            }
        } finally {
            cluster.close();
        }
    }
}
